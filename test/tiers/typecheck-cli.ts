/** `npm run typecheck`: type-check every Dagger module offline; exit 1 with the compiler's messages. */
import { allModules } from "./modules.js";
import { typecheckModule } from "./typecheck.js";

let failed = 0;
for (const mod of allModules()) {
  const problems = typecheckModule(mod);
  failed += problems.length;
  process.stdout.write(`${mod.name}: ${problems.length === 0 ? "ok" : `${problems.length} error(s)`}\n${problems.map((p) => `  ${p}\n`).join("")}`);
}
process.exitCode = failed === 0 ? 0 : 1;
