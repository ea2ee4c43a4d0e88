/**
 * Branch names as `git check-ref-format --branch` allows them. pipeline.yaml names branches
 * (branches.main, gitops.branch) that become refs, CLI values and lines of the plan's output;
 * a name git refuses would match no push, and a newline in one would forge a line.
 */

/** Longest name accepted, in UTF-8 bytes: a ref is a file under .git/refs, and file systems cap names at 255. */
const MAX_BYTES = 255;

/** What git refuses in a branch name, each with what to tell the user. */
const RULES: [RegExp, string][] = [
  [/[\u0000-\u001f\u007f]/, "holds a control character (a newline, a tab or an escape)"],
  [/ /, "holds a space"],
  [/[~^:?*[\\]/, "holds one of ~ ^ : ? * [ \\"],
  [/\.\./, 'holds ".."'],
  [/@\{/, 'holds "@{"'],
  [/^@$/, 'is "@"'],
  [/^-/, 'starts with "-"'],
  [/^\/|\/$|\/\//, 'starts or ends with "/" or holds "//"'],
  [/(^|\/)\./, 'has a part that starts with "."'],
  [/\.lock(\/|$)/, 'has a part that ends with ".lock"'],
  [/\.$/, 'ends with "."'],
];

/** Why git would refuse `name` as a branch name (completing "it …"), or undefined when git allows it. */
export function branchNameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (new TextEncoder().encode(name).length > MAX_BYTES) return `is longer than ${MAX_BYTES} bytes`;
  const broken = RULES.find(([bad]) => bad.test(name))?.[1];
  return broken === undefined
    ? undefined
    : `${broken}; a branch name has no spaces, control characters, "..", "@{" or any of ~ ^ : ? * [ \\, does not start with "-" or end with "/" or ".", and no part of it starts with "." or ends in ".lock" (e.g. main, release/2.x)`;
}
