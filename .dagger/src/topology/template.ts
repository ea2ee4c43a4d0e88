/**
 * Values in pipeline.yaml's `env` may refer to other components: `{db.url}`, `{backend.url}`,
 * `{db.version}`. One syntax for every place that runs the topology (Dagger services, Compose),
 * resolved differently by each: a Dagger service alias, a Compose service name, a secret
 * reference. `{{` and `}}` stand for literal braces.
 */

/** Attributes every component has. */
const COMMON = ["host", "version"] as const;
/** Attributes of a database component; password and url carry the password, so they are secret. */
const DATABASE = [...COMMON, "port", "name", "user", "password", "url", "jdbcUrl"] as const;
/** Attributes of a component that serves HTTP. */
const SERVICE = [...COMMON, "port", "url"] as const;

/** What `{component.attribute}` may name, by the component's kind. */
export function attributesOf(kind: string): readonly string[] {
  return kind === "database" ? DATABASE : SERVICE;
}

/** Whether an attribute's value contains a secret (a database's password or its URL with the password): never written out, only referenced. */
export function isSecretAttribute(kind: string, attribute: string): boolean {
  return kind === "database" && (attribute === "password" || attribute === "url");
}

/** One piece of a template: literal text, or a reference to a component's attribute. */
export type TemplatePart = { text: string } | { component: string; attribute: string };

/** A template that does not parse: the message says where and what is valid. */
export class TemplateError extends Error {}

const REF = /^([a-z][a-z0-9-]{0,39})\.([A-Za-z]+)$/;

/** Split a value into text and references; unbalanced braces or a malformed reference throw. */
export function parseTemplate(value: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if ((ch === "{" || ch === "}") && value[i + 1] === ch) {
      text += ch;
      i++;
      continue;
    }
    if (ch === "}") throw new TemplateError(`a lone '}' at character ${i + 1}; write '}}' for a literal brace`);
    if (ch !== "{") {
      text += ch;
      continue;
    }
    const end = value.indexOf("}", i);
    if (end < 0) throw new TemplateError(`'{' at character ${i + 1} is never closed; references look like {db.url}, write '{{' for a literal brace`);
    const m = REF.exec(value.slice(i + 1, end));
    if (!m) throw new TemplateError(`{${value.slice(i + 1, end)}} is not a reference; references look like {component.attribute}, e.g. {db.url} or {backend.url}`);
    if (text) parts.push({ text });
    text = "";
    parts.push({ component: m[1], attribute: m[2] });
    i = end;
  }
  if (text) parts.push({ text });
  return parts;
}

/** The references of a template, in order. */
export function referencesOf(parts: TemplatePart[]): { component: string; attribute: string }[] {
  return parts.filter((p): p is { component: string; attribute: string } => "component" in p);
}

/** Whether a resolved value would contain a secret, given each component's kind. */
export function isSecret(parts: TemplatePart[], kindOf: (component: string) => string): boolean {
  return referencesOf(parts).some((r) => isSecretAttribute(kindOf(r.component), r.attribute));
}
