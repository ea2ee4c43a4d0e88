// The gates module's vulnerabilities function with --vex, through the engine model (test/harness): the folder as the CLI and the root module pass it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Harness } from "../harness/harness.js";
import { mintId } from "../recorder/ids.js";
import { ROOT } from "../tiers/modules.js";
import { DIGEST_BACKEND, imageRef, trivyEdited } from "./fixtures.js";
import { vexText } from "./vex-fixtures.js";

/** A Directory's ID holding these files. */
const folder = (files: Record<string, string>): string =>
  mintId([{ field: "directory", args: {} }, ...Object.entries(files).map(([path, contents]) => ({ field: "withNewFile", args: { path, contents } }))]);

const report = trivyEdited("alpine-39", (r) => (r.Metadata.RepoDigests = [`registry.example.com/acme/webshop/backend@${DIGEST_BACKEND}`]));
const args = (vex?: Record<string, string>) => ({
  images: [`backend=${imageRef("backend", DIGEST_BACKEND)}`],
  reports: folder({ "backend.json": report }),
  today: "2026-06-01",
  ...(vex ? { vex: folder(vex) } : {}),
});

describe("gates vulnerabilities --vex", () => {
  it("reads <component>/<name>.json and waives by a not_affected statement for the digest; without it the same call blocks", async () => {
    const h = new Harness({ root: ROOT });
    assert.equal(await h.call("gates", {}, "vulnerabilities", args(), "passed"), false);
    assert.equal(await h.call("gates", {}, "vulnerabilities", args({ "backend/musl.json": vexText("backend-not-affected.openvex.json") }), "passed"), true);
    const summary = await h.call("gates", {}, "vulnerabilities", args({ "backend/musl.json": vexText("backend-not-affected.openvex.json") }), "summary");
    assert.equal(summary, "1 image, no unwaived CRITICAL findings (2 waived, 2 by VEX)");
  });

  it("errors the call for a document outside a component folder or a malformed one, naming it", async () => {
    const h = new Harness({ root: ROOT });
    await assert.rejects(
      h.call("gates", {}, "vulnerabilities", args({ "backend.json": vexText("backend-not-affected.openvex.json") }), "passed"),
      /vex: "backend\.json" is not where the gate reads VEX: one folder per component holding one OpenVEX document per file: <component>\/<name>\.json/,
    );
    await assert.rejects(
      h.call("gates", {}, "vulnerabilities", args({ "backend/bad.json": '{"@context": "https://openvex.dev/ns/v0.2.0"}' }), "passed"),
      /vex backend\/bad\.json \(attached to backend\): not a valid OpenVEX v0\.2\.0 document \(5 problems\):\n {2}@id: is required/,
    );
  });
});
