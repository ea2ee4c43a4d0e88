/**
 * The notes of a tagged release's page on the host (GitHub or Gitea Releases): what the tag
 * holds (each component's version and image by digest), the migrations it brings, the evidence
 * it passed, and what the attached files are. Written from the release record alone, so the page
 * says exactly what promotion moves.
 */
import type { ReleaseRecord } from "./record.js";

/** The files attached to every release page, with what they are for. */
export const RELEASE_FILES = {
  record: "release.json",
  compose: "compose.yaml",
} as const;

/** Title and Markdown body of the release page of `tag`. */
export function releaseNotes(record: ReleaseRecord, tag: string): { name: string; body: string } {
  const short = record.revision.slice(0, 12);
  const commit = record.source ? `[${short}](${record.source.replace(/\.git$/, "").replace(/\/+$/, "")}/commit/${record.revision})` : `\`${short}\``;
  const built = [`built ${record.created}`, ...(record.evidence.builtBy ? [`by ${record.evidence.builtBy}`] : [])].join(" ");
  const names = Object.keys(record.components).sort();
  const rows = names.map((n) => {
    const c = record.components[n];
    const requires = Object.entries(c.requires)
      .map(([dep, range]) => `${dep} ${range}`)
      .join(", ");
    return `| ${n} | ${c.version} | \`${c.image}\` | ${requires || "–"} |`;
  });
  const migrations = names
    .filter((n) => (record.components[n].migrations ?? []).length > 0)
    .map((n) => `### Database migrations (${n})\n\n${(record.components[n].migrations ?? []).map((m) => `- \`${m.script}\`${m.version ? ` (version ${m.version})` : ""}`).join("\n")}\n`);
  const scans = Object.entries(record.evidence.scans)
    .filter(([, counts]) => Object.keys(counts).length > 0)
    .map(
      ([n, counts]) =>
        `${n}: ${Object.entries(counts)
          .map(([severity, count]) => `${severity} ${count}`)
          .join(", ")}`,
    );
  const body = [
    `Release **${tag}** of ${record.application}: commit ${commit}, ${built}. Every image is addressed by digest; promotion moves exactly these.\n`,
    `| component | version | image | requires |\n|---|---|---|---|\n${rows.join("\n")}\n`,
    ...migrations,
    `### Evidence\n\n- checks: ${record.evidence.checks}\n- end-to-end tests: ${record.evidence.e2e}${record.evidence.integration ? `\n- integration (Aspire): ${record.evidence.integration}` : ""}${scans.length > 0 ? `\n- scans: ${scans.join("; ")}` : ""}\n`,
    `### Files\n\n- \`${RELEASE_FILES.record}\`: the release record, as promotion reads it from the GitOps repository\n- \`${RELEASE_FILES.compose}\`: the release on one host with Docker Compose (each database password from the environment, e.g. \`DB_PASSWORD=… docker compose up\`)\n`,
  ];
  return { name: `${record.application} ${tag}`, body: body.join("\n") };
}
