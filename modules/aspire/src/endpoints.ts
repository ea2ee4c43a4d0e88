/**
 * A service's endpoints and the target port each is reached on. A project's default http/https
 * endpoint has no targetPort in the manifest ("it will get one from the deployment tool",
 * ManifestPublishingContext.WriteBindings): it gets 8080, what azd gives a project's ingress
 * (buildAcaIngress(project.Bindings, 8080)) and what .NET 8+ container images listen on
 * (ASPNETCORE_HTTP_PORTS=8080); http and https share it, as azd groups bindings without port.
 */
import type { ManifestBinding, ServiceResource } from "./manifest.js";
import type { Endpoint } from "./types.js";

/** The target port a project's default http/https endpoint gets (see the file comment). */
export const DEFAULT_PROJECT_PORT = 8080;

/** A service's endpoints, with the target port each is reached on; problems for a binding without any port. */
export function endpointsOf(r: ServiceResource): { endpoints: Endpoint[]; problems: string[] } {
  const endpoints: Endpoint[] = [];
  const problems: string[] = [];
  for (const [name, b] of Object.entries(r.bindings ?? {}) as [string, ManifestBinding][]) {
    let targetPort = b.targetPort ?? b.containerPort;
    let defaulted = false;
    if (targetPort === undefined && r.type.startsWith("project.") && (b.scheme === "http" || b.scheme === "https")) {
      targetPort = DEFAULT_PROJECT_PORT;
      defaulted = true;
    }
    // Aspire gives a container without targetPort its exposed port (ManifestPublishingContext.WriteBindings).
    targetPort ??= b.port;
    if (targetPort === undefined) {
      problems.push(`binding ${name} (${b.scheme}) has no targetPort and no port, so nothing says where the process listens`);
      continue;
    }
    endpoints.push({
      name,
      scheme: b.scheme,
      protocol: b.protocol,
      transport: b.transport ?? b.scheme,
      targetPort,
      ...(defaulted ? { defaultedTargetPort: true as const } : {}),
      ...(b.port !== undefined ? { port: b.port } : {}),
      external: b.external,
    });
  }
  return { endpoints, problems };
}
