/**
 * The layout of the vulnerability gate's `vex` folder: one folder per component, one OpenVEX
 * document per file, `<component>/<name>.json` (e.g. backend/openvex-0.json). Each document is the
 * predicate of a cosign attestation attached to that component's image, whose signature the caller
 * verified. Anything else in the folder is refused, naming it: a document in the wrong place
 * would otherwise be silently unused.
 */
import { GateInputError } from "./errors.js";
import { parseOpenVex, type VexDocument } from "./openvex.js";

/** A component's name, as in `--images component=…`. */
const COMPONENT = /^[a-z][a-z0-9-]*$/;

/** What a path in the folder must look like, for messages. */
const LAYOUT = "one folder per component holding one OpenVEX document per file: <component>/<name>.json";

/** Refuse a folder listing that is not `<component>/<name>.json` (entries ending in "/" are folders; an empty component folder is fine). */
export function checkVexLayout(paths: readonly string[]): void {
  const bad = paths.filter((p) => {
    const m = /^([^/]+)\/([^/]*)$/.exec(p);
    return !m || !COMPONENT.test(m[1]) || (m[2] !== "" && !/^.+\.json$/.test(m[2]));
  });
  if (bad.length > 0) throw new GateInputError(`vex: ${bad.map((p) => JSON.stringify(p)).join(", ")} ${bad.length === 1 ? "is" : "are"} not where the gate reads VEX: ${LAYOUT}`);
}

/** Parse every document of the folder, given as path and text; throws GateInputError for a bad path or the first bad document. */
export function parseVexFiles(files: readonly { path: string; text: string }[]): VexDocument[] {
  checkVexLayout(files.map((f) => f.path));
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((f) => parseOpenVex(f.text, f.path.slice(0, f.path.indexOf("/")), f.path));
}
