/**
 * The images a component's own Dockerfile builds on: every `FROM <image>` that is not an earlier
 * stage, `scratch` or an ARG (`FROM ${BASE_IMAGE}` is our base, pinned on its own). Their digests
 * go into the input hash, so a moved tag in the Dockerfile means a rebuild (issue 14, item 16).
 */

/** `FROM [--flag=…]… <image> [AS <name>]`, case-insensitive as BuildKit reads instructions. */
const FROM = /^\s*FROM\s+((?:--\S+\s+)*)(\S+)(?:\s+AS\s+(\S+))?\s*$/i;

/** The external images of a Dockerfile, in order, each once. */
export function dockerfileBaseImages(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const line of dockerfile.split(/\r?\n/)) {
    const m = FROM.exec(line);
    if (!m) continue;
    const [, , image, stage] = m;
    const known = stages.has(image.toLowerCase()) || image.toLowerCase() === "scratch" || image.includes("$");
    if (!known && !images.includes(image)) images.push(image);
    if (stage) stages.add(stage.toLowerCase());
  }
  return images;
}
