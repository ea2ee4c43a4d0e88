/**
 * Which OpenVEX statements speak for a finding in an image, and whether they waive it.
 *
 * A statement counts for a finding of one component's image only when all of these hold:
 * - it comes from a document attached to that component (a statement in another component's
 *   documents never counts, whatever it names);
 * - the finding is a vulnerability (VEX speaks of vulnerabilities: a failed misconfiguration check
 *   or a secret is never waived by VEX) and the statement's `vulnerability.name` or one of its
 *   `aliases` is the finding's ID, without regard to case;
 * - one of its products names the image's manifest digest: a `pkg:oci/…@sha256%3A<hex>` (or
 *   `pkg:docker/…`) purl in `@id` or `identifiers.purl`, an `@id` that is `sha256:<hex>` or an image
 *   reference `…@sha256:<hex>`, or `hashes["sha-256"]` equal to `<hex>`. The repository in the purl
 *   is not compared (the same digest is the same bytes under any name). A product without a
 *   digest (`pkg:oci/trivy?repository_url=…`, which Trivy applies to every tag), with another
 *   digest, or naming this digest and another one (a purl and a hash that disagree) never
 *   matches: a statement is about the bytes judged or it is not used;
 * - when that product lists `subcomponents`, one of them is a purl covering the finding's package
 *   (see purl.ts: type, namespace and name equal, version and qualifiers when given); a finding
 *   whose report gives no package URL matches no subcomponent.
 *
 * Of the statements that count, the latest by timestamp (the statement's own, else its
 * document's; `last_updated` is not used) decides, as OpenVEX orders statements: `not_affected`
 * and `fixed` waive, `affected` and `under_investigation` do not. When several statements share
 * the latest timestamp and disagree, the finding is not waived.
 */
import { digestOf, isDigest } from "./identity.js";
import { instantOf, type VexDocument, type VexProduct, type VexStatement } from "./openvex.js";
import { type PackageUrl, parsePurl, purlCovers } from "./purl.js";
import type { Finding, VulnerabilityFinding } from "./trivy.js";

/** The digests (sha256:<hex>) a product names, from every identifier that can hold one. */
export function productDigests(product: VexProduct): string[] {
  const found = new Set<string>();
  for (const id of [product["@id"], product.identifiers?.purl]) {
    if (id === undefined) continue;
    const purl = parsePurl(id);
    if (purl) {
      if ((purl.type === "oci" || purl.type === "docker") && purl.version !== undefined && isDigest(purl.version)) found.add(purl.version);
    } else if (isDigest(id)) found.add(id);
    else {
      const digest = digestOf(id);
      if (digest) found.add(digest);
    }
  }
  const sha256 = product.hashes?.["sha-256"];
  if (sha256 !== undefined && /^[0-9a-f]{64}$/.test(sha256)) found.add(`sha256:${sha256}`);
  return [...found];
}

/** What the statements for one finding decided. */
export interface VexJudgement {
  /** The statement that waives the finding (the latest, not_affected or fixed); absent when none does. */
  waivedBy?: VexStatement;
  /** The latest statement that counts when it does not waive (affected, under_investigation, or a tie that disagrees). */
  latest?: VexStatement;
  /** Why statements naming the finding's ID were not used (another digest, no digest, other packages), one line each. */
  unused: string[];
}

/** Judge one finding of the image with manifest `digest` against the documents attached to its component. */
export function judgeByVex(finding: Finding, digest: string, documents: readonly VexDocument[]): VexJudgement {
  if (finding.kind !== "vulnerability") return { unused: [] };
  const named = documents.flatMap((d) => d.statements).filter((s) => namesVulnerability(s, finding.id));
  const counting: VexStatement[] = [];
  const unused: string[] = [];
  for (const s of named) {
    const why = whyNotFor(s, finding, digest);
    if (why === undefined) counting.push(s);
    else unused.push(`${cite(s)} ${why}`);
  }
  if (counting.length === 0) return { unused };
  // Parsed documents hold only valid timestamps (openvex.ts); bigint nanoseconds order them exactly.
  const at = (s: VexStatement) => instantOf(s.timestamp) as bigint;
  const top = counting.reduce((max, s) => (at(s) > max ? at(s) : max), at(counting[0]));
  const latest = counting.filter((s) => at(s) === top);
  const waives = latest.every((s) => s.status === "not_affected" || s.status === "fixed");
  return waives ? { waivedBy: latest[0], unused } : { latest: latest.find((s) => s.status !== "not_affected" && s.status !== "fixed"), unused };
}

/** Whether any statement of the documents names `id` (for a misconfiguration or a secret: to say VEX does not waive it). */
export function vexNames(id: string, documents: readonly VexDocument[]): VexStatement | undefined {
  return documents.flatMap((d) => d.statements).find((s) => namesVulnerability(s, id));
}

/** "the VEX statement of <author> (<timestamp>, <file> statements[<i>])". */
export function cite(s: VexStatement): string {
  return `the VEX statement of ${s.author} (${s.timestamp}, ${s.file} statements[${s.index}])`;
}

const namesVulnerability = (s: VexStatement, id: string): boolean => [s.vulnerability.name, ...s.vulnerability.aliases].some((n) => n.toUpperCase() === id.toUpperCase());

/** Why a statement naming the finding's ID does not count for it in this image, or undefined when it does. */
function whyNotFor(s: VexStatement, finding: VulnerabilityFinding, digest: string): string | undefined {
  if (s.products.length === 0) return "names no product (the gate reads the document alone, so nothing ties it to this image's digest)";
  const naming = s.products.filter((p) => productDigests(p).includes(digest));
  // A product that names this digest and another (a purl and a hash that disagree) is not trusted to mean either.
  const forImage = naming.filter((p) => productDigests(p).length === 1);
  if (naming.length > forImage.length && forImage.length === 0)
    return `names ${digest} and another digest in one product (${list(productDigests(naming[0]))}), so it is not clear which image it is about`;
  if (forImage.length === 0) {
    const named = s.products.map((p) => p["@id"] ?? p.identifiers?.purl ?? p.identifiers?.cpe23 ?? p.identifiers?.cpe22 ?? "(a product)");
    return `is about ${list(named)}, not about this image's digest ${digest}`;
  }
  if (forImage.some((p) => (p.subcomponents ?? []).length === 0)) return undefined;
  const actual = finding.purl === undefined ? undefined : parsePurl(finding.purl);
  const patterns = forImage
    .flatMap((p) => p.subcomponents ?? [])
    .flatMap((c) => [c["@id"], c.identifiers?.purl].flatMap((id) => (id === undefined ? [] : [parsePurl(id)])).filter((u): u is PackageUrl => u !== undefined));
  if (actual !== undefined && patterns.some((p) => purlCovers(p, actual))) return undefined;
  const subs = forImage.flatMap((p) => (p.subcomponents ?? []).map((c) => c["@id"] ?? c.identifiers?.purl ?? c.identifiers?.cpe23 ?? c.identifiers?.cpe22 ?? "(a subcomponent)"));
  return actual === undefined ? `is limited to ${list(subs)} and the report gives no package URL for ${finding.package}` : `is limited to ${list(subs)}, not ${finding.purl}`;
}

/** Up to three names, then how many more. */
function list(names: readonly string[]): string {
  const unique = [...new Set(names)];
  return unique.length <= 3 ? unique.join(", ") : `${unique.slice(0, 3).join(", ")} and ${unique.length - 3} more`;
}
