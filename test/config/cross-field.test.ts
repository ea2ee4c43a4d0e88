// pipeline.yaml settings that load but could never work, and circles among its references (issue 16,
// "Config loading"): each refused at load time, naming the field, the value and what is valid.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HEAD, API, problemsOf, timed } from "./refusals.js";
import { parseConfig } from "../../.dagger/src/config/load.js";
import type { Problem } from "../../.dagger/src/config/problems.js";
import { referenceProblems } from "../../.dagger/src/config/references.js";

const GITOPS = 'gitops: { repository: "file:///srv/gitops.git" }\n';

describe("circles and chains", () => {
  const chain = (n: number, on = "manual") =>
    `${HEAD}${API}${GITOPS}environments:\n${Array.from({ length: n }, (_, i) => `  e${i}: { on: ${on}, path: p${i}, format: helm${i ? `, after: e${i - 1}` : ""} }`).join("\n")}\n`;

  it("a long after: chain loads without overflowing the stack", () => {
    assert.equal(parseConfig(chain(1000)).environments.e999.after, "e998");
  });

  it("the cross-field checks are linear: 20000 environments in a chain, and closed into a circle, in seconds (quadratic would take minutes)", () => {
    const environments = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`e${i}`, { on: "manual", path: `p${i}`, format: "helm", ...(i ? { after: `e${i - 1}` } : {}) }]));
    const doc = { name: "shop", components: { api: { kind: "backend", toolchain: "node", path: "api" } }, gitops: { repository: "file:///g.git" }, environments };
    assert.ok(timed(() => assert.deepEqual(referenceProblems(doc), [])) < 3000);
    environments.e0 = { ...environments.e0, after: "e19999" };
    let problems: Problem[] = [];
    assert.ok(timed(() => (problems = referenceProblems(doc))) < 3000);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /^environments follow each other in a circle: e0 -> e19999 -> e19998 -> .* -> e1 -> e0$/);
  });

  it("an after: circle is refused wherever it starts, naming it", () => {
    const text = `${HEAD}${API}${GITOPS}environments:
  dev: { on: push, path: d, format: helm }
  qa: { on: manual, after: dev, path: q, format: helm }
  staging: { on: manual, after: prod, path: s, format: helm }
  prod: { on: manual, after: staging, path: p, format: helm }
`;
    assert.deepEqual(problemsOf(text), ["environments.staging.after: environments follow each other in a circle: staging -> prod -> staging"]);
  });

  it("40 components each needing three others: checked in well under a second, circle or not", () => {
    const components = (closing: boolean) =>
      Array.from({ length: 40 }, (_, i) => {
        const others = [i + 1, i + 2, i + 3].filter((j) => j < 40);
        if (closing && i === 39) others.push(0);
        const env = others.map((j) => `C${j}: "{c${j}.url}"`).join(", ");
        const requires = others.map((j) => `c${j}: ">=1.0.0"`).join(", ");
        return `  c${i}: { kind: backend, toolchain: node, path: c${i}, env: { ${env} }, requires: { ${requires} } }`;
      }).join("\n");
    const text = (closing: boolean) => `${HEAD}components:\n${components(closing)}\n`;
    assert.ok(timed(() => parseConfig(text(false))) < 1000);
    let problems: string[] = [];
    assert.ok(timed(() => (problems = problemsOf(text(true)))) < 1000);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^components\.c0\.env: components refer to each other in a circle, so none could start first: c0 -> c1 -> .* -> c39 -> c0/);
  });

  it("a circle through requires is refused at load time (the E2E topology would fail after the build)", () => {
    const text = `${HEAD}components:
  api: { kind: backend, toolchain: node, path: api, requires: { web: ">=1.0.0" } }
  web: { kind: frontend, toolchain: node, path: web, env: { API: "{api.url}" } }
`;
    assert.deepEqual(problemsOf(text), [
      "components.api.requires.web: components refer to each other in a circle, so none could start first: api -> web -> api (a component starts after the components it requires and those its env refers to)",
    ]);
  });
});

describe("settings that load but could never work", () => {
  const envs = (body: string) => `${HEAD}${API}${GITOPS}environments:\n${body}`;

  it("an environment promoted on push cannot follow one promoted manually or by tag", () => {
    const problems = problemsOf(envs("  qa: { on: manual, path: q, format: helm }\n  dev: { on: push, after: qa, path: d, format: helm }\n"));
    assert.deepEqual(problems, [
      'environments.dev.after: dev is promoted on push, but qa (which it follows) is promoted on manual: a release is pushed before it can reach qa, so dev would never be promoted automatically; follow an environment promoted on push, or promote dev on manual too (got "qa")',
    ]);
    assert.match(
      problemsOf(envs("  rc: { on: tag, path: r, format: helm }\n  dev: { on: push, after: rc, path: d, format: helm }\n"))[0],
      /^environments\.dev\.after: dev is promoted on push, but rc/,
    );
    // The other way round is the usual chain.
    assert.equal(parseConfig(envs("  dev: { on: push, path: d, format: helm }\n  prod: { on: manual, after: dev, path: p, format: helm }\n")).environments.prod.after, "dev");
  });

  it("two environments cannot share a GitOps folder, however its path is written", () => {
    for (const [a, b] of [
      ["envs/dev", "envs/dev/"],
      ["./envs/dev", "envs//dev"],
      ["envs/./dev", "envs/dev"],
    ])
      assert.deepEqual(problemsOf(envs(`  dev: { on: push, path: "${a}", format: helm }\n  qa: { on: manual, path: "${b}", format: helm }\n`)), [
        `environments.qa.path: is also the folder of environment dev (as envs/dev); each environment needs its own folder (its state and deployment files live there) (got "${b}")`,
      ]);
    assert.match(problemsOf(envs('  dev: { on: push, path: "previews/dev", format: helm }\n'))[0], /^environments\.dev\.path: is inside previews\.path \(previews\)/);
  });

  it("empty names and ranges are refused", () => {
    const text = `${HEAD}components:\n  db: { kind: database, toolchain: flyway, path: db }\n  api: { kind: backend, toolchain: node, path: api, requires: { db: "" } }\n`;
    assert.deepEqual(problemsOf(text), [`components.api.requires.db: is empty: give a semver range such as >=1.4.0 or ^2.1.0 ('*' for any version) (got "")`]);
    assert.match(problemsOf(`${HEAD}${API}`.replace("registry.local/shop }", 'registry.local/shop, username: "" }'))[0], /^registry\.username: is empty/);
    assert.match(problemsOf(`${HEAD}${API}components2: 1\n`.replace("name: shop", 'name: ""'))[0], /^name: must be lowercase letters/);
  });

  it("e2e.target must name a component that serves a page, found when the config loads", () => {
    const text = (target: string) => `${HEAD}components:\n  db: { kind: database, toolchain: flyway, path: db }\n  api: { kind: backend, toolchain: node, path: api }\ne2e: { path: e2e${target} }\n`;
    assert.deepEqual(problemsOf(text(", target: web")), ['e2e.target: names no component; components that serve a page: api (got "web")']);
    assert.deepEqual(problemsOf(text(", target: db")), ['e2e.target: names the database component db, which serves no page to open; components that serve a page: api (got "db")']);
    assert.deepEqual(problemsOf(text("")), ["e2e.target: is required when no component is kind: frontend (the tests need a page to open); components that serve a page: api"]);
    assert.equal(parseConfig(text(", target: api")).e2e?.target, "api");
  });

  it("gitops.repository must be a git URL, and says which forms are", () => {
    const text = (url: string) => `${HEAD}${API}gitops: { repository: "${url}" }\n`;
    assert.deepEqual(problemsOf(text("not a url")), [
      'gitops.repository: must be a git URL: https://host/owner/repo.git, ssh://git@host/owner/repo.git, git@host:owner/repo.git or file:///path/to/repo.git (got "not a url")',
    ]);
    for (const bad of ["/srv/gitops.git", "github.com/acme/gitops", "https://", "ftp://host/repo.git", "git://host/repo.git"]) assert.equal(problemsOf(text(bad)).length, 1, bad);
    for (const good of [
      "https://github.com/acme/gitops.git",
      "http://127.0.0.1:3000/acme/gitops.git",
      "ssh://git@host:2222/acme/gitops.git",
      "git@github.com:acme/gitops.git",
      "file:///srv/gitops.git",
    ])
      assert.equal(parseConfig(text(good)).gitops?.repository, good);
  });

  it("branch names git would refuse are refused (branches.main, gitops.branch)", () => {
    const text = (main: string) => `${HEAD}${API}branches: { main: ${JSON.stringify(main)} }\n`;
    assert.deepEqual(problemsOf(text("main branch")), [
      'branches.main: is not a branch name git allows: it holds a space; a branch name has no spaces, control characters, "..", "@{" or any of ~ ^ : ? * [ \\, does not start with "-" or end with "/" or ".", and no part of it starts with "." or ends in ".lock" (e.g. main, release/2.x) (got "main branch")',
    ]);
    for (const bad of ["", "a..b", "-main", "main.lock", "main/", "a//b", ".hidden", "a:b", "a~1", "a^", "a?", "a*", "a[", "a\\b", "a\nb", "a\u001b[31m", "@", "x@{1}", "main."])
      assert.match(problemsOf(text(bad))[0], /^branches\.main: is not a branch name git allows: it /, JSON.stringify(bad));
    assert.match(problemsOf(`${HEAD}${API}gitops: { repository: "file:///g.git", branch: "a b" }\n`)[0], /^gitops\.branch: is not a branch name git allows: it holds a space/);
    for (const good of ["main", "release/2.x", "feature/ünïcode", "v1.0", "a@b"]) assert.equal(parseConfig(text(good)).branches.main, good);
  });
});
