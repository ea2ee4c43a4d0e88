/**
 * Rules that span several keys of pipeline.yaml (a requirement names a component, an environment
 * follows another, a pull request needs a provider). They run on the raw document so that they
 * still report when an unrelated key is invalid: a user fixing ten mistakes wants all ten at once.
 */
import { attributesOf, parseTemplate, referencesOf, TemplateError } from "../topology/template.js";
import type { Problem } from "./problems.js";

type Raw = Record<string, unknown>;

const isMap = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const entries = (v: unknown): [string, Raw][] => (isMap(v) ? Object.entries(v).filter((e): e is [string, Raw] => isMap(e[1])) : []);

/** Every cross-reference problem of a raw (parsed but unvalidated) pipeline.yaml. */
export function referenceProblems(doc: unknown): Problem[] {
  if (!isMap(doc)) return [];
  return [...componentProblems(doc), ...envProblems(doc), ...environmentProblems(doc), ...aspireProblems(doc), ...credentialProblems(doc)];
}

/**
 * pipeline.yaml is committed, and its mirror URLs become build arguments (image history): a URL
 * with user:password@ would put a credential into git and every image. Refused without showing
 * the value; the token comes as a secret argument instead.
 */
function credentialProblems(doc: Raw): Problem[] {
  const mirror = isMap(doc.mirror) ? doc.mirror : {};
  const urls: [string, unknown][] = [
    ...["npm", "nuget", "maven", "apt"].map((k): [string, unknown] => [`mirror.${k}`, mirror[k]]),
    ...Object.entries(isMap(mirror.npmScopes) ? mirror.npmScopes : {}).map(([scope, u]): [string, unknown] => [`mirror.npmScopes.${scope}`, u]),
    ["gitops.repository", isMap(doc.gitops) ? doc.gitops.repository : undefined],
    ["releases.repository", isMap(doc.releases) ? doc.releases.repository : undefined],
  ];
  const hints: Record<string, string> = { "gitops.repository": "--gitops-token=env://GITOPS_TOKEN", "releases.repository": "--release-token=env://RELEASE_TOKEN" };
  const hint = (path: string) => hints[path] ?? "--mirror-token=env://NEXUS_TOKEN (and --mirror-username)";
  return urls
    .filter(([, u]) => typeof u === "string" && /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i.test(u))
    .map(([path]) => ({ path, message: `must not carry credentials (user:password@; value not shown): pipeline.yaml is committed; pass the token as ${hint(path)}` }));
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
      const normal = c.path.replace(/\/+$/, "");
      const other = byPath.get(normal);
      if (other) problems.push({ path: `${at}.path`, message: `is also the path of component ${other}; each component needs its own folder`, value: c.path });
      else byPath.set(normal, name);
    }
  }
  return problems;
}

/** References in env values ({db.url}…) name real components and attributes, and never form a circle. */
function envProblems(doc: Raw): Problem[] {
  const problems: Problem[] = [];
  const components = entries(doc.components);
  const kinds = new Map(components.map(([n, c]) => [n, String(c.kind)]));
  const needs = new Map<string, Set<string>>();
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
        else if (self) needs.set(self, new Set([...(needs.get(self) ?? []), component]));
      }
    }
  };
  for (const [name, c] of components) check(`components.${name}.env`, name, c.env);
  if (isMap(doc.e2e)) check("e2e.env", undefined, doc.e2e.env);
  const cycle = firstCycle(needs);
  if (cycle) problems.push({ path: `components.${cycle[0]}.env`, message: `components refer to each other in a circle, so none could start first: ${cycle.join(" -> ")}` });
  return problems;
}

/** The first circle in a "needs" graph, e.g. [a, b, a], or undefined. */
function firstCycle(needs: Map<string, Set<string>>): string[] | undefined {
  const visit = (at: string, path: string[]): string[] | undefined => {
    if (path.includes(at)) return [...path.slice(path.indexOf(at)), at];
    for (const next of needs.get(at) ?? []) {
      const found = visit(next, [...path, at]);
      if (found) return found;
    }
    return undefined;
  };
  for (const start of [...needs.keys()].sort()) {
    const found = visit(start, []);
    if (found) return found;
  }
  return undefined;
}

function environmentProblems(doc: Raw): Problem[] {
  const problems: Problem[] = [];
  const environments = entries(doc.environments);
  const names = environments.map(([n]) => n);
  const provider = isMap(doc.gitops) ? (doc.gitops.provider ?? "git") : undefined;
  if (environments.length > 0 && doc.gitops === undefined) problems.push({ path: "gitops", message: "is required when environments are defined: promotion writes to the GitOps repository" });
  for (const [name, env] of environments) {
    const at = `environments.${name}`;
    if (env.after !== undefined && !names.includes(String(env.after))) problems.push({ path: `${at}.after`, message: `names no environment; environments are: ${names.join(", ")}`, value: env.after });
    if (env.after === name) problems.push({ path: `${at}.after`, message: "an environment cannot follow itself", value: env.after });
    const approvals = typeof env.approvals === "number" ? env.approvals : 0;
    if (approvals > 0 && env.writeBack !== "pull-request")
      problems.push({ path: `${at}.approvals`, message: "approvals need writeBack: pull-request (a direct commit has no one to approve it)", value: env.approvals });
    const features = isMap(doc.features) ? Object.keys(doc.features) : [];
    for (const flag of Object.keys(isMap(env.flags) ? env.flags : {}))
      if (!features.includes(flag))
        problems.push({ path: `${at}.flags.${flag}`, message: `is not declared under features${features.length > 0 ? `; features: ${features.join(", ")}` : ""}`, value: flag });
    const components = entries(doc.components).map(([n]) => n);
    for (const component of Object.keys(isMap(env.helm) ? env.helm : {})) {
      if (env.format !== "helm") problems.push({ path: `${at}.helm.${component}`, message: "Helm values paths need format: helm", value: env.format });
      else if (!components.includes(component)) problems.push({ path: `${at}.helm.${component}`, message: `names no component; components are: ${components.join(", ")}`, value: component });
    }
    if (env.writeBack === "pull-request" && provider === "git") problems.push({ path: `${at}.writeBack`, message: "pull requests need gitops.provider github or gitea", value: env.writeBack });
    if (env.admission !== undefined && doc.signing === undefined)
      problems.push({ path: `${at}.admission`, message: "verifies image signatures in the cluster: add a signing section (publicKey or keyless) saying how images are signed", value: env.admission });
    if (env.admission !== undefined && env.format === "compose")
      problems.push({ path: `${at}.admission`, message: "is a Kubernetes admission policy: it needs format kustomize, helm or manifests, not compose", value: env.admission });
  }
  const cycle = afterCycle(environments);
  if (cycle) problems.push({ path: `environments.${cycle[0]}.after`, message: `environments follow each other in a circle: ${cycle.join(" -> ")}` });
  return problems;
}

/** The first circle in the `after` chains, e.g. [staging, prod, staging], or undefined. */
function afterCycle(environments: [string, Raw][]): string[] | undefined {
  const after = new Map(environments.map(([n, e]) => [n, typeof e.after === "string" ? e.after : undefined]));
  for (const start of after.keys()) {
    const seen: string[] = [];
    for (let at: string | undefined = start; at !== undefined; at = after.get(at)) {
      if (seen.includes(at)) return at === start && seen.length > 1 ? [...seen, at] : undefined;
      seen.push(at);
    }
  }
  return undefined;
}
