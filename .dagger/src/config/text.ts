/**
 * pipeline.yaml's bytes as text, refused rather than guessed at: bytes that are not UTF-8 would
 * otherwise become U+FFFD silently, and a name or URL with one in it means something else.
 */
import { ConfigError } from "./problems.js";

/** Largest pipeline.yaml read, in bytes: a real one is a few KiB, and reading YAML slows down faster than the file grows. */
export const MAX_CONFIG_BYTES = 128 * 1024;

const SAVE_AS = "save the file as UTF-8 (without the bytes of another encoding)";

/**
 * The text of pipeline.yaml. Bytes are decoded as strict UTF-8; text that was already decoded
 * (the engine's File.contents() replaces bad bytes) is refused when it holds the replacement character.
 */
export function configText(input: string | Uint8Array, file: string): string {
  const size = typeof input === "string" ? input.length : input.byteLength;
  if (size > MAX_CONFIG_BYTES) throw new ConfigError(file, [{ path: "", message: `is ${size} bytes; a pipeline.yaml is at most ${MAX_CONFIG_BYTES} bytes (128 KiB)` }]);
  if (typeof input === "string") {
    const at = input.indexOf("\uFFFD");
    if (at === -1) return input;
    const line = lineOf(input, at);
    throw new ConfigError(file, [
      { path: "", message: `holds U+FFFD (the replacement character) at character ${at}: the file was not valid UTF-8 when it was read; ${SAVE_AS}`, line: line.line, col: line.col },
    ]);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(input);
  } catch {
    const offset = invalidUtf8Offset(input);
    const before = new TextDecoder().decode(input.subarray(0, offset));
    const { line, col } = lineOf(before, before.length);
    const byte = (input[offset] ?? 0).toString(16).padStart(2, "0");
    throw new ConfigError(file, [{ path: "", message: `is not valid UTF-8: byte 0x${byte} at byte offset ${offset} begins a sequence that is no UTF-8 character; ${SAVE_AS}`, line, col }]);
  }
}

/** Byte offset where the first sequence that is not UTF-8 starts (overlong forms, surrogates and code points above U+10FFFF included), or -1. */
export function invalidUtf8Offset(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const x = b[i];
    if (x < 0x80) {
      i++;
      continue;
    }
    // Number of continuation bytes, and the range the first of them must fall in (RFC 3629, table 3-7 of Unicode).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (x >= 0xc2 && x <= 0xdf) n = 1;
    else if (x >= 0xe0 && x <= 0xef) {
      n = 2;
      if (x === 0xe0) lo = 0xa0;
      if (x === 0xed) hi = 0x9f;
    } else if (x >= 0xf0 && x <= 0xf4) {
      n = 3;
      if (x === 0xf0) lo = 0x90;
      if (x === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const y = b[i + k];
      if (y === undefined || y < (k === 1 ? lo : 0x80) || y > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** 1-based line and column of a character index (of the text before it, when the text ends there). */
function lineOf(text: string, index: number): { line: number; col: number } {
  const before = text.slice(0, index);
  const start = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, col: index - start + 1 };
}
