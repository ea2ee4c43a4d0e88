/**
 * Mutants for the tiers' own tests: a copy of this repository's modules with one edit, inside
 * build/ so that packages still resolve from the root node_modules. A tier that does not fail
 * on a mutant is a tier that cannot fail.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./modules.js";

/** Copy the root module, modules/ and lib/ (the shared sources) to build/mutants/<name>, apply the edits, return the copy's root. */
export function makeMutant(name: string, edits: { file: string; from: string; to: string }[]): string {
  const dir = join(ROOT, "build/mutants", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const skip = (src: string) => !src.includes("node_modules") && !src.endsWith("/sdk");
  cpSync(join(ROOT, "dagger.json"), join(dir, "dagger.json"));
  cpSync(join(ROOT, ".dagger"), join(dir, ".dagger"), { recursive: true, filter: skip });
  cpSync(join(ROOT, "modules"), join(dir, "modules"), { recursive: true, filter: skip });
  cpSync(join(ROOT, "lib"), join(dir, "lib"), { recursive: true });
  for (const edit of edits) {
    const file = join(dir, edit.file);
    const text = readFileSync(file, "utf8");
    // An edit that matches nothing would make the mutant identical and the test meaningless.
    if (!text.includes(edit.from)) throw new Error(`mutant ${name}: "${edit.from}" not found in ${edit.file}`);
    writeFileSync(file, text.replace(edit.from, edit.to));
  }
  return dir;
}
