/**
 * An application repository for harness runs: a copy of the bundled example whose pipeline.yaml
 * names the harness's registry and a real bare GitOps repository, with the GitOps repository's
 * environment folders seeded as a team would have them.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { after, before } from "node:test";
import { join } from "node:path";
import { bareRemote, tempDir } from "../gitops/git/git-fixture.js";
import { smartHttp } from "../gitops/git/smart-http.js";
import { ROOT } from "../tiers/modules.js";
import { MemoryRegistry } from "./registry.js";

/** The copy and its GitOps remote. */
export interface HarnessApp {
  /** The application repository's root (the context directory `defaultPath: "/"` loads). */
  root: string;
  /** The bare GitOps repository (a real git remote on this machine). */
  gitops: string;
  /** Its URL over smart HTTP (tokens are sent only to http(s) remotes), which pipeline.yaml names. */
  url: string;
  /** The URL → folder map the harness's git reads use. */
  remotes: Record<string, string>;
  close(): Promise<void>;
}

/** The GitOps repository's files before the first release. */
export const GITOPS_SEED: Record<string, string> = {
  "environments/dev/kustomization.yaml": "resources:\n  - ../../base\nimages: []\n",
  "environments/staging/kustomization.yaml": "resources:\n  - ../../base\nimages: []\n",
  "environments/prod/compose.yaml": "services: {}\n",
};

/** Copy examples/webshop, point its registry and GitOps repository at the harness's, and seed the GitOps repository. */
export async function harnessApp(registry: string, gitopsFiles: Record<string, string> = GITOPS_SEED): Promise<HarnessApp> {
  const dir = tempDir("harness-app");
  const root = join(dir, "app");
  cpSync(join(ROOT, "examples/webshop"), root, { recursive: true, filter: (src) => !/\/(node_modules|dist|test-results|playwright-report)(\/|$)/.test(src) });
  const remote = bareRemote(dir, gitopsFiles);
  const server = await smartHttp(dir, undefined);
  const url = `${server.url}/remote.git`;
  const config = readFileSync(join(root, "pipeline.yaml"), "utf8")
    .replace(/address: registry\.example\.com\/acme\/webshop/, `address: ${registry}/acme/webshop`)
    .replace(/repository: https:\/\/github\.com\/acme\/webshop-gitops\.git/, `repository: ${url}`);
  writeFileSync(join(root, "pipeline.yaml"), config);
  return { root, gitops: remote.path, url, remotes: { [url]: remote.path }, close: () => server.close() };
}

/**
 * For a describe block: one registry started before its tests, and the apps they make with
 * `app(…)` closed after them, with the registry.
 */
export function harnessSuite(): { registry: MemoryRegistry; app: (gitopsFiles?: Record<string, string>) => Promise<HarnessApp> } {
  const registry = new MemoryRegistry();
  const apps: HarnessApp[] = [];
  before(() => registry.start());
  after(async () => {
    for (const a of apps) await a.close();
    await registry.stop();
  });
  const app = async (gitopsFiles?: Record<string, string>) => {
    const a = await harnessApp(registry.address, gitopsFiles);
    apps.push(a);
    return a;
  };
  return { registry, app };
}
