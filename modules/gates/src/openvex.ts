/**
 * OpenVEX documents (https://github.com/openvex/spec, v0.2.0 and its JSON schema), read strictly:
 * the document as the predicate of a cosign in-toto attestation (predicate type
 * https://openvex.dev/ns) carries it, one document per file. A document that does not follow the
 * spec is refused naming the file, the JSON path and what is valid, never read as "no statements":
 * a VEX document waives findings, so guessing what it meant would waive more, or less, than its
 * author signed.
 *
 * Checked beyond the JSON shape, as the spec requires:
 * - `@context` is https://openvex.dev/ns/v0.2.0 (the unversioned context means v0.0.1, whose
 *   `vulnerability` and `products` are plain strings: another format);
 * - `timestamp`, `last_updated` and the statements' timestamps are RFC 3339 date-times;
 * - a `not_affected` statement has a `justification` (one of the five labels) or an
 *   `impact_statement`; an `affected` one has an `action_statement`;
 * - every product and subcomponent has an `@id` or `identifiers`, and `identifiers` holds a purl,
 *   cpe22 or cpe23;
 * - keys the spec does not define are refused (its schema sets additionalProperties: false), so a
 *   misspelled `product` or `justifcation` is an error, not a silently different statement.
 *
 * An in-toto statement (`_type`, `predicateType`, `subject`) is refused saying to pass its predicate.
 */
import { z } from "./vendor/zod.js";
import { GateInputError } from "./errors.js";
import { issueMessage, jsonPath } from "./issues.js";
import { syntaxError } from "./trivy.js";

/** The only context read: OpenVEX v0.2.0. */
export const OPENVEX_CONTEXT = "https://openvex.dev/ns/v0.2.0";

/** The statuses of the spec; only not_affected and fixed waive a finding. */
export const VEX_STATUSES = ["not_affected", "affected", "fixed", "under_investigation"] as const;

/** The justification labels a not_affected statement may give. */
export const VEX_JUSTIFICATIONS = [
  "component_not_present",
  "vulnerable_code_not_present",
  "vulnerable_code_not_in_execute_path",
  "vulnerable_code_cannot_be_controlled_by_adversary",
  "inline_mitigations_already_exist",
] as const;

/** The hash names of the spec's Appendix A. */
const HASH_NAMES = ["md5", "sha1", "sha-256", "sha-384", "sha-512", "sha3-224", "sha3-256", "sha3-384", "sha3-512", "blake2s-256", "blake2b-256", "blake2b-512"] as const;

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 date-time as nanoseconds since 1970 (exact to the nanosecond, unlike Date), or undefined when it is not one. */
export function instantOf(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, date, hh, mm, ss, fraction, zone] = m;
  const ms = Date.parse(`${date}T${hh}:${mm}:${ss}${zone.toUpperCase()}`);
  // Date.parse rolls 2026-02-30 over to March; a real date reads back the same in UTC before the zone shift.
  if (Number.isNaN(ms) || new Date(Date.parse(`${date}T00:00:00Z`)).toISOString().slice(0, 10) !== date || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((fraction ?? ".").slice(1).padEnd(9, "0").slice(0, 9));
}

const dateTime = z.string().refine((s) => instantOf(s) !== undefined, { error: "must be an RFC 3339 date-time such as 2026-05-04T10:00:00Z" });
const text = z.string().trim().min(1, { error: "must not be empty" });

const Identifiers = z
  .strictObject({ purl: text.optional(), cpe22: text.optional(), cpe23: text.optional() })
  .refine((i) => i.purl !== undefined || i.cpe22 !== undefined || i.cpe23 !== undefined, { error: "needs purl, cpe22 or cpe23" });

const Hashes = z.partialRecord(z.enum(HASH_NAMES), text);

const componentFields = { "@id": text.optional(), identifiers: Identifiers.optional(), hashes: Hashes.optional() };
const identified = (c: { "@id"?: string; identifiers?: unknown }) => c["@id"] !== undefined || c.identifiers !== undefined;

const Subcomponent = z.strictObject(componentFields).refine(identified, { error: "needs @id or identifiers (a subcomponent must name the package it is about)" });

const Product = z
  .strictObject({ ...componentFields, subcomponents: z.array(Subcomponent).optional() })
  .refine(identified, { error: "needs @id or identifiers (a product must name what the statement is about)" });

const Vulnerability = z.strictObject({ "@id": text.optional(), name: text, description: z.string().optional(), aliases: z.array(text).optional() });

const Statement = z
  .strictObject({
    "@id": text.optional(),
    version: z.int().min(1).optional(),
    vulnerability: Vulnerability,
    timestamp: dateTime.optional(),
    last_updated: dateTime.optional(),
    products: z.array(Product).optional(),
    status: z.enum(VEX_STATUSES),
    supplier: z.string().optional(),
    status_notes: z.string().optional(),
    justification: z.enum(VEX_JUSTIFICATIONS).optional(),
    impact_statement: z.string().optional(),
    action_statement: z.string().optional(),
    action_statement_timestamp: dateTime.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.status === "not_affected" && s.justification === undefined && !s.impact_statement?.trim())
      ctx.addIssue({ code: "custom", message: `status not_affected needs a justification (${VEX_JUSTIFICATIONS.join(", ")}) or an impact_statement saying why the product is not affected` });
    if (s.status === "affected" && !s.action_statement?.trim()) ctx.addIssue({ code: "custom", message: "status affected needs an action_statement saying how to remediate or mitigate" });
  });

/** An OpenVEX v0.2.0 document as its JSON schema describes it. */
const Document = z.strictObject({
  "@context": z.literal(OPENVEX_CONTEXT),
  "@id": text,
  author: text,
  role: z.string().optional(),
  timestamp: dateTime,
  last_updated: dateTime.optional(),
  version: z.int().min(1),
  tooling: z.string().optional(),
  statements: z.array(Statement).min(1, { error: "must hold at least one statement" }),
});

/** A product: a component and the subcomponents the statement is limited to. */
export type VexProduct = z.output<typeof Product>;

/** One statement, with where it came from and the moment it speaks for (its own timestamp, else the document's). */
export interface VexStatement {
  /** The component whose image the document was attached to. */
  component: string;
  /** The file, for messages: <component>/<name>.json. */
  file: string;
  /** Its position in the document's statements. */
  index: number;
  author: string;
  /** The effective timestamp as written (the statement's, else the document's); ordered by instantOf. */
  timestamp: string;
  /** The vulnerability's name and aliases. */
  vulnerability: { name: string; aliases: string[] };
  /** Empty when the statement names none (its products would come from an encapsulating document the gate does not see). */
  products: VexProduct[];
  status: (typeof VEX_STATUSES)[number];
  justification?: (typeof VEX_JUSTIFICATIONS)[number];
  impactStatement?: string;
  actionStatement?: string;
  statusNotes?: string;
}

/** A parsed document: its identity and its statements. */
export interface VexDocument {
  component: string;
  file: string;
  id: string;
  author: string;
  timestamp: string;
  statements: VexStatement[];
}

/** Parse and validate one OpenVEX document attached to `component`'s image; throws GateInputError naming the component, the file and every problem. */
export function parseOpenVex(textOf: string, component: string, file: string): VexDocument {
  const where = `vex ${file} (attached to ${component})`;
  let json: unknown;
  try {
    json = JSON.parse(textOf);
  } catch (e) {
    throw new GateInputError(`${where}: is not JSON (${syntaxError(textOf) ?? (e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new GateInputError(`${where}: must be an OpenVEX document (a JSON object with "@context": "${OPENVEX_CONTEXT}"), got ${Array.isArray(json) ? "a list" : `JSON ${JSON.stringify(json)}`}`);
  const doc = json as Record<string, unknown>;
  if ("predicateType" in doc || "_type" in doc)
    throw new GateInputError(`${where}: is an in-toto statement (predicateType ${JSON.stringify(doc.predicateType)}), not an OpenVEX document: pass its predicate, the document itself`);
  if (doc["@context"] !== OPENVEX_CONTEXT)
    throw new GateInputError(`${where}: @context ${JSON.stringify(doc["@context"])} is not supported: the gate reads OpenVEX v0.2.0 ("@context": "${OPENVEX_CONTEXT}")`);
  const parsed = Document.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys" ? issue.keys.map((k) => `  ${jsonPath([...issue.path, k])}: is not an OpenVEX v0.2.0 field`) : [`  ${jsonPath(issue.path)}: ${issueMessage(issue, json)}`],
    );
    throw new GateInputError(`${where}: not a valid OpenVEX v0.2.0 document (${lines.length} problem${lines.length === 1 ? "" : "s"}):\n${lines.join("\n")}`);
  }
  const d = parsed.data;
  return {
    component,
    file,
    id: d["@id"],
    author: d.author,
    timestamp: d.timestamp,
    statements: d.statements.map((s, index) => {
      const timestamp = s.timestamp ?? d.timestamp;
      return {
        component,
        file,
        index,
        author: d.author,
        timestamp,
        vulnerability: { name: s.vulnerability.name, aliases: s.vulnerability.aliases ?? [] },
        products: s.products ?? [],
        status: s.status,
        ...(s.justification ? { justification: s.justification } : {}),
        ...(s.impact_statement?.trim() ? { impactStatement: s.impact_statement.trim() } : {}),
        ...(s.action_statement?.trim() ? { actionStatement: s.action_statement.trim() } : {}),
        ...(s.status_notes?.trim() ? { statusNotes: s.status_notes.trim() } : {}),
      };
    }),
  };
}
