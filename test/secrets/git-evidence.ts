/** Where a pushed secret could remain after a git push, as text a canary check reads (test helper). */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Every file under a folder, as text (git objects are compressed there: see everyObject). */
export const everyFile = (dir: string) =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => [join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name), "latin1")] as const);

/** A repository's objects (uncompressed), refs, reflogs and config, as git reads them. */
export const everyObject = (repo: string) =>
  [
    execFileSync("git", ["-C", repo, "cat-file", "--batch-all-objects", "--batch"], { encoding: "latin1", maxBuffer: 64 * 1024 * 1024 }),
    execFileSync("git", ["-C", repo, "for-each-ref"], { encoding: "utf8" }),
    execFileSync("git", ["-C", repo, "reflog", "--all"], { encoding: "utf8" }),
    execFileSync("git", ["-C", repo, "config", "--list", "--local"], { encoding: "utf8" }),
  ].join("\n");
