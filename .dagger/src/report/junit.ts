/** JUnit XML: read failing test names from a runner's report, and write one for checks that have no runner. */
import { XMLParser } from "../vendor/fast-xml-parser.js";

/** An element in fast-xml-parser's ordered form: { tag: children[], ":@": { "@attr": value } }. */
type Element = Record<string, unknown> & { ":@"?: Record<string, string> };

const tagOf = (e: Element) => Object.keys(e).find((k) => k !== ":@") ?? "";
const childrenOf = (e: Element) => (Array.isArray(e[tagOf(e)]) ? (e[tagOf(e)] as Element[]) : []);

/** Names of the failed test cases in a JUnit report ("suite > test"), in report order. */
export function failedTests(xml: string): string[] {
  // preserveOrder keeps suites and test cases in document order, which grouping by tag would lose.
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", preserveOrder: true }).parse(xml) as Element[];
  const failed: string[] = [];
  // Node's reporter nests a suite per describe(); other runners put testsuites at the top.
  const walk = (elements: Element[], path: string[]) => {
    for (const e of elements) {
      const tag = tagOf(e);
      const name = e[":@"]?.["@name"] ?? "";
      if (tag === "testsuites") walk(childrenOf(e), path);
      else if (tag === "testsuite") walk(childrenOf(e), name ? [...path, name] : path);
      else if (tag === "testcase" && childrenOf(e).some((c) => ["failure", "error"].includes(tagOf(c)))) failed.push([...path, name].join(" > "));
    }
  };
  walk(doc, []);
  return failed;
}

/** A one-test JUnit report for a check without a test runner (lint, typecheck): CI hosts show every check the same way. */
export function checkReport(component: string, check: string, status: "passed" | "failed" | "not-run", output: string, seconds: number): string {
  const body =
    status === "failed"
      ? `\n      <failure message="${xmlEscape(`${check} failed`)}">${xmlEscape(tail(output))}</failure>\n    `
      : status === "not-run"
        ? `\n      <skipped message="${xmlEscape(output)}"/>\n    `
        : "";
  return `<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testsuite name="${xmlEscape(component)}" tests="1" failures="${status === "failed" ? 1 : 0}" skipped="${status === "not-run" ? 1 : 0}" time="${seconds.toFixed(3)}">
    <testcase name="${xmlEscape(check)}" classname="${xmlEscape(component)}" time="${seconds.toFixed(3)}">${body}</testcase>
  </testsuite>
</testsuites>
`;
}

/** The last lines of a log: where the reason for a failure usually is. */
export function tail(output: string, lines = 40): string {
  return output.trimEnd().split("\n").slice(-lines).join("\n");
}

function xmlEscape(s: string): string {
  // XML 1.0 cannot carry most control characters at all; drop them rather than emit invalid XML.
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
