/**
 * The one image-reference grammar (lib/image-reference.ts; every module has a generated copy):
 * distribution/reference's grammar, its lenient reading for other people's files, the strict one
 * for ours, and real references from the corpus copies.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import {
  formatImageReference,
  formatRepository,
  IMAGE_REFERENCE_PATTERN,
  type ImageReference,
  ImageReferenceError,
  imageReferenceProblem,
  isPinned,
  isPinnedByDigest,
  isRegistryHost,
  isSha256Digest,
  parseImageReference,
  parseImageReferenceStrict,
  REGISTRY_PREFIX_PATTERN,
  sameRepository,
  tagProblem,
  tryParseImageReferenceStrict,
} from "../../lib/image-reference.js";
import { ROOT } from "../tiers/modules.js";

const SHA = "3f2c9a1e5b7d4c6f8a0b2d4e6f8091a3b5c7d9e1";
const DIGEST = `sha256:${"b4".repeat(32)}`;
const SHA512 = `sha512:${"c5".repeat(64)}`;

describe("lenient: other people's references, normalised as docker does", () => {
  const valid: [string, ImageReference][] = [
    ["nginx", { registry: "docker.io", repository: "library/nginx" }],
    ["nginx:1.27", { registry: "docker.io", repository: "library/nginx", tag: "1.27" }],
    ["docker.io/nginx", { registry: "docker.io", repository: "library/nginx" }],
    [`index.docker.io/library/nginx@${DIGEST}`, { registry: "docker.io", repository: "library/nginx", digest: DIGEST }],
    ["registry-1.docker.io/library/nginx", { registry: "docker.io", repository: "library/nginx" }],
    ["bitnami/redis:7", { registry: "docker.io", repository: "bitnami/redis", tag: "7" }],
    ["my_org/app", { registry: "docker.io", repository: "my_org/app" }],
    ["localhost/a", { registry: "localhost", repository: "a" }],
    ["localhost:5000/x:tag", { registry: "localhost:5000", repository: "x", tag: "tag" }],
    ["[::1]:5000/x:1", { registry: "[::1]:5000", repository: "x", tag: "1" }],
    [`[2001:db8::1]/acme/app@${DIGEST}`, { registry: "[2001:db8::1]", repository: "acme/app", digest: DIGEST }],
    [`registry.example.com:5000/a/b:1.0@${DIGEST}`, { registry: "registry.example.com:5000", repository: "a/b", tag: "1.0", digest: DIGEST }],
    ["Registry.Example.com/acme/app", { registry: "Registry.Example.com", repository: "acme/app" }],
    ["ghcr.io/acme/web_shop__x.y-z---w:T_1", { registry: "ghcr.io", repository: "acme/web_shop__x.y-z---w", tag: "T_1" }],
    [`quay.io/a/b@${SHA512}`, { registry: "quay.io", repository: "a/b", digest: SHA512 }],
    // normalize.go: a first component with capitals is a registry, never a Docker Hub path.
    ["MYREG/app", { registry: "MYREG", repository: "app" }],
    // The grammar's reading, docker's too: no "/" means Docker Hub, and ":5000" is a tag.
    ["localhost:5000", { registry: "docker.io", repository: "library/localhost", tag: "5000" }],
  ];
  for (const [text, expected] of valid) {
    it(`parses ${text}`, () => {
      assert.deepEqual(parseImageReference(text), expected);
      assert.ok(IMAGE_REFERENCE_PATTERN.test(text), "the schema pattern accepts what the parser accepts");
      assert.deepEqual(parseImageReference(formatImageReference(expected)), expected, "the normalised form reads back as itself");
    });
  }

  const invalid: [string, string][] = [
    ["", "empty"],
    ["two words", "white space"],
    [" nginx", "leading white space"],
    ["a:b:c", "two tags"],
    ["x:", "an empty tag"],
    ["x:.1", "a tag starting with ."],
    [`x:${"t".repeat(129)}`, "a tag of 129 characters"],
    ["registry.example.com/Acme/app", "capitals in the path"],
    ["Acme/App", "capitals in the path below a registry"],
    ["registry.example.com/acme//app", "an empty path component"],
    ["registry.example.com/acme/app-", "a path component ending in a separator"],
    ["-x.example.com/app", "a host starting with -"],
    ["CONTAINER_IMAGES_REGISTRY/adservice", "a placeholder: capitals make it a registry, and _ is no host"],
    ["${IMAGE}:1.0", "a variable in the name"],
    ["registry.example.com/x:${TAG}", "a variable, without the option"],
    ["https://registry.example.com/x", "a scheme"],
    ["x@sha256:abc", "a short digest"],
    [`x@sha256:${"B4".repeat(32)}`, "capitals in a digest"],
    [`x@md5:${"a".repeat(32)}`, "an algorithm go-digest does not know"],
    [`x@sha512:${"a".repeat(64)}`, "a sha512 digest of sha256's length"],
    ["b4".repeat(32), "an image ID, not a name"],
    [`r.example/${"a".repeat(250)}`, "a name over 255 characters"],
  ];
  for (const [text, why] of invalid) {
    it(`refuses ${JSON.stringify(text.length > 50 ? `${text.slice(0, 50)}…` : text)} (${why})`, () => assert.equal(parseImageReference(text), undefined));
  }

  it("keeps a Compose variable in the tag or digest verbatim when asked; one in the name names nothing", () => {
    assert.deepEqual(parseImageReference("registry.example.com/x:${TAG:-1.0}", { variables: true }), { registry: "registry.example.com", repository: "x", tag: "${TAG:-1.0}" });
    assert.deepEqual(parseImageReference("nginx:1.27-${VARIANT}", { variables: true }), { registry: "docker.io", repository: "library/nginx", tag: "1.27-${VARIANT}" });
    assert.deepEqual(parseImageReference("nginx@${DIGEST}", { variables: true }), { registry: "docker.io", repository: "library/nginx", digest: "${DIGEST}" });
    for (const text of ["${IMAGE}:1.0", "${IMAGE_NAME}:${DEMO_VERSION}-opensearch", "x:", "a:b:c"]) assert.equal(parseImageReference(text, { variables: true }), undefined, text);
  });

  it("refuses long hostile texts at once (no backtracking over every split; a run of $ took seconds once)", () => {
    for (const text of [`x:${"$".repeat(20000)}@`, `${"a/".repeat(20000)}A`, `${"a.".repeat(20000)}/`, `${"a".repeat(40000)}@${"a".repeat(40000)}`]) {
      const started = Date.now();
      assert.equal(parseImageReference(text, { variables: true }), undefined);
      assert.ok(Date.now() - started < 2000, `${text.slice(0, 10)}…: ${Date.now() - started} ms`);
    }
  });
});

describe("strict: our own references", () => {
  it("parses ours as written, IPv6 and ports included, and formats them back unchanged", () => {
    for (const text of [
      `registry.example.com/acme/webshop/backend:${SHA}@${DIGEST}`,
      "127.0.0.1:5000/shop/backend",
      `[::1]:5000/x/y@${DIGEST}`,
      "localhost/a:in-abc",
      "Registry.Example.COM/acme/app:x",
    ]) {
      assert.equal(formatImageReference(parseImageReferenceStrict(text)), text);
      assert.equal(imageReferenceProblem(text), undefined);
      assert.deepEqual(tryParseImageReferenceStrict(text), parseImageReferenceStrict(text));
    }
  });

  const refused: [string, RegExp][] = [
    ["registry.example.com/acme/app:latest", /tag "latest" is not used/],
    ["acme/app:1.0", /"acme" is not a registry host; write the registry address first, e\.g\. registry\.example\.com\/acme\/app:1\.0 \(Docker Hub shorthand is not supported\)/],
    ["nginx", /"nginx" is not a registry host/],
    ["registry.example.com/Acme/app", /repository path "Acme\/app" is invalid at "Acme"/],
    ["registry.example.com:0/acme/app", /port "0" is invalid; expected 1-65535/],
    [`registry.example.com/acme/app@${SHA512}`, /digest "sha512:.*" is invalid; expected sha256: followed by 64 lowercase hex digits/],
    ["[::1/x", /registry host "\[::1" is invalid/],
  ];
  for (const [text, message] of refused) {
    it(`refuses ${text}, saying why`, () => {
      assert.throws(
        () => parseImageReferenceStrict(text),
        (e: unknown) => e instanceof ImageReferenceError && e.input === text && message.test(e.problem) && e.message === `image reference "${text}": ${e.problem}`,
      );
      assert.match(imageReferenceProblem(text) ?? "", message);
      assert.equal(tryParseImageReferenceStrict(text), undefined);
    });
  }

  it("checks tags we are about to set", () => {
    assert.equal(tagProblem(SHA), undefined);
    assert.equal(tagProblem("in-0a1b"), undefined);
    assert.match(tagProblem("latest") ?? "", /^tag "latest" is not used/);
    assert.match(tagProblem("") ?? "", /^tag "" is invalid; a tag is 1-128 characters/);
  });

  it("knows a registry address by docker's rule (a dot, a port, localhost or IPv6) and a valid port", () => {
    for (const r of ["registry.example.com", "127.0.0.1:5000", "localhost", "localhost:5000", "[::1]:5000", "[2001:db8::1]", "nexus.example:8443"]) assert.ok(isRegistryHost(r), r);
    for (const r of ["registry", "registry.example.com/acme", "registry.example.com:0", "registry.example.com:65536", "https://r.example", "", "[::1"]) assert.ok(!isRegistryHost(r), r);
  });
});

describe("helpers", () => {
  it("pinned: by digest, or by tag or digest", () => {
    const ref = (t: string) => parseImageReference(t) as ImageReference;
    assert.ok(isPinnedByDigest(ref(`nginx@${DIGEST}`)));
    assert.ok(!isPinnedByDigest(ref("nginx:1.27")));
    assert.ok(isPinned(ref("nginx:1.27")) && isPinned(ref(`nginx@${DIGEST}`)));
    assert.ok(!isPinned(ref("nginx")));
  });

  it("the same repository after normalisation: Docker Hub spellings, host case; not another port or registry", () => {
    const same = (a: string, b: string) => sameRepository(parseImageReference(a) as ImageReference, parseImageReference(b) as ImageReference);
    for (const a of ["nginx", "nginx:1.27", "docker.io/nginx", "docker.io/library/nginx:1", `index.docker.io/library/nginx@${DIGEST}`]) assert.ok(same(a, "docker.io/library/nginx"), a);
    assert.ok(same("Registry.Example.com/acme/app:1", "registry.example.com/acme/app"));
    assert.ok(!same("bitnami/redis", "redis"));
    assert.ok(!same("ghcr.io/library/nginx", "nginx"));
    assert.ok(!same("localhost:5001/acme/app", "localhost:5000/acme/app"));
    assert.equal(formatRepository(parseImageReference(`nginx:1@${DIGEST}`) as ImageReference), "docker.io/library/nginx");
  });

  it("sha256 digests as registries write them", () => {
    assert.ok(isSha256Digest(DIGEST));
    for (const d of ["sha256:abc", SHA512, DIGEST.toUpperCase(), ` ${DIGEST}`]) assert.ok(!isSha256Digest(d), d);
  });

  it("the registry-prefix pattern: a registry host, then an optional path", () => {
    for (const p of ["ghcr.io/acme/webshop", "nexus.example:8443/docker-group", "localhost", "localhost/shop", "127.0.0.1:5000", "[::1]:5000/x", "registry.local/shop"])
      assert.ok(REGISTRY_PREFIX_PATTERN.test(p), p);
    for (const p of ["acme/webshop", "https://registry.example.com/acme", "registry.example.com/acme/shop:v1", "registry.example.com/Acme", "nexus/npm", "localhostx/a"])
      assert.ok(!REGISTRY_PREFIX_PATTERN.test(p), p);
  });
});

describe("real references (the corpus copies)", () => {
  const corpus = join(ROOT, "test/fixtures/gitops/corpus");
  const yamlValues = (file: string, keys: string[]) => {
    const found: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object")
        for (const [k, v] of Object.entries(node)) {
          if (keys.includes(k) && typeof v === "string") found.push(v);
          else walk(v);
        }
    };
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) walk(doc.toJS());
    return found;
  };

  it("every Compose image either parses, or has a variable in its name (nothing we could know)", () => {
    const images = readdirSync(join(corpus, "compose")).flatMap((f) => yamlValues(join(corpus, "compose", f), ["image"]));
    assert.ok(images.length >= 15, `${images.length} images`);
    for (const image of images) {
      const parsed = parseImageReference(image, { variables: true });
      if (/^\$\{/.test(image)) assert.equal(parsed, undefined, image);
      else assert.ok(parsed, image);
    }
    assert.deepEqual(parseImageReference("gitea/gitea:latest"), { registry: "docker.io", repository: "gitea/gitea", tag: "latest" }, "latest is someone else's choice in their file");
  });

  it("every kustomize images entry names a repository, except the placeholders in capitals", () => {
    const names = readdirSync(join(corpus, "kustomize")).flatMap((f) => {
      const images = parseAllDocuments(readFileSync(join(corpus, "kustomize", f), "utf8")).flatMap((d) => (d.toJS() as { images?: { name?: string; newName?: string }[] } | null)?.images ?? []);
      return images.flatMap((i) => [i.name, i.newName].filter((n): n is string => typeof n === "string"));
    });
    assert.ok(names.length >= 30, `${names.length} names`);
    const unparsed = [...new Set(names.filter((n) => parseImageReference(n) === undefined))].sort();
    assert.deepEqual(
      unparsed,
      [
        "CONTAINER_IMAGES_REGISTRY/adservice",
        "CONTAINER_IMAGES_REGISTRY/cartservice",
        "CONTAINER_IMAGES_REGISTRY/checkoutservice",
        "CONTAINER_IMAGES_REGISTRY/currencyservice",
        "CONTAINER_IMAGES_REGISTRY/emailservice",
        "CONTAINER_IMAGES_REGISTRY/frontend",
        "CONTAINER_IMAGES_REGISTRY/loadgenerator",
        "CONTAINER_IMAGES_REGISTRY/paymentservice",
        "CONTAINER_IMAGES_REGISTRY/productcatalogservice",
        "CONTAINER_IMAGES_REGISTRY/recommendationservice",
        "CONTAINER_IMAGES_REGISTRY/redis",
        "CONTAINER_IMAGES_REGISTRY/shippingservice",
        "SERVICE_NAME",
      ].filter((n) => names.includes(n)),
    );
  });

  it("every image of the Aspire manifests parses, pinned by a tag", () => {
    const dir = join(ROOT, "test/fixtures/aspire");
    const images = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .flatMap((f) =>
        Object.values((JSON.parse(readFileSync(join(dir, f), "utf8")) as { resources?: Record<string, { image?: unknown }> }).resources ?? {}).flatMap((r) =>
          typeof r.image === "string" ? [r.image] : [],
        ),
      );
    assert.ok(images.length >= 10, `${images.length} images`);
    for (const image of images) assert.ok(isPinned(parseImageReference(image) ?? { registry: "", repository: "" }), image);
  });
});
