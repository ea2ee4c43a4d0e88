/**
 * ci's build stage: every component's image built at once, each inside a span "build | <component>".
 * The images are lazy; building them here, before E2E, lets a broken Dockerfile or compile error
 * fail as "build | backend" instead of as an E2E service that never started.
 */
import type { Container } from "@dagger.io/dagger";
import { inSpan } from "../progress.js";
import { checkReport, tail } from "../report/junit.js";
import type { CheckOutcome } from "../report/outcome.js";

/** Build (sync) every image concurrently; one outcome per component, check "image", failures with the build's output tail. */
export function buildImages(images: Record<string, Container>): Promise<CheckOutcome[]> {
  return Promise.all(Object.entries(images).map(([component, image]) => inSpan(["build", component], () => buildOne(component, image))));
}

async function buildOne(component: string, image: Container): Promise<CheckOutcome> {
  const started = Date.now();
  const failure = await image.sync().then(
    () => undefined,
    // An ExecError carries the failing step's output; the engine has already scrubbed secrets from it.
    (e: Error & { stdout?: string; stderr?: string }) => tail([e.message, e.stdout, e.stderr].filter((s) => s).join("\n")),
  );
  const seconds = (Date.now() - started) / 1000;
  const status = failure === undefined ? "passed" : "failed";
  return { component, check: "image", status, failedTests: [], detail: failure ?? "", junit: checkReport(component, "image", status, failure ?? "", seconds), seconds };
}
