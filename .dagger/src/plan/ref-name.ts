/**
 * Branch and tag names as git allows them (`git check-ref-format --branch`), checked before a
 * name reaches the plan, a namespace or a log line: a ref is an argument from CI or a person, and
 * a newline or an escape in it would forge lines of the plan's output.
 */
import { InputError, quoted } from "../errors.js";

/** Longest ref accepted, in UTF-8 bytes: a ref is a file name under .git/refs, and file systems cap those at 255. */
export const MAX_REF_BYTES = 255;

/**
 * What `git check-ref-format` refuses in a name, plus what git allows but a terminal acts on
 * (Unicode line separators and bidirectional overrides, which reorder what a reader sees).
 */
const RULES: [RegExp, string][] = [
  [/[\u0000-\u001f\u007f-\u009f]/, "holds a control character (a newline, a tab or an escape sequence)"],
  [/[\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/, "holds an invisible Unicode line separator or direction mark"],
  [/ /, "holds a space"],
  [/[~^:?*[\\]/, "holds one of ~ ^ : ? * [ \\"],
  [/\.\./, 'holds ".."'],
  [/@\{/, 'holds "@{"'],
  [/^@$/, 'is "@"'],
  [/^-/, 'starts with "-" (it would read as an option)'],
  [/^\/|\/$|\/\//, 'starts or ends with "/" or holds "//"'],
  [/(^|\/)\./, 'has a part that starts with "."'],
  [/\.lock(\/|$)/, 'has a part that ends with ".lock"'],
  [/\.$/, 'ends with "."'],
];

/**
 * Why `name` is not a branch or tag name git would create, or undefined when it is one. The field
 * and value are the caller's to name.
 */
export function refNameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (Buffer.byteLength(name, "utf8") > MAX_REF_BYTES) return `is longer than ${MAX_REF_BYTES} bytes`;
  return RULES.find(([bad]) => bad.test(name))?.[1];
}

/** The name, or an InputError naming the field, the value (escaped) and what git allows. */
export function checkRefName(field: string, name: string, what: "branch" | "tag"): string {
  const problem = refNameProblem(name);
  if (problem === undefined) return name;
  throw new InputError(
    `${field}: ${quoted(name)} is not a valid ${what} name: it ${problem}; a git ${what} name is what \`git check-ref-format --branch\` accepts (no spaces, control characters, "..", ~ ^ : ? * [ \\, "@{", no part starting with "." or ending in ".lock", at most ${MAX_REF_BYTES} bytes), e.g. ${what === "branch" ? "feature/login" : "v1.4.0"}`,
  );
}
