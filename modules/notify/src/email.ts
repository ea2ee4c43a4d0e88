/** Failure e-mails through SMTP (nodemailer): the password is a secret and never in an error. */
import nodemailer from "./vendor/nodemailer.js";
import { type FailureMessage, renderText, verdictLine } from "./message.js";
import { redact } from "./redact.js";

/** Where and how to send. */
export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the start (465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  to: string[];
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Send the failure e-mail; bad addresses are refused naming them, SMTP errors never show the password. */
export async function sendFailureEmail(settings: SmtpSettings, m: FailureMessage): Promise<string> {
  const bad = [settings.from, ...settings.to].filter((a) => !ADDRESS.test(a));
  if (bad.length > 0) throw new Error(`e-mail: ${bad.map((a) => JSON.stringify(a)).join(", ")} is not an address like ci@example.com`);
  if (settings.to.length === 0) throw new Error("e-mail: no recipient (to)");
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? "" } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
  });
  try {
    const info = await transport.sendMail({ from: settings.from, to: settings.to, subject: `[${m.pipeline}] ${verdictLine(m)}`, text: renderText(m) });
    return `e-mailed ${settings.to.join(", ")} through ${settings.host}:${settings.port} (${info.messageId})`;
  } catch (e) {
    throw new Error(`e-mail through ${settings.host}:${settings.port}: ${redact((e as Error).message, [settings.password])}`);
  } finally {
    transport.close();
  }
}
