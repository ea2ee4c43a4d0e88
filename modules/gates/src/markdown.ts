/** The vulnerability gate's verdict as Markdown, for job summaries and pull request bodies. */
import { shortDigest } from "./identity.js";
import { SEVERITIES } from "./severity.js";
import type { Finding } from "./trivy.js";
import type { ComponentScanVerdict, VulnerabilityVerdict, WaivedFinding } from "./vulnerabilities.js";

const MOST_SEVERE_FIRST = [...SEVERITIES].reverse();

/** Render a vulnerability verdict: a table per component, then what blocked, what was waived and by whom. */
export function renderVulnerabilityVerdict(v: VulnerabilityVerdict): string {
  const head = v.waivedByEmergency ? "⚠️ passed by emergency" : v.passed ? "✅ passed" : "❌ blocked";
  const out = [`### Vulnerabilities: ${head}`, "", `Blocking severities: ${v.blockingSeverities.join(", ")}; waivers judged on ${v.today}.`, ""];
  if (v.emergency) out.push(`**Emergency declared:** ${cell(v.emergency.reason)}`, "");
  out.push(`| component | image | verdict | ${MOST_SEVERE_FIRST.join(" | ")} |`, `|---|---|---|${MOST_SEVERE_FIRST.map(() => "---:").join("|")}|`);
  // Without a usable report nothing was counted: a dash, not a reassuring zero.
  for (const c of v.components) out.push(`| ${cell(c.component)} | ${c.digest ? `\`${shortDigest(c.digest)}\`` : "(no digest)"} | ${verdictOf(c)} | ${MOST_SEVERE_FIRST.map((s) => (c.reportProblem ? "–" : c.counts[s])).join(" | ")} |`);
  for (const c of v.components) out.push(...componentSections(c));
  return `${out.join("\n")}\n`;
}

function verdictOf(c: ComponentScanVerdict): string {
  if (c.waivedByEmergency) return "⚠️ waived (emergency)";
  return c.passed ? "✅ passed" : "❌ blocked";
}

function componentSections(c: ComponentScanVerdict): string[] {
  const out: string[] = [];
  if (c.reportProblem) out.push("", `**${cell(c.component)}**: ${cell(c.reportProblem)}${c.waivedByEmergency ? " (waived by emergency)" : ""}`);
  if (c.blocking.length > 0) {
    out.push("", `**${cell(c.component)}**: ${c.waivedByEmergency ? "let through by the emergency" : "blocking"}`, "", "| id | package | installed | fixed | severity | title | note |", "|---|---|---|---|---|---|---|");
    for (const f of c.blocking) {
      const lapsed = c.expired.find((e) => e.finding === f);
      out.push(`${findingRow(f)} ${lapsed ? `waiver expired on ${lapsed.waiver.expires}` : ""} |`);
    }
  }
  if (c.waived.length > 0) {
    out.push("", `**${cell(c.component)}**: waived`, "", "| id | package | installed | fixed | severity | title | approver | expires | reason |", "|---|---|---|---|---|---|---|---|---|");
    for (const w of c.waived) out.push(waivedRow(w));
  }
  return out;
}

function findingRow(f: Finding): string {
  return `| ${cell(f.id)} | ${cell(f.package)} | ${cell(f.installed)} | ${cell(f.fixed ?? "no fix yet")} | ${f.severity} | ${cell(f.title ?? "")} |`;
}

function waivedRow(w: WaivedFinding): string {
  return `${findingRow(w.finding)} ${cell(w.waiver.approver)} | ${w.waiver.expires} | ${cell(w.waiver.reason)} |`;
}

/** Text from a report or a waiver made safe for a table cell: pipes escaped, line breaks flattened. */
function cell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\s*[\r\n]+\s*/g, " ");
}
