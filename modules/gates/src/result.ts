/** A gate's verdict as the module returns it: fields for callers, Markdown for people, JSON for records. */
import { func, object } from "@dagger.io/dagger";

/** The verdict of one promotion gate. */
@object()
export class GateResult {
  /** The gate: compatibility or vulnerabilities. */
  @func()
  gate: string;
  /** Whether the promotion may go on (also true when an emergency waived the gate). */
  @func()
  passed: boolean;
  /** The gate would have refused, and a declared emergency let the promotion through. */
  @func()
  waivedByEmergency: boolean;
  /** One line for summaries and commit trailers. */
  @func()
  summary: string;
  /** Everything behind the verdict, one line each. */
  @func()
  details: string[];
  /** The verdict as Markdown, for summaries and pull request bodies. */
  @func()
  markdown: string;
  /** The whole verdict as JSON, for the release record. */
  @func()
  json: string;

  constructor(gate: string, passed: boolean, waivedByEmergency: boolean, summary: string, details: string[], markdown: string, json: string) {
    this.gate = gate;
    this.passed = passed;
    this.waivedByEmergency = waivedByEmergency;
    this.summary = summary;
    this.details = details;
    this.markdown = markdown;
    this.json = json;
  }

  /** Fail with the summary and details when the gate refused. */
  @func()
  async verify(): Promise<string> {
    if (!this.passed) throw new Error(`${this.gate}: ${this.summary}\n${this.details.join("\n")}`);
    return this.summary;
  }
}
