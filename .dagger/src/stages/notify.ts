/**
 * After a ci run: tell the team through the notify module (chat webhook, e-mail) when it failed
 * (or always, per pipeline.yaml), naming the failing stage, component and the run's link. A
 * notification that cannot be sent is reported in the summary; it never changes the verdict.
 */
import { dag, type Secret } from "@dagger.io/dagger";
import type { PipelineConfig } from "../config/schema.js";
import type { CheckRun, RunResult } from "../runs.js";

/** What the notification says besides the run's verdict. */
export interface NotifyContext {
  webhook?: Secret;
  smtpPassword?: Secret;
  runUrl: string;
  revision: string;
  branch: string;
}

/** The Markdown lines to add to the summary: where notifications went, or why one failed; empty when none was due. */
export async function notifyRun(config: PipelineConfig, run: CheckRun, ctx: NotifyContext): Promise<string> {
  const settings = config.notifications;
  if (!settings || (run.passed && settings.on === "failure")) return "";
  // result.json rather than the Markdown: the same verdict the CI wrappers read, by stage.
  const result = JSON.parse(await run.reports.file("result.json").contents()) as RunResult;
  const failed = result.failed[0];
  const stage = run.passed ? "" : (failed?.stage ?? result.stages?.find((s) => s.status === "failed")?.stage ?? "ci");
  const component = failed?.component ? `${failed.component} ${failed.check}` : "";
  // Chats show plain text: each stage's verdict, then the failing tests, instead of the summary's tables.
  const detail = [...(result.stages ?? []).map((s) => `${s.stage}: ${s.note}`), ...result.failed.flatMap((f) => f.tests.map((t) => `- ${f.component}: ${t}`))].slice(0, 20).join("\n");
  const common = { component, detail, link: ctx.runUrl, revision: ctx.revision, branch: ctx.branch, passed: run.passed };
  const notes: string[] = [];
  const attempt = async (what: string, send: () => Promise<string>) => {
    try {
      notes.push(`- ${what}: ${await send()}`);
    } catch (e) {
      notes.push(`- ${what}: not sent: ${(e as Error).message.split("\n")[0]}`);
    }
  };
  if (settings.webhook) {
    const webhook = ctx.webhook;
    if (!webhook) notes.push("- chat: not sent: pipeline.yaml has notifications.webhook, but ci got no --notify-webhook");
    else await attempt("chat", () => dag.notify().webhook(webhook, config.name, stage, { ...common, format: settings.webhook?.format ?? "slack" }));
  }
  const email = settings.email;
  if (email?.user && !ctx.smtpPassword) notes.push(`- e-mail: not sent: pipeline.yaml has notifications.email.user, but ci got no --smtp-password`);
  else if (email)
    await attempt("e-mail", () =>
      dag.notify().email(email.host, email.from, email.to, config.name, stage, {
        ...common,
        port: email.port,
        secure: email.secure,
        user: email.user,
        ...(ctx.smtpPassword ? { password: ctx.smtpPassword } : {}),
      }),
    );
  return notes.length > 0 ? `\n## Notifications\n\n${notes.join("\n")}\n` : "";
}
