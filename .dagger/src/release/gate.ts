/** What every promotion gate answers: its verdict, why, and whether an emergency waived it. */

/** The gates a promotion passes, in the order they are evaluated. */
export type GateName = "freeze" | "hold" | "upstream" | "compatibility" | "vulnerabilities" | "signatures";

/** One gate's verdict. */
export interface GateVerdict {
  gate: GateName;
  passed: boolean;
  /** True when the gate would have refused but an emergency waived it (upstream, vulnerabilities and signatures only). */
  waivedByEmergency: boolean;
  /** One line for summaries and commit trailers. */
  summary: string;
  /** Everything behind the verdict, one line each. */
  details: string[];
}

/** The Markdown table of verdicts, for summaries, dry runs and pull request bodies. */
export function renderVerdicts(verdicts: GateVerdict[]): string {
  const icon = (v: GateVerdict) => (v.waivedByEmergency ? "⚠️ waived (emergency)" : v.passed ? "✅ passed" : "❌ refused");
  const rows = verdicts.map((v) => `| ${v.gate} | ${icon(v)} | ${v.summary.replace(/\|/g, "\\|")} |`);
  const details = verdicts.filter((v) => v.details.length > 0).flatMap((v) => ["", `**${v.gate}**`, "", ...v.details.map((d) => `- ${d}`)]);
  return `${["| gate | verdict | why |", "|---|---|---|", ...rows, ...details].join("\n")}\n`;
}
