/** A minimal ustar writer: enough for a real image layer with a few regular files (test helper). */

/** A regular file to put in the archive. */
export interface TarEntry {
  path: string;
  content: Uint8Array | string;
  mode?: number;
}

/** The bytes of a POSIX ustar archive holding the files, ending with the two zero blocks. */
export function tar(entries: TarEntry[], mtime = 0): Uint8Array {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = typeof entry.content === "string" ? Buffer.from(entry.content, "utf8") : Buffer.from(entry.content);
    if (Buffer.byteLength(entry.path) > 100) throw new Error(`tar: path "${entry.path}" is longer than 100 bytes`);
    const header = Buffer.alloc(512);
    header.write(entry.path, 0, 100, "utf8");
    header.write(octal(entry.mode ?? 0o644, 8), 100);
    header.write(octal(0, 8), 108); // uid
    header.write(octal(0, 8), 116); // gid
    header.write(octal(content.length, 12), 124);
    header.write(octal(mtime, 12), 136);
    header.write("        ", 148); // checksum placeholder: eight spaces
    header.write("0", 156); // regular file
    header.write("ustar\u000000", 257);
    header.write(
      octal(
        header.reduce((sum, byte) => sum + byte, 0),
        7,
      ),
      148,
    );
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return new Uint8Array(Buffer.concat(blocks));
}

/** A zero-padded octal field of `width` bytes including its terminating NUL. */
function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\u0000`;
}
