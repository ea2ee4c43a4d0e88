/**
 * Notify: tell a team that a pipeline failed, in its chat (Slack, Mattermost, Rocket.Chat, Teams,
 * Google Chat webhooks) or by e-mail (SMTP), with the failing stage, component and the run's link.
 * Usable on its own: `dagger -m modules/notify call webhook --url=env://CHAT_WEBHOOK --pipeline=webshop --stage=e2e`.
 */
import { func, object, type Secret } from "@dagger.io/dagger";
import { sendFailureEmail } from "./email.js";
import type { FailureMessage } from "./message.js";
import { postWebhook, webhookPayload } from "./webhook.js";

/** Failure notifications by chat webhook or e-mail. */
@object()
export class Notify {
  /**
   * Post the failure to a chat webhook; returns a line saying where it went (never the URL).
   * @param url The webhook URL, a secret since it carries the token, e.g. env://CHAT_WEBHOOK.
   * @param pipeline The pipeline's name (pipeline.yaml name).
   * @param stage The stage that failed, e.g. e2e.
   * @param component The component that failed, if one did.
   * @param detail The first lines of the failure.
   * @param link The CI run to open.
   * @param revision The git SHA of the run.
   * @param branch The branch of the run.
   * @param format slack (also Mattermost, Rocket.Chat), teams or google-chat.
   * @param passed The run passed (notifications on: always): the message says so instead of a failing stage.
   */
  @func({ cache: "never" })
  async webhook(url: Secret, pipeline: string, stage: string, component = "", detail = "", link = "", revision = "", branch = "", format = "slack", passed = false): Promise<string> {
    const message = messageOf(pipeline, stage, component, detail, link, revision, branch, passed);
    return postWebhook(await url.plaintext(), webhookPayload(format, message));
  }

  /**
   * E-mail the failure through an SMTP server; returns a line saying to whom it went.
   * @param host The SMTP server.
   * @param from The sender address.
   * @param to The recipients.
   * @param pipeline The pipeline's name (pipeline.yaml name).
   * @param stage The stage that failed, e.g. e2e.
   * @param port The SMTP port (587 submission with STARTTLS; 465 with secure).
   * @param user The SMTP user; empty sends without authentication.
   * @param password The SMTP password, e.g. env://SMTP_PASSWORD.
   * @param component The component that failed, if one did.
   * @param detail The first lines of the failure.
   * @param link The CI run to open.
   * @param revision The git SHA of the run.
   * @param branch The branch of the run.
   * @param secure TLS from the start (port 465) instead of STARTTLS.
   * @param passed The run passed (notifications on: always): the message says so instead of a failing stage.
   */
  @func({ cache: "never" })
  async email(
    host: string,
    from: string,
    to: string[],
    pipeline: string,
    stage: string,
    port = 587,
    user = "",
    password?: Secret,
    component = "",
    detail = "",
    link = "",
    revision = "",
    branch = "",
    secure = false,
    passed = false,
  ): Promise<string> {
    const message = messageOf(pipeline, stage, component, detail, link, revision, branch, passed);
    return sendFailureEmail({ host, port, secure, from, to, ...(user ? { user } : {}), ...(password ? { password: await password.plaintext() } : {}) }, message);
  }
}

/** The message from the functions' flat arguments (empty means absent). */
function messageOf(pipeline: string, stage: string, component: string, detail: string, link: string, revision: string, branch: string, passed: boolean): FailureMessage {
  return {
    pipeline,
    stage,
    ...(passed ? { passed } : {}),
    ...(component ? { component } : {}),
    ...(detail ? { detail } : {}),
    ...(link ? { link } : {}),
    ...(revision ? { revision } : {}),
    ...(branch ? { branch } : {}),
  };
}
