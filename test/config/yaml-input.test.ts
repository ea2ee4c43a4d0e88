// pipeline.yaml's bytes and YAML that would crash or hang the loader (issue 16, "Config loading"):
// each refused with `path: message`, never a stack trace or a hang.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { HEAD, API, problemsOf, timed } from "./refusals.js";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { ConfigError } from "../../.dagger/src/config/problems.js";
import { ROOT } from "../tiers/modules.js";

describe("YAML that would crash or hang the loader", () => {
  it("refuses an alias bomb (billion laughs) quickly, saying what is wrong", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const l of "bcdefghij")
      levels.push(
        `${l}: &${l} [${Array(9)
          .fill(`*${levels.length === 1 ? "a" : String.fromCharCode(l.charCodeAt(0) - 1)}`)
          .join(", ")}]`,
      );
    let problems: string[] = [];
    assert.ok(timed(() => (problems = problemsOf(`${levels.join("\n")}\n`))) < 1000);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^\(document\): YAML: aliases expand to more than \d+ nodes/);
  });

  it("refuses circular aliases and aliases without an anchor at their position", () => {
    assert.deepEqual(problemsOf("a: &a\n  b: *a\n"), ["(document): YAML: alias *a stands inside the node anchored &a, a circle no configuration value can hold"]);
    assert.deepEqual(problemsOf("&x [*x]\n"), ["(document): YAML: alias *x stands inside the node anchored &x, a circle no configuration value can hold"]);
    assert.deepEqual(problemsOf("name: *nothing\n"), ["(document): YAML: alias *nothing names no anchor before it; define &nothing first"]);
  });

  it("still reads ordinary anchors and aliases", () => {
    const config = parseConfig(
      `${HEAD}components:\n  api: &app { kind: backend, toolchain: node, path: api }\n  web: { kind: frontend, toolchain: node, path: web, env: { A: "{api.url}" } }\nignore: &ig ["docs/**"]\n`,
    );
    assert.equal(config.components.api.path, "api");
    assert.deepEqual(config.ignore, ["docs/**"]);
  });

  it("refuses keys that are lists or mappings, unknown tags and nesting too deep to read", () => {
    assert.deepEqual(problemsOf("? [a, b]\n: 1\n"), ["(document): YAML: a key is a list, a mapping or an alias; keys of pipeline.yaml are plain names"]);
    assert.deepEqual(problemsOf("name: !shout shop\n"), ["(document): YAML: Unresolved tag: !shout"]);
    const deep = problemsOf(`name: ${"[".repeat(5000)}${"]".repeat(5000)}\n`);
    assert.equal(deep.length, 1);
    assert.match(deep[0], /^\(document\): YAML: nested too deeply to read/);
  });

  it("refuses a file over the size limit before parsing it", () => {
    assert.match(problemsOf(`# ${"x".repeat(200_000)}\n`)[0], /^\(document\): is 200003 bytes; a pipeline\.yaml is at most 131072 bytes/);
  });
});

describe("bytes that are not UTF-8", () => {
  it("are refused naming the byte offset and its line, not replaced silently", () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("name: shop\nregistry: caf"), 0xe9, ...new TextEncoder().encode("\n")]);
    try {
      parseConfig(bytes, "app/pipeline.yaml");
      assert.fail("accepted");
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(
        e.message,
        "app/pipeline.yaml: 1 problem\n  app/pipeline.yaml:2:14 (document): is not valid UTF-8: byte 0xe9 at byte offset 24 begins a sequence that is no UTF-8 character; save the file as UTF-8 (without the bytes of another encoding)",
      );
    }
  });

  it("overlong forms, surrogates and truncated sequences are refused too; real UTF-8 and a BOM are read", () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
    ]) {
      const input = new Uint8Array([...new TextEncoder().encode("name: x"), ...bad, 0x0a]);
      assert.match(problemsOf(input)[0], /is not valid UTF-8: byte 0x[0-9a-f]{2} at byte offset 7 /, bad.join(","));
    }
    const good = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(`${HEAD}${API}features: { greet: { description: "grüße 日本 ✓ 🚀" } }\n`)]);
    assert.equal(parseConfig(good).features.greet.description, "grüße 日本 ✓ 🚀");
  });

  it("text the engine already decoded (File.contents() replaces bad bytes with U+FFFD) is refused at the character", () => {
    assert.deepEqual(problemsOf("name: caf\uFFFD\n"), [
      "(document): holds U+FFFD (the replacement character) at character 9: the file was not valid UTF-8 when it was read; save the file as UTF-8 (without the bytes of another encoding)",
    ]);
  });
});

describe("the example still loads", () => {
  it("examples/webshop/pipeline.yaml as bytes", () => {
    assert.deepEqual(Object.keys(parseConfig(readFileSync(join(ROOT, "examples/webshop/pipeline.yaml"))).components), ["db", "backend", "frontend"]);
  });
});
