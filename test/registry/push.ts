/**
 * Pushes a small but real image into a registry through the distribution API, independently of
 * the client under test (test helper): a layer (tar.gz of one file) and an image config, each
 * uploaded with POST /v2/<name>/blobs/uploads/ then PUT <location>?digest=…, then the image
 * manifest (OCI or Docker v2) with PUT /v2/<name>/manifests/<tag>; optionally an image index over it.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { tar } from "./tar.js";

/** Where and how to push. */
export interface PushTarget {
  /** Base URL of the registry, e.g. http://127.0.0.1:5000. */
  base: string;
  /** Repository path, e.g. shop/backend. */
  repository: string;
  /** Authorization header value to send with every request (Basic … or Bearer …), if the registry needs one. */
  authorization?: string;
}

/** What was pushed: the manifest's digest, bytes and media type, and the blobs it names. */
export interface PushedImage {
  digest: string;
  mediaType: string;
  bytes: Uint8Array<ArrayBuffer>;
  configDigest: string;
  layerDigest: string;
}

/** Media types of the two manifest formats we push. */
const FORMATS = {
  oci: {
    manifest: "application/vnd.oci.image.manifest.v1+json",
    config: "application/vnd.oci.image.config.v1+json",
    layer: "application/vnd.oci.image.layer.v1.tar+gzip",
  },
  docker: {
    manifest: "application/vnd.docker.distribution.manifest.v2+json",
    config: "application/vnd.docker.container.image.v1+json",
    layer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  },
} as const;

/** Push a one-layer linux/amd64 image whose file /hello.txt holds `text`, tagged `tag`. */
export async function pushImage(target: PushTarget, tag: string, text: string, format: keyof typeof FORMATS = "oci"): Promise<PushedImage> {
  const types = FORMATS[format];
  const layerTar = tar([{ path: "hello.txt", content: `${text}\n` }]);
  const layer = new Uint8Array(gzipSync(layerTar, { level: 9 }));
  const config = json({
    architecture: "amd64",
    os: "linux",
    config: { Cmd: ["/bin/cat", "/hello.txt"] },
    rootfs: { type: "layers", diff_ids: [digestOf(layerTar)] },
    history: [{ created_by: "test/registry/push.ts", comment: text }],
  });
  const configDigest = await uploadBlob(target, config);
  const layerDigest = await uploadBlob(target, layer);
  const manifest = json({
    schemaVersion: 2,
    mediaType: types.manifest,
    config: { mediaType: types.config, digest: configDigest, size: config.length },
    layers: [{ mediaType: types.layer, digest: layerDigest, size: layer.length }],
  });
  const digest = await putManifest(target, tag, types.manifest, manifest);
  return { digest, mediaType: types.manifest, bytes: manifest, configDigest, layerDigest };
}

/** Push an OCI image index naming one linux/amd64 image manifest, tagged `tag`. */
export async function pushIndex(target: PushTarget, tag: string, image: PushedImage): Promise<{ digest: string; bytes: Uint8Array<ArrayBuffer>; mediaType: string }> {
  const mediaType = "application/vnd.oci.image.index.v1+json";
  const bytes = json({
    schemaVersion: 2,
    mediaType,
    manifests: [{ mediaType: image.mediaType, digest: image.digest, size: image.bytes.length, platform: { architecture: "amd64", os: "linux" } }],
  });
  return { digest: await putManifest(target, tag, mediaType, bytes), bytes, mediaType };
}

/** Monolithic blob upload: POST to start, PUT the bytes with ?digest= to finish; returns the digest. */
export async function uploadBlob(target: PushTarget, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = digestOf(bytes);
  const start = await call(target, "POST", `${target.base}/v2/${target.repository}/blobs/uploads/`, {}, undefined, 202);
  const location = start.headers.get("location");
  if (!location) throw new Error(`push: POST blobs/uploads/ answered 202 without a Location header`);
  const url = new URL(location, target.base);
  url.searchParams.set("digest", digest);
  const done = await call(target, "PUT", url.toString(), { "Content-Type": "application/octet-stream" }, bytes, 201);
  const stored = done.headers.get("docker-content-digest");
  if (stored !== digest) throw new Error(`push: blob stored as ${stored}, expected ${digest}`);
  return digest;
}

async function putManifest(target: PushTarget, tag: string, mediaType: string, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const response = await call(target, "PUT", `${target.base}/v2/${target.repository}/manifests/${tag}`, { "Content-Type": mediaType }, bytes, 201);
  const digest = digestOf(bytes);
  const stored = response.headers.get("docker-content-digest");
  if (stored !== digest) throw new Error(`push: manifest stored as ${stored}, expected ${digest}`);
  return digest;
}

async function call(target: PushTarget, method: string, url: string, headers: Record<string, string>, body: Uint8Array<ArrayBuffer> | undefined, expected: number): Promise<Response> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(target.authorization ? { Authorization: target.authorization } : {}) },
    body,
  });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`push: ${method} ${new URL(url).pathname}: ${response.status} ${response.statusText}, expected ${expected}: ${text}`);
  return response;
}

function json(value: unknown): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(value));
}

function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}
