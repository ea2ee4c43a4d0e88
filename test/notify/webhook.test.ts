/** Chat webhooks against a real local HTTP receiver: each format's payload, and errors that never show the URL's token. */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Secret } from "@dagger.io/dagger";
import { Notify } from "../../modules/notify/src/index.js";
import { postWebhook, webhookPayload } from "../../modules/notify/src/webhook.js";

const TOKEN = "T0KEN-b4d-9f1e2a7c";
const received: { method?: string; type?: string; path?: string; body: string }[] = [];
let answer: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) => res.end("ok");
const server = createServer((req, res) => {
  let body = "";
  req
    .on("data", (d) => (body += d))
    .on("end", () => {
      received.push({ method: req.method, type: req.headers["content-type"], path: req.url, body });
      answer(req, res);
    });
});
let base = "";
before(async () => {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());
const secret = (value: string) => ({ plaintext: async () => value }) as unknown as Secret;

describe("chat webhooks", () => {
  test("slack (and Mattermost, Rocket.Chat): one POST of JSON {text} with stage, component, branch, revision and link", async () => {
    received.length = 0;
    answer = (_q, res) => res.end("ok");
    const out = await new Notify().webhook(
      secret(`${base}/hooks/${TOKEN}`),
      "webshop",
      "e2e",
      "backend",
      "1 test failed:\norders > totals",
      "https://ci.example.com/run/42",
      "0123456789abcdef0123456789abcdef01234567",
      "main",
    );
    assert.equal(out, `notified the webhook at ${base.slice(7)} (200)`);
    assert.equal(received.length, 1);
    assert.deepEqual([received[0].method, received[0].type, received[0].path], ["POST", "application/json", `/hooks/${TOKEN}`]);
    assert.deepEqual(JSON.parse(received[0].body), { text: "webshop: failed at e2e (backend) on main @ 0123456789ab\nhttps://ci.example.com/run/42\n\n1 test failed:\norders > totals" });
  });

  test("teams: an Adaptive Card with the headline, the detail and a button to the run; google-chat: {text}", async () => {
    const m = { pipeline: "webshop", stage: "checks", component: "frontend", detail: "lint failed", link: "https://ci.example.com/run/43" };
    const card = webhookPayload("teams", m) as { type: string; attachments: { contentType: string; content: { body: { text: string }[]; actions: { url: string }[] } }[] };
    assert.equal(card.type, "message");
    assert.equal(card.attachments[0].contentType, "application/vnd.microsoft.card.adaptive");
    assert.deepEqual(
      card.attachments[0].content.body.map((b) => b.text),
      ["webshop: failed at checks (frontend)", "lint failed"],
    );
    assert.equal(card.attachments[0].content.actions[0].url, m.link);
    assert.deepEqual(webhookPayload("google-chat", m), { text: "webshop: failed at checks (frontend)\nhttps://ci.example.com/run/43\n\nlint failed" });
    assert.throws(() => webhookPayload("discord", m), /format: "discord" is not a webhook format; valid formats: slack, teams, google-chat/);
  });

  test("a passed run (notifications on: always) says passed, not a failing stage", async () => {
    received.length = 0;
    answer = (_q, res) => res.end("ok");
    await new Notify().webhook(
      secret(`${base}/hooks/${TOKEN}`),
      "webshop",
      "",
      "",
      "checks: 8 checks passed",
      "https://ci.example.com/run/44",
      "0123456789abcdef0123456789abcdef01234567",
      "main",
      "google-chat",
      true,
    );
    assert.deepEqual(JSON.parse(received[0].body), { text: "webshop: passed on main @ 0123456789ab\nhttps://ci.example.com/run/44\n\nchecks: 8 checks passed" });
  });

  test("a 500 answer is an error with the status and body, never the URL's token, even when the body echoes it", async () => {
    answer = (req, res) => {
      res.statusCode = 500;
      res.end(`internal error for ${req.url}`);
    };
    const err = await postWebhook(`${base}/hooks/${TOKEN}`, { text: "x" }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(err);
    assert.match(err.message, /^webhook at 127\.0\.0\.1:\d+: 500 Internal Server Error: internal error for \*\*\*$/);
    assert.doesNotMatch(err.message, new RegExp(TOKEN));
  });

  test("a receiver that never answers: a timeout error; a URL that is not one: refused without showing it", async () => {
    answer = () => undefined;
    await assert.rejects(postWebhook(`${base}/hooks/${TOKEN}`, { text: "x" }, { timeoutMs: 300 }), (e: Error) => /no answer within 300 ms/.test(e.message) && !e.message.includes(TOKEN));
    await assert.rejects(postWebhook(`hooks.example.com/${TOKEN}`, {}), (e: Error) => /not an http\(s\) URL \(value not shown/.test(e.message) && !e.message.includes(TOKEN));
  });
});
