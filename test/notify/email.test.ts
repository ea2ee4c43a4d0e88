/** Failure e-mails through a real local SMTP server (smtp-server) with authentication. */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { Secret } from "@dagger.io/dagger";
import { SMTPServer } from "smtp-server";
import { sendFailureEmail } from "../../modules/notify/src/email.js";
import { Notify } from "../../modules/notify/src/index.js";

const PASSWORD = "smtp-Pa55-w0rd-7c1d";
const mails: { from?: string; to: string[]; raw: string }[] = [];
const server = new SMTPServer({
  authOptional: false,
  allowInsecureAuth: true,
  disabledCommands: ["STARTTLS"],
  onAuth(auth, _session, done) {
    if (auth.username === "ci" && auth.password === PASSWORD) done(null, { user: "ci" });
    else done(new Error("Invalid username or password"));
  },
  onData(stream, session, done) {
    let raw = "";
    stream
      .on("data", (d: Buffer) => (raw += d.toString()))
      .on("end", () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined, to: session.envelope.rcptTo.map((r) => r.address), raw });
        done();
      });
  },
});
let port = 0;
before(async () => {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  port = (server.server.address() as AddressInfo).port;
});
after(() => server.close());
const secret = (value: string) => ({ plaintext: async () => value }) as unknown as Secret;

test("the failure e-mail arrives: sender, recipients, subject and body name the stage, component and link", async () => {
  const out = await new Notify().email(
    "127.0.0.1",
    "ci@example.com",
    ["dev@example.com", "ops@example.com"],
    "webshop",
    "e2e",
    port,
    "ci",
    secret(PASSWORD),
    "backend",
    'column "total" does not exist',
    "https://ci.example.com/run/42",
    "0123456789abcdef0123456789abcdef01234567",
    "main",
  );
  assert.match(out, /^e-mailed dev@example\.com, ops@example\.com through 127\.0\.0\.1:\d+/);
  assert.equal(mails.length, 1);
  assert.equal(mails[0].from, "ci@example.com");
  assert.deepEqual(mails[0].to, ["dev@example.com", "ops@example.com"]);
  assert.match(mails[0].raw, /^Subject: \[webshop\] failed at e2e \(backend\) on main @ 0123456789ab\r?$/m);
  assert.match(mails[0].raw, /https:\/\/ci\.example\.com\/run\/42/);
  assert.match(mails[0].raw, /column "total" does not exist/);
  assert.doesNotMatch(mails[0].raw, new RegExp(PASSWORD));
});

test("a wrong password fails without showing it; bad addresses are refused naming them", async () => {
  const wrong = "wr0ng-Pa55-8e2f";
  await assert.rejects(
    sendFailureEmail({ host: "127.0.0.1", port, secure: false, user: "ci", password: wrong, from: "ci@example.com", to: ["dev@example.com"] }, { pipeline: "webshop", stage: "checks" }),
    (e: Error) => /^e-mail through 127\.0\.0\.1:\d+: /.test(e.message) && /Invalid/.test(e.message) && !e.message.includes(wrong),
  );
  await assert.rejects(
    sendFailureEmail({ host: "127.0.0.1", port, secure: false, from: "ci", to: ["dev@example.com"] }, { pipeline: "w", stage: "s" }),
    /e-mail: "ci" is not an address like ci@example\.com/,
  );
});
