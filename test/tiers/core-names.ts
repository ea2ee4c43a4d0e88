/**
 * The SDK's known trap: a type of ours named like a core type (Env, Secret, Container…) silently
 * resolves to the core type. This lists such names in a module's sources so a test can fail on them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { ROOT } from "./modules.js";

const CLIENT = join(ROOT, "node_modules/@dagger.io/dagger/dist/src/api/client.gen.d.ts");

/** Names of the core API's classes, enums and scalar types, read from the pinned SDK's client. */
export function coreTypeNames(): Set<string> {
  const source = ts.createSourceFile(CLIENT, readFileSync(CLIENT, "utf8"), ts.ScriptTarget.ES2022);
  const names = new Set<string>();
  for (const s of source.statements) {
    if ((ts.isClassDeclaration(s) || ts.isEnumDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s)) && s.name && !s.name.text.endsWith("Opts")) names.add(s.name.text);
  }
  return names;
}

/** file:line: name for every top-level class, enum, interface or type of a src/ folder that shadows a core type. */
export function coreNameClashes(srcDir: string, core = coreTypeNames()): string[] {
  const clashes: string[] = [];
  for (const file of tsFiles(srcDir)) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    for (const s of source.statements) {
      const isType = ts.isClassDeclaration(s) || ts.isEnumDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s);
      if (isType && s.name && core.has(s.name.text)) {
        const line = source.getLineAndCharacterOfPosition(s.name.getStart()).line + 1;
        clashes.push(`${relative(ROOT, file)}:${line}: ${s.name.text} is a core Dagger type name; rename it (e.g. Environment, Stage, Release)`);
      }
    }
  }
  return clashes;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}
