/** Resolving `{component.attribute}` templates: the same wiring spelled for each runner. */
import type { PipelineConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import { attributesOf, type TemplatePart } from "./template.js";
import { databaseOf, portOf } from "./topology.js";

/** How a runner writes what it must not, or cannot, write literally. */
export interface Spelling {
  /** A database component's password: plaintext for a Dagger secret, a ${VAR} reference in Compose. */
  password(component: string, inUrl: boolean): string;
  /** The component's version in the release under test or being deployed. */
  version(component: string): string;
  /** Literal text from pipeline.yaml (Compose doubles '$' so it is not interpolated). */
  text(value: string): string;
}

/** The value of one attribute of a component. */
export function attributeValue(config: PipelineConfig, component: string, attribute: string, spell: Spelling): string {
  const c = config.components[component];
  if (!c || !attributesOf(c.kind).includes(attribute)) throw new InputError(`{${component}.${attribute}}: no such component attribute`);
  if (attribute === "host") return component;
  if (attribute === "version") return spell.version(component);
  if (c.kind !== "database") {
    const port = portOf(c);
    return attribute === "port" ? String(port) : `http://${component}:${port}`;
  }
  const db = databaseOf(config, component);
  switch (attribute) {
    case "port":
      return String(db.port);
    case "name":
      return db.name;
    case "user":
      return db.user;
    case "password":
      return spell.password(component, false);
    case "jdbcUrl":
      return `jdbc:postgresql://${component}:${db.port}/${db.name}`;
    default:
      return `postgresql://${db.user}:${spell.password(component, true)}@${component}:${db.port}/${db.name}`;
  }
}

/** A template resolved for one runner. */
export function resolveValue(config: PipelineConfig, parts: TemplatePart[], spell: Spelling): string {
  return parts.map((p) => ("text" in p ? spell.text(p.text) : attributeValue(config, p.component, p.attribute, spell))).join("");
}
