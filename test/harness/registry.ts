/**
 * A small in-memory OCI distribution registry on 127.0.0.1 for the harness (manifests only; the
 * harness has no layers): the registry client tags and reads here over real HTTP, and the core
 * model's `publish` pushes a manifest of the published chain here, so every registry push is a
 * counted write with a real digest. The real registry (docker-registry) is used by the
 * integration suites; `npm test` has none.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One manifest PUT: where it went and what digest it has. */
export interface RegistryWrite {
  repository: string;
  tag: string;
  digest: string;
}

/** A running in-memory registry. */
export class MemoryRegistry {
  readonly writes: RegistryWrite[] = [];
  /** Every manifest read over HTTP (GET or HEAD): repository and tag or digest. The engine model's resolutions are not HTTP reads. */
  readonly reads: { repository: string; reference: string }[] = [];
  private readonly blobs = new Map<string, { bytes: Buffer; mediaType: string }>();
  private readonly tags = new Map<string, string>();
  private server?: Server;
  address = "";

  /** Listen on an ephemeral loopback port; the address is 127.0.0.1:<port>. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(req.url ?? "");
      if (req.url === "/v2/" || req.url === "/v2") return void res.writeHead(200).end();
      if (!m) return void res.writeHead(404).end();
      const [, repository, ref] = m;
      if (req.method === "PUT") {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const bytes = Buffer.concat(chunks);
          const digest = this.store(repository, ref, bytes, String(req.headers["content-type"] ?? "application/vnd.oci.image.manifest.v1+json"));
          res.writeHead(201, { "Docker-Content-Digest": digest }).end();
        });
        return;
      }
      this.reads.push({ repository, reference: ref });
      const digest = ref.startsWith("sha256:") ? ref : this.tags.get(`${repository}:${ref}`);
      const blob = digest ? this.blobs.get(`${repository}@${digest}`) : undefined;
      if (!blob || !digest) return void res.writeHead(404).end();
      res.writeHead(200, { "Content-Type": blob.mediaType, "Docker-Content-Digest": digest, "Content-Length": blob.bytes.length });
      res.end(req.method === "HEAD" ? undefined : blob.bytes);
    });
    await new Promise<void>((r) => (this.server as Server).listen(0, "127.0.0.1", r));
    this.address = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Store a manifest under a tag (as a PUT does); returns its digest. */
  store(repository: string, tag: string, bytes: Buffer, mediaType: string): string {
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    this.blobs.set(`${repository}@${digest}`, { bytes, mediaType });
    if (!tag.startsWith("sha256:")) this.tags.set(`${repository}:${tag}`, digest);
    this.writes.push({ repository, tag, digest });
    return digest;
  }

  /** The digest a tag names, or undefined (a read: not counted as a write). */
  resolve(repository: string, tag: string): string | undefined {
    return this.tags.get(`${repository}:${tag}`);
  }

  /** Stop listening. */
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}
