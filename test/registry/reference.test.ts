import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InputError } from "../../.dagger/src/errors.js";
import { formatReference, isLoopback, parseReference, validateRegistry, validateTag } from "../../.dagger/src/registry/reference.js";

const SHA = "3f2c9a1e5b7d4c6f8a0b2d4e6f8091a3b5c7d9e1";
const DIGEST = `sha256:${"b4".repeat(32)}`;

describe("image references", () => {
  const good: [string, object][] = [
    [`registry.example.com/acme/webshop/backend:${SHA}`, { registry: "registry.example.com", repository: "acme/webshop/backend", tag: SHA }],
    ["127.0.0.1:5000/shop/backend", { registry: "127.0.0.1:5000", repository: "shop/backend" }],
    [`127.0.0.1:5000/shop/backend@${DIGEST}`, { registry: "127.0.0.1:5000", repository: "shop/backend", digest: DIGEST }],
    [`nexus.example:8443/docker-group/library/node:22-slim@${DIGEST}`, { registry: "nexus.example:8443", repository: "docker-group/library/node", tag: "22-slim", digest: DIGEST }],
    ["localhost/a:v1.2.3", { registry: "localhost", repository: "a", tag: "v1.2.3" }],
    ["[::1]:5000/x/y:in-abc", { registry: "[::1]:5000", repository: "x/y", tag: "in-abc" }],
    ["ghcr.io/acme/web_shop__x.y-z---w:T_1", { registry: "ghcr.io", repository: "acme/web_shop__x.y-z---w", tag: "T_1" }],
    ["Registry.Example.COM/acme/app:x", { registry: "Registry.Example.COM", repository: "acme/app", tag: "x" }],
  ];
  for (const [input, expected] of good) {
    it(`parses ${input} and formats it back unchanged`, () => {
      assert.deepEqual(parseReference(input), expected);
      assert.equal(formatReference(parseReference(input)), input);
    });
  }

  const bad: [string, string][] = [
    ["", 'image reference "": is empty; expected host[:port]/path[:tag][@sha256:digest], e.g. registry.example.com/acme/webshop/backend:<git sha>'],
    [
      "acme/backend:1.0",
      'image reference "acme/backend:1.0": "acme" is not a registry host; write the registry address first, e.g. registry.example.com/acme/backend:1.0 (Docker Hub shorthand is not supported)',
    ],
    ["node", 'image reference "node": "node" is not a registry host; write the registry address first, e.g. registry.example.com/node (Docker Hub shorthand is not supported)'],
    [
      "registry.example.com",
      'image reference "registry.example.com": names no repository path after the registry "registry.example.com"; expected host[:port]/path[:tag][@sha256:digest], e.g. registry.example.com/acme/webshop/backend:<git sha>',
    ],
    [
      "registry.example.com/acme/app:latest",
      'image reference "registry.example.com/acme/app:latest": tag "latest" is not used: images are addressed by git SHA and digest (…:<40-hex git sha> or …@sha256:<digest>)',
    ],
    [
      "registry.example.com/Acme/app:x",
      'image reference "registry.example.com/Acme/app:x": repository path "Acme/app" is invalid at "Acme"; path components are lowercase letters and digits separated by ".", "_", "__" or "-", e.g. acme/webshop/backend',
    ],
    [
      "registry.example.com/acme//app",
      'image reference "registry.example.com/acme//app": repository path "acme//app" is invalid at ""; path components are lowercase letters and digits separated by ".", "_", "__" or "-", e.g. acme/webshop/backend',
    ],
    [
      "registry.example.com/acme/app:-x",
      'image reference "registry.example.com/acme/app:-x": tag "-x" is invalid; a tag is 1-128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"',
    ],
    [
      `registry.example.com/acme/app:${"x".repeat(129)}`,
      `image reference "registry.example.com/acme/app:${"x".repeat(129)}": tag "${"x".repeat(129)}" is invalid; a tag is 1-128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"`,
    ],
    ["registry.example.com/acme/app@sha256:abc", 'image reference "registry.example.com/acme/app@sha256:abc": digest "sha256:abc" is invalid; expected sha256: followed by 64 lowercase hex digits'],
    [
      `registry.example.com/acme/app@sha512:${"a".repeat(128)}`,
      `image reference "registry.example.com/acme/app@sha512:${"a".repeat(128)}": digest "sha512:${"a".repeat(128)}" is invalid; expected sha256: followed by 64 lowercase hex digits`,
    ],
    ["registry.example.com:99999/acme/app", 'image reference "registry.example.com:99999/acme/app": port "99999" is invalid; expected 1-65535'],
    [
      "bad_host.example.com/acme/app",
      'image reference "bad_host.example.com/acme/app": registry host "bad_host.example.com" is invalid; expected a DNS name or an IP address with an optional :port, e.g. registry.example.com:5000',
    ],
    ["https://registry.example.com/acme/app", 'image reference "https://registry.example.com/acme/app": starts with "https://"; a reference has no scheme, e.g. registry.example.com/acme/app'],
    [
      "127.0.0.1:5000",
      'image reference "127.0.0.1:5000": names no repository path after the registry "127.0.0.1:5000"; expected host[:port]/path[:tag][@sha256:digest], e.g. registry.example.com/acme/webshop/backend:<git sha>',
    ],
    [
      "registry.example.com/acme/app :x",
      'image reference "registry.example.com/acme/app :x": contains white space; expected host[:port]/path[:tag][@sha256:digest], e.g. registry.example.com/acme/webshop/backend:<git sha>',
    ],
    [`r.example/${"a".repeat(250)}`, `image reference "r.example/${"a".repeat(250)}": registry and path are 260 characters; at most 255`],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input)}`, () => {
      assert.throws(
        () => parseReference(input),
        (e: unknown) => e instanceof InputError && e.message === message && e.exitCode === 2,
      );
    });
  }

  it("validates tags we are about to set, latest included", () => {
    assert.equal(validateTag(SHA), SHA);
    assert.throws(() => validateTag("latest"), { message: 'tag "latest" is not used: images are addressed by git SHA and digest (…:<40-hex git sha> or …@sha256:<digest>)' });
    assert.throws(() => validateTag(""), { message: 'tag "" is invalid; a tag is 1-128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"' });
  });

  it("knows the loopback registries (plain http by default) from the rest", () => {
    for (const r of ["127.0.0.1:5000", "127.1.2.3", "localhost", "localhost:5000", "[::1]", "[::1]:5000"]) assert.equal(isLoopback(r), true, r);
    for (const r of ["registry.example.com", "10.0.0.1:5000", "localhost.example.com", "[::2]:5000", "127.0.0.1.example.com"]) assert.equal(isLoopback(r), false, r);
  });

  it("validates the registry address a client is made for", () => {
    for (const r of ["registry.example.com", "127.0.0.1:5000", "localhost", "[::1]:5000", "nexus.example:8443"]) assert.equal(validateRegistry(r), r);
    for (const r of ["registry", "https://registry.example.com", "registry.example.com/acme", "registry.example.com:0", ""])
      assert.throws(() => validateRegistry(r), { message: `registry address "${r}": expected host[:port] with a dot or a port in it (or localhost), e.g. registry.example.com or 127.0.0.1:5000` });
  });
});
