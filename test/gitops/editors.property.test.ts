/**
 * Property tests of the GitOps write-back editors (fast-check, seeded, bounded): on generated
 * Compose files, manifests, kustomizations and Helm values with image fields in varied styles
 * (quoting, comments, key order, CRLF), either only the intended lines change (compared line by
 * line, and the parsed document equals the old one with just the image values replaced), or the
 * write is refused with a GitopsEditError naming the file; on arbitrary text, never another error.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parse } from "yaml";
import { applyImageUpdates, type EditFormat, GitopsEditError, type HelmImagePaths } from "../../modules/gitops/src/edit/index.js";
import { editDeploymentFiles } from "../../modules/gitops/src/write-back.js";
import { applyAndCheck, DIGEST, SHA, update } from "./edit-assert.js";

const OPTIONS = { seed: 42, interruptAfterTimeLimit: 30_000 } as const;
const PER_INPUT_MS = 1000;
const REPOS = ["registry.example.com/acme/shop/backend", "registry.example.com/acme/shop/frontend", "localhost:5000/worker"];
const OTHERS = ["postgres:16", "docker.io/library/redis:7", `quay.io/prometheus/prometheus@sha256:${"1".repeat(64)}`, "${REGISTRY}/app:${TAG}"];
const pinned = (repo: string) => `${repo}:${SHA}@${DIGEST}`;

/** Run one input, failing when it takes a second or more. */
function timed<T>(run: () => T): T {
  const start = performance.now();
  try {
    return run();
  } finally {
    assert.ok(performance.now() - start < PER_INPUT_MS, "an input took a second or more");
  }
}

/** A scalar in one of YAML's one-line styles. */
const styled = (value: string, style: number) => (style === 0 ? value : style === 1 ? `'${value}'` : JSON.stringify(value));
const comment = fc.constantFrom("", "  # pinned by the pipeline", " # ünïcode comment");
/** The image of a service or container: one of ours (with or without tag/digest), another one, or none. */
const image = fc.oneof(
  fc
    .record({ repo: fc.constantFrom(...REPOS), suffix: fc.constantFrom("", ":1.0", `:${"a".repeat(40)}`, `@sha256:${"2".repeat(64)}`) })
    .map(({ repo, suffix }) => ({ ours: repo, text: repo + suffix })),
  fc.constantFrom(...OTHERS).map((text) => ({ ours: undefined as string | undefined, text })),
);
const workload = fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), image, style: fc.integer({ min: 0, max: 2 }), comment, extra: fc.boolean() });
const updatesOf = fc.subarray(REPOS, { minLength: 1 });

/** Lines whose image names an updated repository: the only ones that may change, and must become the pinned reference. */
function checkLines(before: string, after: string, imageLines: Map<number, string>): void {
  const a = before.split("\n");
  const b = after.split("\n");
  assert.equal(b.length, a.length, "the number of lines changed");
  a.forEach((line, i) => {
    const repo = imageLines.get(i);
    if (repo === undefined) assert.equal(b[i], line, `line ${i + 1} changed: ${JSON.stringify(line)} → ${JSON.stringify(b[i])}`);
    else assert.equal(parse(b[i]!.trim().replace(/^- /, "")).image, pinned(repo), `line ${i + 1}: ${JSON.stringify(b[i])}`);
  });
}

/** Either the result satisfies `check`, or a GitopsEditError naming the file when `refusal` says so. */
function editOrRefuse(run: () => string, file: string, mustRefuse: boolean, check: (text: string) => void): void {
  let out: string;
  try {
    out = timed(run);
  } catch (e) {
    assert.ok(e instanceof GitopsEditError, `not a GitopsEditError: ${(e as Error).stack}`);
    assert.ok(e.message.startsWith(file), e.message);
    assert.ok(mustRefuse, `refused a valid write: ${e.message}`);
    return;
  }
  assert.ok(!mustRefuse, "accepted a write that deploys nothing for an image");
  check(out);
}

describe("GitOps editors (property)", () => {
  test("Compose: exactly the image lines of updated repositories change; an image no service names refuses the write", () => {
    fc.assert(
      fc.property(fc.uniqueArray(workload, { minLength: 1, maxLength: 6, selector: (w) => w.name }), updatesOf, fc.boolean(), (services, repos, crlf) => {
        const lines = ["# generated", "services:"];
        const imageLines = new Map<number, string>();
        for (const s of services) {
          lines.push(`  ${s.name}:`);
          if (s.extra) lines.push("    restart: unless-stopped", "    environment:", "      LOG_LEVEL: info # keep");
          if (s.image.ours && repos.includes(s.image.ours)) imageLines.set(lines.length, s.image.ours);
          lines.push(`    image: ${styled(s.image.text, s.style)}${s.comment}`);
        }
        const text = lines.join("\n").concat("\n");
        const input = crlf ? text.replace(/\n/g, "\r\n") : text;
        const refuse = repos.some((r) => !services.some((s) => s.image.ours === r));
        editOrRefuse(
          () =>
            editDeploymentFiles(
              "compose",
              [{ path: "compose.yaml", text: input }],
              repos.map((r) => update(r)),
            )[0]!.text,
          "compose.yaml",
          refuse,
          (out) => checkLines(input.replace(/\r\n/g, "\n"), out.replace(/\r\n/g, "\n"), imageLines),
        );
      }),
      { ...OPTIONS, numRuns: 300 },
    );
  });

  test("manifests: exactly the container image lines of updated repositories change, across documents", () => {
    const doc = fc.record({
      kind: fc.constantFrom("Deployment", "StatefulSet", "Job", "ConfigMap"),
      containers: fc.array(workload, { minLength: 1, maxLength: 3 }),
      init: fc.array(workload, { maxLength: 2 }),
    });
    fc.assert(
      fc.property(fc.array(doc, { minLength: 1, maxLength: 4 }), updatesOf, (docs, repos) => {
        const lines: string[] = [];
        const imageLines = new Map<number, string>();
        const named = new Set<string>();
        docs.forEach((d, n) => {
          if (n > 0) lines.push("---");
          lines.push("apiVersion: apps/v1", `kind: ${d.kind}`, "metadata:", `  name: w${n}`);
          if (d.kind === "ConfigMap") {
            lines.push("data:", `  image: ${d.containers[0]!.image.text.replace(/[${}]/g, "")}`);
            return;
          }
          lines.push("spec:", "  template:", "    spec:");
          for (const [field, list] of [
            ["initContainers", d.init],
            ["containers", d.containers],
          ] as const) {
            if (list.length === 0) continue;
            lines.push(`      ${field}:`);
            for (const c of list) {
              lines.push(`      - name: ${c.name}${c.comment}`);
              if (c.image.ours && repos.includes(c.image.ours)) {
                imageLines.set(lines.length, c.image.ours);
                named.add(c.image.ours);
              }
              lines.push(`        image: ${styled(c.image.text, c.style)}`);
              if (c.extra) lines.push("        ports:", "        - containerPort: 8080");
            }
          }
        });
        const text = `${lines.join("\n")}\n`;
        editOrRefuse(
          () =>
            editDeploymentFiles(
              "manifests",
              [{ path: "prod/app.yaml", text }],
              repos.map((r) => update(r)),
            )[0]!.text,
          "prod/app.yaml",
          repos.some((r) => !named.has(r)),
          (out) => checkLines(text, out, imageLines),
        );
      }),
      { ...OPTIONS, numRuns: 300 },
    );
  });

  test("kustomize: only images entries change, every updated repository ends with the release, other entries stay as they were", () => {
    const entry = fc.record({
      repo: fc.constantFrom(...REPOS, "nginx", "ghcr.io/acme/other"),
      byNewName: fc.boolean(),
      tag: fc.option(fc.constantFrom("1.0", "v2", "'3'"), { nil: undefined }),
      digest: fc.boolean(),
      style: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { maxLength: 4, selector: (e) => e.repo }), updatesOf, fc.boolean(), (entries, repos, kind) => {
        const lines = [...(kind ? ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization"] : []), "resources:", "- ../base # shared", "namespace: shop"];
        if (entries.length > 0) lines.push("images:");
        for (const [i, e] of entries.entries()) {
          lines.push(e.byNewName ? `- name: placeholder${i}` : `- name: ${styled(e.repo, e.style)}`);
          if (e.byNewName) lines.push(`  newName: ${styled(e.repo, e.style)}`);
          if (e.tag) lines.push(`  newTag: ${e.tag}`);
          if (e.digest) lines.push(`  digest: sha256:${"3".repeat(64)}`);
        }
        const text = `${lines.join("\n")}\n`;
        const updates = repos.map((r) => update(r));
        const result = timed(() => applyAndCheck("kustomize", text, "kustomization.yaml", updates));
        const before = parse(text) as { images?: Record<string, string>[] };
        const after = parse(result.text) as { images: Record<string, string>[]; resources: string[]; namespace: string };
        assert.deepEqual(after.resources, ["../base"]);
        assert.equal(after.namespace, "shop");
        for (const r of repos)
          assert.ok(
            after.images.some((e) => (e.newName ?? e.name) === r && e.newTag === SHA && e.digest === DIGEST),
            `${r} not at the release`,
          );
        (before.images ?? []).forEach((e, i) => {
          if (!repos.includes(e.newName ?? e.name!)) assert.deepEqual(after.images[i], e);
        });
      }),
      { ...OPTIONS, numRuns: 300 },
    );
  });

  test("helm: only the configured values change (registry, repository, tag, digest in either format); the rest of the document is equal", () => {
    const chart = fc.record({
      registry: fc.constantFrom(undefined, "docker.io", ""),
      digestKey: fc.constantFrom(undefined, "digest", "sha"),
      bare: fc.boolean(),
      tag: fc.constantFrom('""', "1.2.3", "'v1'"),
      prefix: fc.constantFrom("backend", "app.server", "global"),
    });
    fc.assert(
      fc.property(chart, fc.boolean(), ({ registry, digestKey, bare, tag, prefix }, configureRegistry) => {
        const keys = prefix.split(".");
        const lines = ["replicaCount: 2 # default"];
        keys.forEach((k, i) => lines.push(`${"  ".repeat(i)}${k}:`));
        const pad = "  ".repeat(keys.length);
        lines.push(`${pad}image:`);
        if (registry !== undefined) lines.push(`${pad}  registry: ${JSON.stringify(registry)}`);
        lines.push(`${pad}  repository: bitnami/thing`, `${pad}  tag: ${tag}`);
        if (digestKey) lines.push(`${pad}  ${digestKey}: ""`);
        lines.push(`${pad}  pullPolicy: IfNotPresent`, "service:", "  port: 80");
        const text = `${lines.join("\n")}\n`;
        const at = `${prefix}.image`;
        const paths: HelmImagePaths = {
          repository: `${at}.repository`,
          tag: `${at}.tag`,
          ...(digestKey ? { digest: `${at}.${digestKey}`, digestFormat: bare ? "bare" : "prefixed" } : {}),
          ...(configureRegistry ? { registry: `${at}.registry` } : {}),
        };
        const repo = REPOS[0]!;
        const u = update(repo, { component: "backend" });
        // A non-empty registry of the chart's own needs a registry path.
        const refuse = registry === "docker.io" && !configureRegistry;
        let result: ReturnType<typeof applyImageUpdates>;
        try {
          result = timed(() => applyAndCheck("helm", text, "values.yaml", [u], { helm: { paths: { backend: paths } } }));
        } catch (e) {
          assert.ok(e instanceof GitopsEditError && e.message.startsWith("values.yaml"), String(e));
          assert.ok(refuse, `refused: ${(e as Error).message}`);
          return;
        }
        assert.ok(!refuse, "rendered <chart registry>/<our registry>/…");
        const expected = parse(text) as Record<string, unknown>;
        const image = keys.reduce<Record<string, unknown>>((v, k) => v[k] as Record<string, unknown>, expected).image as Record<string, unknown>;
        if (configureRegistry) Object.assign(image, { registry: "registry.example.com", repository: "acme/shop/backend" });
        else image.repository = repo;
        image.tag = SHA;
        if (digestKey) image[digestKey] = bare ? DIGEST.slice("sha256:".length) : DIGEST;
        assert.deepEqual(parse(result.text), expected);
      }),
      { ...OPTIONS, numRuns: 300 },
    );
  });

  test("arbitrary text in every format: a result or a GitopsEditError naming the file, never another error", () => {
    const yamlish = fc.array(
      fc.constantFrom(
        "images:",
        "- name: x",
        "services:",
        "  a:",
        "    image: x",
        "kind: Deployment",
        "spec:",
        "&a",
        "*a",
        "<<: *a",
        "? ",
        "---",
        "  - ",
        ": ",
        "'",
        '"',
        "\t",
        "#",
        "{",
        "}",
        "[",
        "]",
        "\n",
        "\r\n",
        "x: 1",
        "newTag: ",
        "image:",
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          yamlish.map((p) => p.join("")),
          fc.string({ maxLength: 200 }),
        ),
        fc.constantFrom<EditFormat>("kustomize", "helm", "compose", "manifests"),
        (text, format) => {
          try {
            timed(() =>
              applyImageUpdates(format, text, "f.yaml", [update(REPOS[0]!, { component: "backend" })], { helm: { paths: { backend: { repository: "image.repository", tag: "image.tag" } } } }),
            );
          } catch (e) {
            assert.ok(e instanceof GitopsEditError, `${JSON.stringify(text)} (${format}): ${(e as Error).stack}`);
            assert.ok(e.message.startsWith("f.yaml"), e.message);
          }
        },
      ),
      { ...OPTIONS, numRuns: 1500 },
    );
  });
});
