/** The vulnerability gate's verdict as Markdown, for job summaries and pull request bodies. */
import { shortDigest } from "./identity.js";
import { describeCounts, SEVERITIES, type SeverityCounts } from "./severity.js";
import type { Finding, MisconfigurationFinding, SecretFinding, VulnerabilityFinding } from "./trivy.js";
import type { ComponentScanVerdict, VulnerabilityVerdict, WaivedFinding } from "./vulnerabilities.js";

const MOST_SEVERE_FIRST = [...SEVERITIES].reverse();

/** Render a vulnerability verdict: a table per component, then what blocked, what was waived and by whom. */
export function renderVulnerabilityVerdict(v: VulnerabilityVerdict): string {
  const head = v.waivedByEmergency ? "⚠️ passed by emergency" : v.passed ? "✅ passed" : "❌ blocked";
  const out = [`### Vulnerabilities: ${head}`, "", `Blocking severities: ${v.blockingSeverities.join(", ")}; waivers judged on ${v.today}.`, ""];
  if (v.emergency) out.push(`**Emergency declared:** ${cell(v.emergency.reason)}`, "");
  out.push(`| component | image | verdict | ${MOST_SEVERE_FIRST.join(" | ")} |`, `|---|---|---|${MOST_SEVERE_FIRST.map(() => "---:").join("|")}|`);
  // Without a usable report nothing was counted: a dash, not a reassuring zero.
  for (const c of v.components)
    out.push(
      `| ${cell(c.component)} | ${c.digest ? `\`${shortDigest(c.digest)}\`` : "(no digest)"} | ${verdictOf(c)} | ${MOST_SEVERE_FIRST.map((s) => (c.reportProblem ? "–" : c.counts[s])).join(" | ")} |`,
    );
  // The table counts vulnerabilities; secrets and failed misconfiguration checks, when there are any, below it.
  const also = v.components.flatMap((c) => {
    const parts = [counted(c.secretCounts, "secret"), counted(c.misconfigurationCounts, "misconfiguration")].filter((p) => p !== "");
    return parts.length > 0 ? [`${cell(c.component)}: ${parts.join(", ")}`] : [];
  });
  if (also.length > 0) out.push("", `Also found: ${also.join("; ")}.`);
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
    out.push("", `**${cell(c.component)}**: ${c.waivedByEmergency ? "let through by the emergency" : "blocking"}`);
    const note = (f: Finding) => {
      if (f.kind === "secret") return "a secret is never waived; remove it from the image, rotate it and rebuild";
      const lapsed = c.expired.find((e) => e.finding === f);
      return lapsed ? `waiver expired on ${lapsed.waiver.expires}` : "";
    };
    const vulnerabilities = c.blocking.filter(isVulnerability);
    if (vulnerabilities.length > 0) {
      out.push("", "| id | package | installed | fixed | severity | title | note |", "|---|---|---|---|---|---|---|");
      for (const f of vulnerabilities) out.push(`${vulnerabilityRow(f)} ${note(f)} |`);
    }
    const others = c.blocking.filter((f) => !isVulnerability(f));
    if (others.length > 0) {
      out.push("", "| kind | id | target | severity | title | note |", "|---|---|---|---|---|---|");
      for (const f of others) out.push(`${otherRow(f)} ${note(f)} |`);
    }
  }
  if (c.waived.length > 0) {
    out.push("", `**${cell(c.component)}**: waived`);
    const vulnerabilities = c.waived.filter((w) => isVulnerability(w.finding));
    if (vulnerabilities.length > 0) {
      out.push("", "| id | package | installed | fixed | severity | title | approver | expires | reason |", "|---|---|---|---|---|---|---|---|---|");
      for (const w of vulnerabilities) out.push(`${vulnerabilityRow(w.finding as VulnerabilityFinding)} ${waiverCells(w)}`);
    }
    const others = c.waived.filter((w) => !isVulnerability(w.finding));
    if (others.length > 0) {
      out.push("", "| kind | id | target | severity | title | approver | expires | reason |", "|---|---|---|---|---|---|---|---|");
      for (const w of others) out.push(`${otherRow(w.finding as MisconfigurationFinding | SecretFinding)} ${waiverCells(w)}`);
    }
  }
  if (c.vexWaived.length > 0) {
    out.push(
      "",
      `**${cell(c.component)}**: waived by VEX`,
      "",
      "| id | package | installed | fixed | severity | title | status | why | author | timestamp | document |",
      "|---|---|---|---|---|---|---|---|---|---|---|",
    );
    for (const { finding, statement: s } of c.vexWaived) {
      const why = [s.justification, s.impactStatement ?? s.statusNotes].filter((p) => p !== undefined).join(": ");
      out.push(`${vulnerabilityRow(finding as VulnerabilityFinding)} ${s.status} | ${cell(why)} | ${cell(s.author)} | ${cell(s.timestamp)} | ${cell(`${s.file} statements[${s.index}]`)} |`);
    }
  }
  return out;
}

const isVulnerability = (f: Finding): f is VulnerabilityFinding => f.kind === "vulnerability";

/** "2 secrets (1 CRITICAL, 1 MEDIUM)", or "" when there are none. */
function counted(counts: SeverityCounts, noun: string): string {
  const n = SEVERITIES.reduce((sum, s) => sum + counts[s], 0);
  return n === 0 ? "" : `${n} ${noun}${n === 1 ? "" : "s"} (${describeCounts(counts)})`;
}

function vulnerabilityRow(f: VulnerabilityFinding): string {
  return `| ${cell(f.id)} | ${cell(f.package)} | ${cell(f.installed)} | ${cell(f.fixed ?? "no fix yet")} | ${f.severity} | ${cell(f.title ?? "")} |`;
}

/** A misconfiguration or a secret: where it is and what the rule says, never what a secret is. */
function otherRow(f: MisconfigurationFinding | SecretFinding): string {
  const where = f.kind === "secret" && f.line ? `${f.target}:${f.line}` : f.target;
  return `| ${f.kind} | ${cell(f.id)} | ${cell(where)} | ${f.severity} | ${cell(f.title ?? "")} |`;
}

function waiverCells(w: WaivedFinding): string {
  return `${cell(w.waiver.approver)} | ${w.waiver.expires} | ${cell(w.waiver.reason)} |`;
}

/** Text from a report or a waiver made safe for a table cell: pipes escaped, line breaks flattened. */
function cell(s: string): string {
  return s
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/\s*[\r\n]+\s*/g, " ");
}
