/** Parameters: their names, where their values come from, and what to say when one is missing. */
import { generateValue } from "./generate.js";
import { type AspireManifest, type Input, typeOf } from "./manifest.js";
import type { GraphOptions } from "./options.js";
import type { ParameterInfo, Problem } from "./resolve.js";

/** A parameter's name and where its value comes from. */
export function parameterInfo(manifest: AspireManifest, resource: string, input: string, options: GraphOptions): ParameterInfo {
  const r = manifest.resources[resource];
  const spec = (r as { inputs?: Record<string, Input> }).inputs?.[input] as Input;
  const name = parameterName(typeOf(r), resource, input);
  const secret = spec.secret;
  const given = options.parameters?.[name];
  let source: ParameterInfo["source"];
  if (given !== undefined || (secret && options.secrets?.includes(name))) source = secret ? { kind: "given" } : { kind: "given", value: given as string };
  else if (spec.default && "value" in spec.default) source = { kind: "default", value: spec.default.value };
  else if (spec.default && "generate" in spec.default) {
    const g = spec.default.generate;
    source = secret ? { kind: "generate", spec: g } : { kind: "generate", spec: g, value: generateValue(g, options.random) };
  } else source = { kind: "unset" };
  return { name, resource, input, secret, source };
}

/** What to say about parameters a running service needs but that have no value. */
export function missingMessage(missing: Extract<Problem, { kind: "missing" }>[]): string {
  const byParameter = new Map<string, Extract<Problem, { kind: "missing" }>[]>();
  for (const m of missing) byParameter.set(m.parameter, [...(byParameter.get(m.parameter) ?? []), m]);
  return [...byParameter]
    .map(([name, uses]) => {
      const how = uses[0].secret ? `declare it with secrets: ["${name}"] and give the runner its value, or pass parameters: {"${name}": "…"}` : `pass parameters: {"${name}": "…"}`;
      return `parameter ${name} has no value and no default, and ${uses.map((u) => `${u.where} uses ${u.expression}`).join(", ")}: ${how} (the AppHost reads it from Parameters:${name})`;
    })
    .join("\n");
}

/** Every parameter's name: a parameter.v0 is named after its resource, a pre-GA input "<resource>.<input>". */
export function parameterNames(manifest: AspireManifest): string[] {
  return Object.entries(manifest.resources).flatMap(([n, r]) => Object.keys((r as { inputs?: Record<string, unknown> }).inputs ?? {}).map((i) => parameterName(typeOf(r), n, i)));
}

/** A parameter's name. */
export function parameterName(type: string | null, resource: string, input: string): string {
  // parameter.v0 has one input, "value": the parameter is the resource. A pre-GA input of another
  // resource ({postgres2.inputs.password}) is named resource.input: '.' is not allowed in resource names.
  return type === "parameter.v0" && input === "value" ? resource : `${resource}.${input}`;
}
