/**
 * Flyway's checksum of a SQL migration, the number it stores in flyway_schema_history.checksum
 * and compares on every validate and migrate.
 *
 * Flyway's rule (flyway-core ChecksumCalculator.calculateChecksumForResource, same in 11.20.3
 * and 13.0): decode the file (UTF-8 by default; malformed input is an error), read it with
 * Java's BufferedReader.readLine — a line ends at "\n", "\r" or "\r\n", and the terminator is
 * dropped — remove one U+FEFF (byte order mark) from the start of the first line
 * (BomFilter.FilterBomFromString), and feed each line's UTF-8 bytes to one CRC-32, with nothing
 * between lines. The unsigned CRC is cast to a Java int. Since nothing separates the lines,
 * this is the CRC-32 of the text with every "\r" and "\n" removed: line endings and a final
 * newline never change the checksum, any other character (trailing spaces included) does.
 * Repeatable migrations are checksummed after placeholder replacement (${…}); versioned ones
 * as written — this is the latter.
 */
import { crc32 } from "node:zlib";

const BOM = "\uFEFF";
// Java's String.getBytes(UTF_8) writes "?" for a lone surrogate; TextEncoder would write U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Flyway's checksum of a migration (its text, or its bytes read as UTF-8), as the signed 32-bit integer Flyway stores. */
export function flywayChecksum(content: string | Uint8Array, file = "migration"): number {
  const text = typeof content === "string" ? content : decodeUtf8(content, file);
  const body = (text.startsWith(BOM) ? text.slice(BOM.length) : text).replace(/[\r\n]/g, "").replace(LONE_SURROGATE, "?");
  // `| 0` is Java's (int) cast of the unsigned CRC: values above 2^31 - 1 become negative.
  return crc32(Buffer.from(body, "utf8")) | 0;
}

/** The bytes as UTF-8 text, keeping a BOM (Flyway removes exactly one itself); invalid UTF-8 is refused as Flyway refuses it. */
function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new Error(`${file}: not valid UTF-8; Flyway (encoding UTF-8, its default) cannot compute its checksum either — save the file as UTF-8`);
  }
}
