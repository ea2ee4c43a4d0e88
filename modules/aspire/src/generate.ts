/**
 * Values for parameters whose default is `generate` (Aspire's GenerateParameterDefault), with
 * Aspire's own character sets (Aspire.Hosting.Utils.PasswordGenerator): look-alike letters and
 * characters that break URLs, shells or connection strings are left out.
 */
import { randomInt } from "node:crypto";
import type { GenerateSpec } from "./manifest.js";

/** Aspire's character sets. */
export const CHARACTER_SETS = {
  lower: "abcdefghjkmnpqrstuvwxyz",
  upper: "ABCDEFGHJKMNPQRSTUVWXYZ",
  numeric: "0123456789",
  special: "-_.{}~()*+!",
} as const;

/** A random integer in [0, max): crypto-strong by default, a seeded function in tests. */
export type RandomInt = (max: number) => number;

/** A value as Aspire generates it: at least minLength characters, each enabled set's minimum met, shuffled. */
export function generateValue(spec: GenerateSpec, random: RandomInt = randomInt): string {
  const sets = [
    { on: spec.lower, min: spec.minLower, chars: CHARACTER_SETS.lower },
    { on: spec.upper, min: spec.minUpper, chars: CHARACTER_SETS.upper },
    { on: spec.numeric, min: spec.minNumeric, chars: CHARACTER_SETS.numeric },
    { on: spec.special, min: spec.minSpecial, chars: CHARACTER_SETS.special },
  ];
  const enabled = sets.filter((s) => s.on);
  if (enabled.length === 0) throw new Error("generate: every character set is disabled");
  const pick = (chars: string) => chars[random(chars.length)];
  const out = enabled.flatMap((s) => Array.from({ length: s.min }, () => pick(s.chars)));
  const all = enabled.map((s) => s.chars).join("");
  while (out.length < spec.minLength) out.push(pick(all));
  // Fisher–Yates, so the required characters are not always first.
  for (let i = out.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.join("");
}
