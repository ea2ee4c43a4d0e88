// The registry client trusts the CAs the engine installs in the module's container (issue 14, item 14).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { describeFailure } from "../../.dagger/src/registry/errors.js";
import { type CaStore, trustSystemCertificates } from "../../.dagger/src/registry/trust.js";
import { registryClient } from "../../.dagger/src/stages/publish.js";

/** A CA store like Node 24's node:tls, with a system store holding the engine's custom CA. */
function store(system: string[]) {
  let defaults = ["BUNDLED-1", "BUNDLED-2"];
  const sets: string[][] = [];
  const s: CaStore = {
    getCACertificates: (type) => (type === "system" ? system : defaults),
    setDefaultCACertificates: (certs) => {
      sets.push(certs);
      defaults = certs;
    },
  };
  return { s, sets, defaults: () => defaults };
}

describe("trustSystemCertificates", () => {
  it("adds the system store (where the engine put its custom CA) to Node's default trust, once", () => {
    const { s, sets, defaults } = store(["BUNDLED-1", "ENGINE-CUSTOM-CA"]);
    assert.equal(trustSystemCertificates(s), true);
    assert.deepEqual(defaults(), ["BUNDLED-1", "BUNDLED-2", "ENGINE-CUSTOM-CA"]);
    assert.equal(trustSystemCertificates(s), true);
    assert.equal(sets.length, 1, "set once per process");
  });
  it("a Node without the API (before 24.5) keeps its bundled CAs and says so", () => {
    assert.equal(trustSystemCertificates({}), false);
    assert.equal(trustSystemCertificates({ getCACertificates: () => [] }), false);
  });
});

describe("the registry's transport settings from pipeline.yaml", () => {
  const config = (extra: string) => parseConfig(`name: x\ncomponents: { a: { kind: backend, toolchain: node, path: a } }\nregistry: { address: registry.corp.example/x${extra} }\n`);
  it("registry.plainHttp: true talks http to a non-loopback registry; the default is https", async () => {
    const seen: string[] = [];
    const fetch = (async (url: string | URL | Request) => {
      seen.push(String(url));
      return new Response(null, { status: 404 });
    }) as typeof globalThis.fetch;
    await (await registryClient(config(", plainHttp: true"), undefined, fetch)).manifest("registry.corp.example/x/a:t");
    await (await registryClient(config(""), undefined, fetch)).manifest("registry.corp.example/x/a:t");
    assert.deepEqual(seen, ["http://registry.corp.example/v2/x/a/manifests/t", "https://registry.corp.example/v2/x/a/manifests/t"]);
  });
  it("registry.plainHttp must be a boolean", () => {
    assert.throws(() => config(', plainHttp: "yes"'), /registry\.plainHttp/);
  });
});

describe("describeFailure: what to do about TLS", () => {
  const failure = (code: string) => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(`boom ${code}`), { code }) });
  it("an untrusted certificate points at the engine's custom CA", () => {
    assert.match(describeFailure(failure("SELF_SIGNED_CERT_IN_CHAIN")), /fetch failed: boom SELF_SIGNED_CERT_IN_CHAIN; the registry's certificate is not trusted: give the engine its CA/);
  });
  it("TLS spoken to a plain-HTTP registry points at registry.plainHttp", () => {
    assert.match(describeFailure(failure("ERR_SSL_WRONG_VERSION_NUMBER")), /set registry\.plainHttp: true in pipeline\.yaml/);
  });
  it("other failures get no hint", () => {
    assert.equal(describeFailure(failure("ECONNREFUSED")), "fetch failed: boom ECONNREFUSED");
  });
});
