/**
 * The `# syntax=` parser directive of a component's own Dockerfile, judged as Dagger's engine
 * judges it. Dagger 0.21's Directory.dockerBuild converts the Dockerfile with the frontend built
 * into the engine; a directive naming docker/dockerfile (or -upstream, or moby/dockerfile, with any
 * tag or digest) is accepted, and the built-in frontend is used whatever version it names. Any
 * other frontend is refused ("dockerBuild syntax frontend … is unsupported in hard-cutover path"):
 * dagger/dagger core/container.go, isKnownDockerfileSyntaxFrontend and Container.Build, read at
 * v0.21.8. The directive is found as BuildKit's parser finds it (internal/buildkit/frontend/
 * dockerfile/parser/directives.go, DetectSyntax): a leading #! line is skipped, then `# key=value`
 * lines up to the first line that is not a directive; else `// syntax=` lines; else a JSON object.
 */

/** Frontends the engine accepts in a syntax directive (as a prefix, before ":" or "@"). */
export const KNOWN_DOCKERFILE_FRONTENDS = [
  "docker/dockerfile",
  "docker/dockerfile-upstream",
  "docker.io/docker/dockerfile",
  "docker.io/docker/dockerfile-upstream",
  "index.docker.io/docker/dockerfile",
  "index.docker.io/docker/dockerfile-upstream",
  "moby/dockerfile",
  "moby/dockerfile-upstream",
  "docker.io/moby/dockerfile",
  "docker.io/moby/dockerfile-upstream",
  "index.docker.io/moby/dockerfile",
  "index.docker.io/moby/dockerfile-upstream",
] as const;

const DIRECTIVES = new Set(["syntax", "escape", "check"]);

/** The syntax directive's frontend reference and its 1-based line, if the Dockerfile has one. */
export function detectSyntax(text: string): { ref: string; line: number; raw: string } | undefined {
  let lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  let offset = 0;
  if (lines[0]?.startsWith("#!")) {
    lines = lines.slice(1);
    offset = 1;
  }
  for (const comment of ["#", "//"]) {
    const re = new RegExp(`^${comment}\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$`);
    for (const [i, line] of lines.entries()) {
      const m = re.exec(line);
      if (!m || !DIRECTIVES.has(m[1].toLowerCase())) break;
      if (m[1].toLowerCase() === "syntax") return { ref: m[2].split(" ")[0], line: i + 1 + offset, raw: line };
    }
  }
  try {
    const json = JSON.parse(lines.join("\n")) as unknown;
    if (json && typeof json === "object" && typeof (json as Record<string, unknown>).syntax === "string") {
      const ref = (json as Record<string, string>).syntax;
      return { ref: ref.split(" ")[0], line: 1 + offset, raw: `"syntax": ${JSON.stringify(ref)}` };
    }
  } catch {
    // not JSON: no directive
  }
  return undefined;
}

/** Whether the engine accepts this frontend reference (core/container.go isKnownDockerfileSyntaxFrontend). */
export function isKnownFrontend(ref: string): boolean {
  const r = ref.trim().toLowerCase();
  return r !== "" && KNOWN_DOCKERFILE_FRONTENDS.some((p) => r === p || r.startsWith(`${p}:`) || r.startsWith(`${p}@`));
}

/** A problem with the Dockerfile's syntax directive, naming the file, the value and what is valid; undefined when there is none. */
export function dockerfileSyntaxProblem(file: string, text: string): string | undefined {
  const found = detectSyntax(text);
  if (!found || isKnownFrontend(found.ref)) return undefined;
  return (
    `${file} line ${found.line}: ${found.raw.trim()} names a BuildKit frontend Dagger's dockerBuild cannot run ` +
    "(it builds Dockerfiles with the frontend built into the engine and runs no other); " +
    "remove the line, or name docker/dockerfile (e.g. # syntax=docker/dockerfile:1), docker/dockerfile-upstream or moby/dockerfile, with any tag or digest"
  );
}
