// The OpenVEX documents of test/fixtures/gates/openvex (see its README for their sources).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../tiers/modules.js";

/** The fixtures folder. */
export const VEX_FIXTURES = join(ROOT, "test/fixtures/gates/openvex");

/** A document's text by file name. */
export const vexText = (name: string): string => readFileSync(join(VEX_FIXTURES, name), "utf8");

/** A document's text after changing a parsed copy. */
export function vexEdited(name: string, edit: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(vexText(name)) as Record<string, any>;
  edit(doc);
  return JSON.stringify(doc, null, 2);
}
