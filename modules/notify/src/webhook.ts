/**
 * Chat webhooks: the payload each chat expects, and the POST. The URL is a secret (Slack, Teams
 * and Google Chat put the token in it), so no error ever shows it: only its host.
 */
import { type FailureMessage, headline, renderText } from "./message.js";
import { redact } from "./redact.js";

/** The chats we format for; Mattermost and Rocket.Chat accept Slack's payload. */
export const WEBHOOK_FORMATS = ["slack", "teams", "google-chat"] as const;
/** One webhook format. */

/** The JSON body for a format; an unknown format is an error listing the valid ones. */
export function webhookPayload(format: string, m: FailureMessage): unknown {
  switch (format) {
    case "slack":
    case "google-chat":
      return { text: renderText(m) };
    case "teams":
      // A Teams Workflows webhook takes a message with an Adaptive Card attachment.
      return {
        type: "message",
        attachments: [
          {
            contentType: "application/vnd.microsoft.card.adaptive",
            content: {
              type: "AdaptiveCard",
              version: "1.4",
              body: [
                { type: "TextBlock", text: headline(m), weight: "Bolder", wrap: true },
                ...(m.detail ? [{ type: "TextBlock", text: m.detail.trim().split("\n").slice(0, 20).join("\n"), wrap: true, fontType: "Monospace" }] : []),
              ],
              ...(m.link ? { actions: [{ type: "Action.OpenUrl", title: "Open the run", url: m.link }] } : {}),
            },
          },
        ],
      };
    default:
      throw new Error(`format: "${format}" is not a webhook format; valid formats: ${WEBHOOK_FORMATS.join(", ")}`);
  }
}

/** POST the payload; a non-2xx answer, a network error or the timeout is an error naming the webhook's host only. */
export async function postWebhook(url: string, payload: unknown, options: { timeoutMs?: number } = {}): Promise<string> {
  let host: string;
  // Every part of the URL that may be the token: the whole, its path and query, each long path segment, a password.
  let secrets: string[] = [url];
  try {
    const u = new URL(url);
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("scheme");
    host = u.host;
    secrets = [url, `${u.pathname}${u.search}`, u.search.slice(1), u.password, ...u.pathname.split("/").filter((p) => p.length >= 8)];
  } catch {
    throw new Error("webhook URL: not an http(s) URL (value not shown: it is a secret)");
  }
  const where = `webhook at ${host}`;
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload), signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  } catch (e) {
    const err = e as Error;
    const why =
      err.name === "TimeoutError"
        ? `no answer within ${options.timeoutMs ?? 10_000} ms`
        : redact(`${err.message}${err.cause ? ` (${String((err.cause as Error).message ?? err.cause)})` : ""}`, secrets);
    throw new Error(`${where}: ${why}`);
  }
  // Redacted before it is cut short: a token cut at the end would no longer match.
  const body = redact(await response.text().catch(() => ""), secrets).slice(0, 200);
  if (!response.ok) throw new Error(`${where}: ${response.status} ${response.statusText}${body ? `: ${body}` : ""}`);
  return `notified the ${where} (${response.status})`;
}
