/**
 * The pull request of a promotion that needs approval: opened once per promotion branch (a rerun
 * finds it instead of opening another) and reported as open, approved, changes-requested,
 * merged or closed. The hosts (./github.ts, ./gitea.ts) only translate their API's shapes.
 */
import { maskCredentials } from "../vendor/credentials.js";

/** A pull request as every host can describe it. */
export interface HostPullRequest {
  /** The number shown in the host's UI. */
  number: number;
  /** Web page of the pull request. */
  url: string;
  /** The host's state; merged ones are closed too. */
  state: "open" | "closed";
  /** Whether it was merged. */
  merged: boolean;
  /** Promotion branch. */
  head: string;
  /** Environment branch. */
  base: string;
  /** The commit the head branch is at: approvals count only when given on it. */
  headSha: string;
}

/** A review as every host can describe it. */
export interface HostReview {
  /** Reviewer's login. */
  user: string;
  /** What the review said. */
  state: "approved" | "changes-requested" | "commented" | "dismissed" | "pending";
  /** Commit the review was given on. */
  commit: string;
}

/** What a host must do for promotions. */
export interface PullRequestHost {
  /** "github" or "gitea", for messages. */
  readonly name: string;
  /** The pull request from `head` into `base`, in any state, or undefined. */
  find(head: string, base: string): Promise<HostPullRequest | undefined>;
  /** Open one; "exists" when the host refuses because one is already open for these branches. */
  create(request: { head: string; base: string; title: string; body: string }): Promise<HostPullRequest | "exists">;
  /** Every review of a pull request, oldest first. */
  reviews(pullRequest: HostPullRequest): Promise<HostReview[]>;
}

/** What the reporter says about a promotion's pull request. */
export type PullRequestState = "open" | "approved" | "changes-requested" | "merged" | "closed";

/** A promotion's pull request and where it stands. */
export interface PullRequestReport {
  /** "opened" by this call, or "already-there" from an earlier one. */
  status: "opened" | "already-there";
  /** Where it stands. */
  state: PullRequestState;
  /** Pull request number. */
  number: number;
  /** Web page. */
  url: string;
  /** Promotion branch. */
  head: string;
  /** Environment branch. */
  base: string;
  /** Approvals given on the current head commit by reviewers who did not later retract them. */
  approvals: number;
  /** Approvals the environment requires. */
  required: number;
  /** Who approved (counted ones). */
  approvedBy: string[];
  /** Who requests changes. */
  changesRequestedBy: string[];
}

/** What to open. */
export interface PromotionPullRequest {
  /** Promotion branch (promote/<environment>/<release short sha>, named by the root module), already pushed. */
  head: string;
  /** Environment branch. */
  base: string;
  /** Title: the commit subject. */
  title: string;
  /** Description: the commit body. */
  body: string;
  /** Approvals the environment requires (pipeline.yaml environments.<name>.approvals). */
  approvals: number;
}

/**
 * Where a pull request stands. Each reviewer counts with their latest review that took a
 * position (a comment after an approval does not take it back; a dismissal does). An approval
 * counts only on the commit the head is at now: a later push to the promotion branch changed
 * what was approved. A change request blocks whatever commit it was made on, as on the hosts.
 * With `required` 0 an open pull request without change requests is approved.
 */
export function reviewState(pr: HostPullRequest, reviews: HostReview[], required: number): Pick<PullRequestReport, "state" | "approvals" | "approvedBy" | "changesRequestedBy"> {
  const latest = new Map<string, HostReview>();
  for (const r of reviews) {
    if (r.state === "commented" || r.state === "pending") continue;
    if (r.state === "dismissed") latest.delete(r.user);
    else latest.set(r.user, r);
  }
  const approvedBy = [...latest.values()]
    .filter((r) => r.state === "approved" && r.commit === pr.headSha)
    .map((r) => r.user)
    .sort();
  const changesRequestedBy = [...latest.values()]
    .filter((r) => r.state === "changes-requested")
    .map((r) => r.user)
    .sort();
  const approvals = approvedBy.length;
  const state: PullRequestState = pr.merged ? "merged" : pr.state === "closed" ? "closed" : changesRequestedBy.length > 0 ? "changes-requested" : approvals >= required ? "approved" : "open";
  return { state, approvals, approvedBy, changesRequestedBy };
}

/**
 * Open the promotion's pull request unless one exists for its head branch (in any state: a
 * closed one was a human's decision, and opening another would go around it), then report it.
 */
export async function openOrFindPullRequest(host: PullRequestHost, request: PromotionPullRequest): Promise<PullRequestReport> {
  if (!Number.isInteger(request.approvals) || request.approvals < 0) throw new Error(`approvals: must be a whole number of at least 0 (got ${request.approvals})`);
  let pr = await host.find(request.head, request.base);
  let status: PullRequestReport["status"] = "already-there";
  if (!pr) {
    const made = await host.create({ head: request.head, base: request.base, title: request.title, body: request.body });
    // Another run opened it between our look-up and our request.
    if (made === "exists") {
      pr = await host.find(request.head, request.base);
      if (!pr) throw new Error(`${host.name}: refused to open a pull request from ${request.head} into ${request.base} because one exists, but none is found`);
    } else {
      pr = made;
      status = "opened";
    }
  }
  const reviews = status === "opened" || pr.state === "closed" ? [] : await host.reviews(pr);
  return { status, number: pr.number, url: pr.url, head: pr.head, base: pr.base, required: request.approvals, ...reviewState(pr, reviews, request.approvals) };
}

/**
 * An error of a host's API, with the token removed from anything the host or the client put in the
 * message, and any other credential a URL or a query in it names masked (fetch quotes a URL's user:password@).
 */
export function hostError(host: string, what: string, status: number | undefined, detail: string, token: string): Error {
  return new Error(maskCredentials(redactToken(`${host}: ${what} failed${status ? ` (HTTP ${status})` : ""}: ${detail}`, token)));
}

/** The text without the token, raw, JSON-escaped or URL-encoded (longest first); redact before cutting a text short, or a cut token stays. */
export function redactToken(text: string, token: string): string {
  if (!token) return text;
  const forms = [...new Set([token, JSON.stringify(token).slice(1, -1), encodeURIComponent(token)])].sort((a, b) => b.length - a.length);
  return forms.reduce((t, f) => t.split(f).join("***"), text);
}
