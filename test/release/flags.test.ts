// Feature flags per environment, written into the environment in its own format.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { flagsEnvFile, flagsManifest, flagsOf, withFlagsResource, withHelmFlags } from "../../.dagger/src/release/flags.js";

const config = parseConfig(`name: shop
components: { api: { kind: backend, toolchain: node, path: api } }
registry: { address: registry.local/shop }
gitops: { repository: "file:///srv/gitops.git" }
features:
  newCheckout: { description: "one-page checkout" }
  search: { default: true }
environments:
  dev: { on: push, path: d, format: kustomize, flags: { newCheckout: true } }
  prod: { on: manual, path: p, format: helm }
`);

describe("feature flags", () => {
  it("an environment's own values over the declared defaults: unfinished features stay off in prod", () => {
    assert.deepEqual(flagsOf(config, "dev"), { newCheckout: true, search: true });
    assert.deepEqual(flagsOf(config, "prod"), { newCheckout: false, search: true });
  });

  it("as a ConfigMap, an env file and Helm values", () => {
    assert.deepEqual(parse(flagsManifest("shop", "prod", flagsOf(config, "prod"))), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "shop-feature-flags" },
      data: { newCheckout: "false", search: "true" },
    });
    assert.equal(
      flagsEnvFile("prod", { newCheckout: false, "search.v2": true }),
      "# Feature flags of prod, written by promotion from pipeline.yaml.\nFEATURE_NEWCHECKOUT=false\nFEATURE_SEARCH_V2=true\n",
    );
    const values = "# chart values\nreplicaCount: 2 # two\nfeatureFlags:\n  newCheckout: true\n";
    assert.equal(withHelmFlags(values, "values.yaml", { newCheckout: false, search: true }), "# chart values\nreplicaCount: 2 # two\nfeatureFlags:\n  newCheckout: false\n  search: true\n");
  });

  it("the kustomization lists the flags manifest once, other lines kept", () => {
    const k = "# overlay\nresources:\n  - ../base # shared\nimages: []\n";
    const once = withFlagsResource(k, "kustomization.yaml");
    assert.equal(once, "# overlay\nresources:\n  - ../base # shared\n  - feature-flags.yaml\nimages: []\n");
    assert.equal(withFlagsResource(once, "kustomization.yaml"), once);
    assert.match(withFlagsResource("images: []\n", "k"), /resources:\n {2}- feature-flags.yaml/);
    assert.throws(() => withFlagsResource("resources: base\n", "envs/dev/kustomization.yaml"), /envs\/dev\/kustomization\.yaml: resources must be a list/);
  });
});
