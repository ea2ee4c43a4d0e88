/**
 * Rules that span several keys of pipeline.yaml (a requirement names a component, an environment
 * follows another, a pull request needs a provider). They run on the raw document so that they
 * still report when an unrelated key is invalid: a user fixing ten mistakes wants all ten at once.
 */
import { attributesOf, parseTemplate, referencesOf, TemplateError } from "../topology/template.js";
import { findCycle } from "./cycles.js";
import type { Problem } from "./problems.js";
import { holdsCredentials, maskCredentials } from "../vendor/credentials.js";
import { strategyProblems } from "./strategy-references.js";

type Raw = Record<string, unknown>;

const isMap = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const entries = (v: unknown): [string, Raw][] => (isMap(v) ? Object.entries(v).filter((e): e is [string, Raw] => isMap(e[1])) : []);

/** A folder as git sees it: no "./" parts, no doubled or trailing "/" ("." for the root). */
const normalFolder = (path: string) =>
  path
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/") || ".";

/** Every cross-reference problem of a raw (parsed but unvalidated) pipeline.yaml. */
export function referenceProblems(doc: unknown): Problem[] {
  if (!isMap(doc)) return [];
  return [...componentProblems(doc), ...envProblems(doc), ...environmentProblems(doc), ...aspireProblems(doc), ...e2eProblems(doc), ...credentialProblems(doc), ...strategyProblems(doc)];
}

/**
 * The component the E2E tests open in the browser: found when the config loads, not after the
 * images are built. A database serves no page, and without a target the frontend is the default.
 */
function e2eProblems(doc: Raw): Problem[] {
  if (!isMap(doc.e2e)) return [];
  const components = entries(doc.components);
  const target = doc.e2e.target;
  const servers = components.filter(([, c]) => c.kind !== "database").map(([n]) => n);
  const valid = servers.length > 0 ? `components that serve a page: ${servers.join(", ")}` : "no component serves a page: add a frontend, backend or service component";
  if (target === undefined) {
    if (components.some(([, c]) => c.kind === "frontend") || components.length === 0) return [];
    return [{ path: "e2e.target", message: `is required when no component is kind: frontend (the tests need a page to open); ${valid}` }];
  }
  if (typeof target !== "string") return [];
  const component = components.find(([n]) => n === target)?.[1];
  if (component === undefined) return [{ path: "e2e.target", message: `names no component; ${valid}`, value: target }];
  if (component.kind === "database") return [{ path: "e2e.target", message: `names the database component ${target}, which serves no page to open; ${valid}`, value: target }];
  return [];
}

/**
 * pipeline.yaml is committed, and its mirror URLs become build arguments (image history), its API
 * bases go into host clients' messages: a URL with user:password@, a token as its user or a token
 * parameter would put a credential into git, images and logs. Refused with the value masked; the
 * token comes as a secret argument instead.
 */
function credentialProblems(doc: Raw): Problem[] {
  const at = (v: unknown, ...keys: string[]) => keys.reduce<unknown>((o, k) => (isMap(o) ? o[k] : undefined), v);
  const mirror = isMap(doc.mirror) ? doc.mirror : {};
  const urls: [string, unknown][] = [
    ...["npm", "nuget", "maven", "apt"].map((k): [string, unknown] => [`mirror.${k}`, mirror[k]]),
    ...Object.entries(isMap(mirror.npmScopes) ? mirror.npmScopes : {}).map(([scope, u]): [string, unknown] => [`mirror.npmScopes.${scope}`, u]),
    ["gitops.repository", at(doc, "gitops", "repository")],
    ["releases.repository", at(doc, "releases", "repository")],
    ["releases.apiUrl", at(doc, "releases", "apiUrl")],
    ["signing.rekorUrl", at(doc, "signing", "rekorUrl")],
    ["signing.fulcioUrl", at(doc, "signing", "fulcioUrl")],
    ["signing.keyless.issuer", at(doc, "signing", "keyless", "issuer")],
  ];
  const hints: Record<string, string> = {
    "gitops.repository": "--gitops-token=env://GITOPS_TOKEN",
    "releases.repository": "--release-token=env://RELEASE_TOKEN",
    "releases.apiUrl": "--release-token=env://RELEASE_TOKEN",
  };
  const hint = (path: string) =>
    path.startsWith("mirror.") ? "--mirror-token=env://NEXUS_TOKEN (and --mirror-username)" : (hints[path] ?? "a Dagger secret argument (or drop it: this URL needs none)");
  return urls.flatMap(([path, u]) => {
    if (typeof u !== "string" || !holdsCredentials(u)) return [];
    return [
      {
        path,
        message: `must not carry credentials (user:password@, a token as the user, or a token parameter): pipeline.yaml is committed; pass the token as ${hint(path)}`,
        value: maskCredentials(u),
      },
    ];
  });
}

/** aspire.resources maps components, and Aspire runs the e2e tests: it needs an e2e section. */
function aspireProblems(doc: Raw): Problem[] {
  if (!isMap(doc.aspire)) return [];
  const names = entries(doc.components).map(([n]) => n);
  const problems: Problem[] = Object.keys(isMap(doc.aspire.resources) ? doc.aspire.resources : {})
    .filter((c) => !names.includes(c))
    .map((c) => ({ path: `aspire.resources.${c}`, message: `names no component; components are: ${names.join(", ")}`, value: c }));
  if (!isMap(doc.e2e)) problems.push({ path: "aspire", message: "runs the e2e tests against the Aspire graph: add an e2e section (path of the Playwright project)" });
  return problems;
}

function componentProblems(doc: Raw): Problem[] {
  const problems: Problem[] = [];
  const components = entries(doc.components);
  const names = components.map(([n]) => n);
  const byPath = new Map<string, string>();
  for (const [name, c] of components) {
    const at = `components.${name}`;
    for (const [needed, range] of Object.entries(isMap(c.requires) ? c.requires : {})) {
      if (needed === name) problems.push({ path: `${at}.requires.${needed}`, message: "a component cannot require itself", value: range });
      else if (!names.includes(needed)) problems.push({ path: `${at}.requires.${needed}`, message: `names no component; components are: ${names.join(", ")}`, value: needed });
    }
    if (c.kind === "database" && c.toolchain !== undefined && c.toolchain !== "flyway")
      problems.push({ path: `${at}.toolchain`, message: "a database component is migrated with Flyway: use toolchain flyway", value: c.toolchain });
    if (c.database !== undefined && c.kind !== "database") problems.push({ path: `${at}.database`, message: "only a database component (kind: database) has a database server", value: c.database });
    if (c.migrations !== undefined && c.toolchain !== "flyway") problems.push({ path: `${at}.migrations`, message: "only flyway components have migrations", value: c.migrations });
    if (c.migrationNaming !== undefined && c.toolchain !== "flyway") problems.push({ path: `${at}.migrationNaming`, message: "only flyway components have migrations", value: c.migrationNaming });
    if (typeof c.path === "string") {
      const normal = normalFolder(c.path);
      const other = byPath.get(normal);
      if (other) problems.push({ path: `${at}.path`, message: `is also the path of component ${other}; each component needs its own folder`, value: c.path });
      else byPath.set(normal, name);
    }
  }
  return problems;
}

/**
 * References in env values ({db.url}…) name real components and attributes, and never form a
 * circle with each other or with `requires` (the E2E topology starts a component after both).
 */
function envProblems(doc: Raw): Problem[] {
  const problems: Problem[] = [];
  const components = entries(doc.components);
  const kinds = new Map(components.map(([n, c]) => [n, String(c.kind)]));
  const needs = new Map<string, Set<string>>();
  const byEnv = new Set<string>();
  const need = (self: string, other: string) => {
    const set = needs.get(self) ?? new Set<string>();
    set.add(other);
    needs.set(self, set);
  };
  const check = (at: string, self: string | undefined, values: unknown) => {
    for (const [variable, value] of Object.entries(isMap(values) ? values : {})) {
      if (typeof value !== "string") continue;
      const path = `${at}.${variable}`;
      let refs: { component: string; attribute: string }[];
      try {
        refs = referencesOf(parseTemplate(value));
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        problems.push({ path, message: e.message, value });
        continue;
      }
      for (const { component, attribute } of refs) {
        const kind = kinds.get(component);
        if (kind === undefined) problems.push({ path, message: `{${component}.${attribute}} names no component; components are: ${[...kinds.keys()].join(", ")}`, value });
        else if (component === self) problems.push({ path, message: `{${component}.${attribute}}: a component cannot refer to itself`, value });
        else if (!attributesOf(kind).includes(attribute))
          problems.push({ path, message: `{${component}.${attribute}}: a ${kind} component has no attribute ${attribute}; it has ${attributesOf(kind).join(", ")}`, value });
        else if (self) {
          need(self, component);
          byEnv.add(`${self}\n${component}`);
        }
      }
    }
  };
  for (const [name, c] of components) check(`components.${name}.env`, name, c.env);
  if (isMap(doc.e2e)) check("e2e.env", undefined, doc.e2e.env);
  for (const [name, c] of components) for (const other of Object.keys(isMap(c.requires) ? c.requires : {})) if (other !== name && kinds.has(other)) need(name, other);
  // In the file's order, so the circle is told from the component written first.
  const cycle = findCycle(new Map(components.map(([n]) => [n, [...(needs.get(n) ?? [])]])));
  if (cycle) {
    const [from, to] = cycle;
    const viaRequires = cycle.slice(1).some((n, i) => !byEnv.has(`${cycle[i]}\n${n}`));
    problems.push({
      path: byEnv.has(`${from}\n${to}`) ? `components.${from}.env` : `components.${from}.requires.${to}`,
      message: `components refer to each other in a circle, so none could start first: ${cycle.join(" -> ")}${viaRequires ? " (a component starts after the components it requires and those its env refers to)" : ""}`,
    });
  }
  return problems;
}

/** How an environment is reached: a push comes first, a tag later, a person any time after. */
const TRIGGERS = ["push", "tag", "manual"];

function environmentProblems(doc: Raw): Problem[] {
  const problems: Problem[] = [];
  const environments = entries(doc.environments);
  const names = environments.map(([n]) => n);
  const byName = new Map(environments);
  const nameList = names.join(", ");
  const provider = isMap(doc.gitops) ? (doc.gitops.provider ?? "git") : undefined;
  const features = isMap(doc.features) ? Object.keys(doc.features) : [];
  const components = entries(doc.components).map(([n]) => n);
  const previews = isMap(doc.previews) && typeof doc.previews.path === "string" ? normalFolder(doc.previews.path) : "previews";
  const previewsUsed = !(isMap(doc.branches) && Array.isArray(doc.branches.previews) && doc.branches.previews.length === 0);
  const byFolder = new Map<string, string>();
  if (environments.length > 0 && doc.gitops === undefined) problems.push({ path: "gitops", message: "is required when environments are defined: promotion writes to the GitOps repository" });
  for (const [name, env] of environments) {
    const at = `environments.${name}`;
    const upstream = typeof env.after === "string" ? byName.get(env.after) : undefined;
    if (env.after !== undefined && !byName.has(String(env.after))) problems.push({ path: `${at}.after`, message: `names no environment; environments are: ${nameList}`, value: env.after });
    if (env.after === name) problems.push({ path: `${at}.after`, message: "an environment cannot follow itself", value: env.after });
    else if (upstream && env.on === "push" && TRIGGERS.includes(String(upstream.on)) && upstream.on !== "push")
      problems.push({
        path: `${at}.after`,
        message: `${name} is promoted on push, but ${env.after} (which it follows) is promoted on ${upstream.on}: a release is pushed before it can reach ${env.after}, so ${name} would never be promoted automatically; follow an environment promoted on push, or promote ${name} on ${upstream.on} too`,
        value: env.after,
      });
    if (typeof env.path === "string") {
      const folder = normalFolder(env.path);
      const other = byFolder.get(folder);
      if (other !== undefined)
        problems.push({
          path: `${at}.path`,
          message: `is also the folder of environment ${other} (as ${folder}); each environment needs its own folder (its state and deployment files live there)`,
          value: env.path,
        });
      else byFolder.set(folder, name);
      if (previewsUsed && (folder === previews || folder.startsWith(`${previews}/`) || previews === "."))
        problems.push({
          path: `${at}.path`,
          message: `is inside previews.path (${previews}), whose folders are removed with their branches; give the environment a folder outside it`,
          value: env.path,
        });
    }
    const approvals = typeof env.approvals === "number" ? env.approvals : 0;
    if (approvals > 0 && env.writeBack !== "pull-request")
      problems.push({ path: `${at}.approvals`, message: "approvals need writeBack: pull-request (a direct commit has no one to approve it)", value: env.approvals });
    for (const flag of Object.keys(isMap(env.flags) ? env.flags : {}))
      if (!features.includes(flag))
        problems.push({ path: `${at}.flags.${flag}`, message: `is not declared under features${features.length > 0 ? `; features: ${features.join(", ")}` : ""}`, value: flag });
    for (const component of Object.keys(isMap(env.helm) ? env.helm : {})) {
      if (env.format !== "helm") problems.push({ path: `${at}.helm.${component}`, message: "Helm values paths need format: helm", value: env.format });
      else if (!components.includes(component)) problems.push({ path: `${at}.helm.${component}`, message: `names no component; components are: ${components.join(", ")}`, value: component });
    }
    if (env.writeBack === "pull-request" && provider === "git") problems.push({ path: `${at}.writeBack`, message: "pull requests need gitops.provider github or gitea", value: env.writeBack });
    if (env.admission !== undefined && doc.signing === undefined)
      problems.push({ path: `${at}.admission`, message: "verifies image signatures in the cluster: add a signing section (publicKey or keyless) saying how images are signed", value: env.admission });
    if (env.admission !== undefined && env.format === "compose")
      problems.push({ path: `${at}.admission`, message: "is a Kubernetes admission policy: it needs format kustomize, helm or manifests, not compose", value: env.admission });
    problems.push(...operationProblems(env, at, components));
  }
  // Self-follows are reported above; every other circle, wherever it starts, here.
  const after = new Map(environments.map(([n, e]): [string, string[]] => [n, typeof e.after === "string" && e.after !== n && byName.has(e.after) ? [e.after] : []]));
  const cycle = findCycle(after);
  if (cycle) problems.push({ path: `environments.${cycle[0]}.after`, message: `environments follow each other in a circle: ${cycle.join(" -> ")}` });
  return problems;
}

/** deploy only for Compose environments; verify endpoints name components. */
function operationProblems(env: Raw, at: string, components: string[]): Problem[] {
  const problems: Problem[] = [];
  if (env.deploy !== undefined && env.format !== "compose")
    problems.push({ path: `${at}.deploy`, message: "deploys a Compose environment over SSH: it needs format compose (Kubernetes environments are deployed by their GitOps agent)", value: env.format });
  if (isMap(env.verify) && isMap(env.verify.endpoints))
    for (const component of Object.keys(env.verify.endpoints))
      if (!components.includes(component)) problems.push({ path: `${at}.verify.endpoints.${component}`, message: `names no component; components are: ${components.join(", ")}`, value: component });
  if (isMap(env.verify) && env.verify.argocd !== undefined && env.format === "compose")
    problems.push({ path: `${at}.verify.argocd`, message: "waits on an Argo CD application: it needs a Kubernetes format (kustomize, helm or manifests), not compose", value: env.format });
  return problems;
}
