/**
 * The harness's model of the core API objects whose content matters to our code: directories and
 * files (real content, from the host, from git or from with* calls), secrets (their plaintext, kept
 * out of every recorded chain), git remotes (real bare repositories, branch reads cached per
 * session) and one kind of container exec (a `node` script the chain wrote, run on the host with
 * the container's files and variables: how the GitOps module's push reaches a real bare repository).
 * Everything else a chain asks is the recorder's placeholder (test/recorder/leaves.ts).
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import picomatch from "picomatch";
import { renderChain } from "../recorder/render.js";
import { type Call, type Chain, isRef, type Value } from "../recorder/types.js";
import type { Engine } from "./engine.js";
import type { MemoryRegistry } from "./registry.js";

/** A directory's files by path (no leading slash); folders are implied by their files. */
export type Tree = Map<string, string>;

const str = (v: Value | undefined): string => (typeof v === "string" ? v : "");
const norm = (p: string) => p.replace(/^\/+/, "").replace(/\/+$/, "");

/** Files under a host folder, skipping what a defaultPath `ignore` of ours skips (dependencies, builds, .git). */
function hostTree(root: string, exclude: string[]): Tree {
  const tree: Tree = new Map();
  const skip = picomatch(exclude.length > 0 ? exclude : ["**/node_modules", "**/node_modules/**", ".git", ".git/**"], { dot: true });
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (skip(rel) || skip(`${rel}/`) || name === "node_modules" || name === ".git") continue;
      if (statSync(path).isDirectory()) walk(path);
      else tree.set(rel, readFileSync(path, "utf8"));
    }
  };
  walk(root);
  return tree;
}

/** A subtree re-rooted at `path`. */
function subtree(tree: Tree, path: string): Tree {
  const prefix = `${norm(path)}/`;
  if (norm(path) === "") return new Map(tree);
  return new Map([...tree].filter(([p]) => p.startsWith(prefix)).map(([p, c]) => [p.slice(prefix.length), c]));
}

/** The core model of one engine: evaluates directory, file, secret and git chains. */
export class Core {
  constructor(
    private readonly engine: Engine,
    private readonly registry?: MemoryRegistry,
    /** Remote URLs served from folders on this machine (a smart-HTTP server in front of bare repositories). */
    private readonly remotes: Record<string, string> = {},
  ) {
    engine.useRegistry(registry);
  }

  /** The files of the directory a chain reaches, or undefined when it is not one the model knows. */
  tree(chain: Chain): Tree | undefined {
    if (chain.length === 0) return undefined;
    const last = chain[chain.length - 1];
    const before = chain.slice(0, -1);
    const args = last.args;
    switch (last.field) {
      case "directory":
        if (before.length === 0) return new Map();
        if (before[before.length - 1]?.field === "host") return hostTree(str(args.path), (args.exclude as string[] | undefined) ?? []);
        return this.sub(before, str(args.path));
      case "tree":
        return this.gitTree(before);
      case "withNewFile": {
        const t = this.tree(before);
        return t && new Map(t).set(norm(str(args.path)), str(args.contents));
      }
      case "withDirectory": {
        const t = this.tree(before);
        const src = isRef(args.source as Value) ? this.tree((args.source as { $ref: Chain }).$ref) : undefined;
        if (!t || !src) return undefined;
        const out = new Map(t);
        const at = norm(str(args.path));
        for (const [p, c] of src) out.set(at ? `${at}/${p}` : p, c);
        return out;
      }
      case "withFile": {
        const t = this.tree(before);
        const content = isRef(args.source as Value) ? this.file((args.source as { $ref: Chain }).$ref) : undefined;
        return t && content !== undefined ? new Map(t).set(norm(str(args.path)), content) : undefined;
      }
      case "withoutFile":
      case "withoutDirectory": {
        const t = this.tree(before);
        if (!t) return undefined;
        const at = norm(str(args.path));
        return new Map([...t].filter(([p]) => p !== at && !p.startsWith(`${at}/`)));
      }
      default:
        return undefined;
    }
  }

  private sub(chain: Chain, path: string): Tree | undefined {
    const t = this.tree(chain);
    return t && subtree(t, path);
  }

  /** The content of the file a chain reaches (`<directory>.file(path)`), or undefined. */
  file(chain: Chain): string | undefined {
    const last = chain[chain.length - 1];
    if (last?.field !== "file") return undefined;
    return this.lookup(chain.slice(0, -1), norm(str(last.args.path)));
  }

  /** A file of a directory chain: from the whole tree when the model knows it, else from the with* calls that wrote it (on a container's folder, say). */
  private lookup(chain: Chain, path: string): string | undefined {
    const known = this.tree(chain);
    if (known) return known.get(path);
    for (let i = chain.length - 1; i >= 0; i--) {
      const c = chain[i];
      if (c.field === "withNewFile" && norm(str(c.args.path)) === path) return str(c.args.contents);
      if ((c.field === "withoutFile" || c.field === "withoutDirectory") && (norm(str(c.args.path)) === path || path.startsWith(`${norm(str(c.args.path))}/`))) return undefined;
      if (!["withNewFile", "withoutFile", "withoutDirectory", "withDirectory", "withFile"].includes(c.field)) return undefined;
    }
    return undefined;
  }

  /**
   * A git tree: `git(url).branch(name).tree`, `…commit(id).tree`, `…ref(name).tree`. The remote is
   * a real repository on this machine. A branch is resolved once per session (rule (f), see
   * engine.ts), so a read after our own push in the same session sees the old tip, as the engine does.
   */
  private gitTree(chain: Chain): Tree | undefined {
    const [git, ref] = chain;
    if (git?.field !== "git" || !ref || chain.length !== 2) return undefined;
    const url = str(git.args.url);
    const repo = this.remotes[url] ?? url.replace(/^file:\/\//, "");
    const commit = ref.field === "commit" ? str(ref.args.id) : this.engine.resolveRemoteRef(repo, ref.field === "branch" ? `refs/heads/${str(ref.args.name)}` : str(ref.args.name));
    if (!commit) throw new Error(`harness: ${repo} has no ${renderChain([ref])}`);
    const tree: Tree = new Map();
    const files = execFileSync("git", ["ls-tree", "-r", "--name-only", commit], { cwd: repo, encoding: "utf8" }).split("\n").filter(Boolean);
    for (const f of files) tree.set(f, execFileSync("git", ["show", `${commit}:${f}`], { cwd: repo, encoding: "utf8" }));
    return tree;
  }

  /** The answer to a leaf on a core chain, or undefined for the recorder's placeholder. */
  leaf(receiver: Chain, call: Call): unknown {
    const args = call.args;
    switch (call.field) {
      case "contents": {
        const content = this.file(receiver);
        // The engine fails Directory.file on a missing path; a placeholder would let a caller read "" as the file.
        const last = receiver[receiver.length - 1];
        if (content === undefined && last?.field === "file" && this.tree(receiver.slice(0, -1))) throw new Error(`${norm(str(last.args.path))}: no such file or directory`);
        return content;
      }
      case "exists": {
        const t = this.tree(receiver);
        if (!t) return undefined;
        const p = norm(str(args.path));
        return t.has(p) || [...t.keys()].some((k) => k.startsWith(`${p}/`));
      }
      case "entries": {
        const t = this.tree(receiver);
        if (!t) return undefined;
        const base = subtree(t, str(args.path));
        return [...new Set([...base.keys()].map((k) => (k.includes("/") ? `${k.split("/")[0]}/` : k)))].sort();
      }
      case "glob": {
        const t = this.tree(receiver);
        const matches = picomatch(str(args.pattern), { dot: true });
        return t && [...t.keys()].filter((k) => matches(k)).sort();
      }
      case "plaintext":
        return this.engine.secretValue(receiver);
      case "publish":
        return this.publish(receiver, str(args.address));
      case "imageRef":
        return this.imageRef(receiver);
      case "stdout":
      case "stderr":
      case "exitCode": {
        const ran = this.hostExec(receiver);
        const field = call.field;
        return ran?.then((r) => (field === "exitCode" ? r.code : field === "stdout" ? r.stdout : r.stderr));
      }
      default:
        return undefined;
    }
  }

  /**
   * `from(address).imageRef()` (rule (h), engine/image-resolution.ts): the harness registry's
   * digest for its own images, the upstream table's for the others; only right after `from`, as
   * the engine refuses imageRef on a changed container (core/container.go ImageRefOrErr).
   */
  private imageRef(chain: Chain): string {
    const last = chain[chain.length - 1];
    if (last?.field !== "from") throw new Error("Image reference can only be retrieved immediately after the 'Container.From' call.");
    return this.engine.images.imageRef(String(this.engine.session), str(last.args.address));
  }

  /**
   * A push to the harness's registry: a manifest standing for the container (the same chain, the
   * same digest, as a repeatable build gives), stored under the tag. Not cached: every publish pushes.
   */
  private publish(chain: Chain, address: string): string | undefined {
    const registry = this.registry;
    if (!registry || !address.startsWith(`${registry.address}/`)) return undefined;
    const at = address.lastIndexOf(":");
    const repository = address.slice(registry.address.length + 1, at);
    const config = `sha256:${createHash("sha256").update(renderChain(chain)).digest("hex")}`;
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: config, size: 0 },
        layers: [],
      }),
    );
    const digest = registry.store(repository, address.slice(at + 1), manifest, "application/vnd.oci.image.manifest.v1+json");
    return `${address}@${digest}`;
  }

  /**
   * A container whose last exec is `node <script>` where the chain wrote that script: run on the
   * host (node and git are there, as in the GitOps module's image), with the container's
   * directories under a temporary root, its variables and secret variables. Once per exec chain,
   * as the engine caches an exec by its inputs.
   */
  private hostExec(chain: Chain): Promise<{ stdout: string; stderr: string; code: number }> | undefined {
    const exec = chain[chain.length - 1];
    if (exec?.field !== "withExec") return undefined;
    const argv = (exec.args.args as string[] | undefined) ?? [];
    const script = chain.find((c) => c.field === "withNewFile" && str(c.args.path) === argv[1]);
    if (argv[0] !== "node" || !script) return undefined;
    return this.engine.memoExec(renderChain(chain), () => {
      const root = mkdtempSync(join(tmpdir(), "harness-exec-"));
      const at = (p: string) => join(root, norm(p));
      const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: root };
      // Only values naming a path the chain put files at are moved under the root (a remote's local path is not).
      const written = chain.filter((c) => c.field === "withNewFile" || c.field === "withDirectory").map((c) => norm(str(c.args.path)));
      const inContainer = (v: string) => v.startsWith("/") && written.some((w) => norm(v) === w || norm(v).startsWith(`${w}/`) || w.startsWith(`${norm(v)}/`));
      for (const c of chain) {
        if (c.field === "withNewFile") {
          mkdirSync(dirname(at(str(c.args.path))), { recursive: true });
          writeFileSync(at(str(c.args.path)), str(c.args.contents));
        } else if (c.field === "withDirectory" && isRef(c.args.source as Value)) {
          const t = this.tree((c.args.source as { $ref: Chain }).$ref) ?? new Map();
          mkdirSync(at(str(c.args.path)), { recursive: true });
          for (const [p, content] of t) {
            mkdirSync(dirname(join(at(str(c.args.path)), p)), { recursive: true });
            writeFileSync(join(at(str(c.args.path)), p), content);
          }
        } else if (c.field === "withEnvVariable") env[str(c.args.name)] = inContainer(str(c.args.value)) ? at(str(c.args.value)) : str(c.args.value);
        else if (c.field === "withSecretVariable" && isRef(c.args.secret as Value)) env[str(c.args.name)] = this.engine.secretValue((c.args.secret as { $ref: Chain }).$ref) ?? "";
      }
      // Asynchronous: the remote may be served by this very process (a smart-HTTP server in a test).
      return new Promise((resolve, reject) => {
        const child = spawn("node", [at(argv[1]), ...argv.slice(2)], { env, cwd: root, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d));
        child.stderr.on("data", (d: Buffer) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ stdout, stderr, code: code ?? 1 }));
      });
    });
  }
}
