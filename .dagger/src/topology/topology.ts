/**
 * The runtime topology of a release: which services run, in which order, wired how. One
 * description for every place it runs: Dagger services in the E2E stage, and the Compose file
 * teams deploy with. The database component becomes two services: the server, and the
 * migration job (the component's image) that must finish before anything uses the database.
 */
import type { Component, PipelineConfig } from "../config/schema.js";
import { parseTemplate, referencesOf, type TemplatePart } from "./template.js";

/** What a service is for: the database server, the one-shot migration job, or an application component. */
export type ServiceRole = "database" | "migration" | "app";

/** A health check, exec form, as Compose and Dagger's readiness both read it. */
export interface HealthCheck {
  test: string[];
  /** Seconds between probes, per probe timeout, probes before unhealthy, grace period at start. */
  interval: number;
  timeout: number;
  retries: number;
  startPeriod: number;
}

/** What a service waits for before it starts. */
export interface Dependency {
  service: string;
  condition: "healthy" | "completed";
}

/** One service of the topology. */
export interface TopologyService {
  /** Service name, which is also its host name (Dagger alias, Compose service). */
  name: string;
  component: string;
  role: ServiceRole;
  /** Port it listens on; a job has none. */
  port?: number;
  /** Arguments for the image's entrypoint (the migration job's Flyway command). */
  command?: string[];
  /** Environment variables; values are templates resolved by each runner. */
  env: Record<string, TemplatePart[]>;
  health?: HealthCheck;
  dependsOn: Dependency[];
  /** The component users open: Compose publishes its port on the host. */
  published: boolean;
  /** Where the service keeps data that must survive a restart (the database). */
  volume?: string;
}

/** The services of a release, dependencies first. */
export interface Topology {
  application: string;
  services: TopologyService[];
}

/** The database settings of a component with their defaults filled from the application name. */
export function databaseOf(config: PipelineConfig, name: string): { image: string; name: string; user: string; port: number } {
  const d = config.components[name].database;
  const dbName = d.name ?? config.name.replace(/-/g, "_");
  return { image: d.image, name: dbName, user: d.user ?? dbName, port: d.port };
}

/** Name of the migration job of a database component. */
export const migrationService = (component: string) => `${component}-migrate`;

/** The port an application component listens on. */
export const portOf = (c: Component): number => c.image.port;

const template = (text: string): TemplatePart[] => parseTemplate(text);

/** The topology of the application described by a validated pipeline.yaml. */
export function topologyOf(config: PipelineConfig, probe: (component: string) => string[]): Topology {
  const services: TopologyService[] = [];
  for (const [name, c] of Object.entries(config.components)) {
    if (c.kind === "database") services.push(...databaseServices(config, name));
    else services.push(appService(config, name, c, probe(name)));
  }
  return { application: config.name, services: inStartOrder(services) };
}

function databaseServices(config: PipelineConfig, name: string): TopologyService[] {
  const db = databaseOf(config, name);
  const ref = (attribute: string) => `{${name}.${attribute}}`;
  return [
    {
      name,
      component: name,
      role: "database",
      port: db.port,
      env: {
        POSTGRES_DB: template(ref("name")),
        POSTGRES_USER: template(ref("user")),
        POSTGRES_PASSWORD: template(ref("password")),
        // The server (and pg_isready) listen where pipeline.yaml says when it is not the default.
        ...(db.port === 5432 ? {} : { PGPORT: template(ref("port")) }),
      },
      // Over TCP on purpose: while the official image initialises it runs a temporary server on
      // the Unix socket only, which a socket probe would report as ready too early.
      health: { test: ["pg_isready", "-h", "127.0.0.1", "-p", String(db.port), "-U", db.user, "-d", db.name], interval: 2, timeout: 5, retries: 30, startPeriod: 5 },
      dependsOn: [],
      published: false,
      volume: "/var/lib/postgresql/data",
    },
    {
      name: migrationService(name),
      component: name,
      role: "migration",
      // validateOnMigrate (Flyway's default) stops at an edited or missing applied migration.
      command: ["migrate"],
      env: { FLYWAY_URL: template(ref("jdbcUrl")), FLYWAY_USER: template(ref("user")), FLYWAY_PASSWORD: template(ref("password")) },
      dependsOn: [{ service: name, condition: "healthy" }],
      published: false,
    },
  ];
}

function appService(config: PipelineConfig, name: string, c: Component, probe: string[]): TopologyService {
  const env = Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, template(v)]));
  const needed = new Set([...Object.values(env).flatMap((parts) => referencesOf(parts).map((r) => r.component)), ...Object.keys(c.requires)]);
  const dependsOn = [...needed].sort().flatMap((other): Dependency[] =>
    config.components[other]?.kind === "database"
      ? [
          { service: other, condition: "healthy" },
          { service: migrationService(other), condition: "completed" },
        ]
      : [{ service: other, condition: "healthy" }],
  );
  return {
    name,
    component: name,
    role: "app",
    port: portOf(c),
    env,
    // Every 3 s: start-up waits for the first healthy probe, and Compose v1 has no start_interval.
    health: { test: probe, interval: 3, timeout: 3, retries: 20, startPeriod: 5 },
    dependsOn,
    published: c.kind === "frontend",
  };
}

/** Dependencies first (stable otherwise); the config's references were checked for circles when it loaded. */
function inStartOrder(services: TopologyService[]): TopologyService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const ordered: TopologyService[] = [];
  const visit = (s: TopologyService, path: string[]) => {
    if (ordered.includes(s)) return;
    if (path.includes(s.name)) throw new Error(`services depend on each other in a circle: ${[...path, s.name].join(" -> ")}`);
    for (const d of s.dependsOn) {
      const dep = byName.get(d.service);
      if (dep) visit(dep, [...path, s.name]);
    }
    ordered.push(s);
  };
  for (const s of services) visit(s, []);
  return ordered;
}
