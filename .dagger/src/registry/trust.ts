/**
 * Our registry client runs inside the module's container. The engine installs its custom CA
 * certificates into every container it runs, the module runtime's too (dagger/dagger v0.21.8
 * engine/engineutil/executor_spec.go installCACerts, engine/engineutil/cacerts), but Node's
 * fetch trusts only its bundled CAs. So a registry whose certificate the engine trusts through a
 * custom CA would fail here, and our retag with it (issue 14, item 14). Node 24.5+ (the
 * TypeScript runtime's is 24.13, sdk/typescript/runtime/tsdistconsts) can add the system store
 * to the default trust; older Node cannot, and keeps its bundled CAs.
 */
import * as tls from "node:tls";

/** The part of node:tls this needs (Node ≥ 23.10 getCACertificates, ≥ 24.5 setDefaultCACertificates). */
export interface CaStore {
  getCACertificates?: (type: "default" | "system") => string[];
  setDefaultCACertificates?: (certs: string[]) => void;
}

const trusted = new WeakSet<CaStore>();

/**
 * Make TLS clients of this process trust the system's CA store (where the engine put its custom
 * CAs) as well as Node's default; once per store. Returns whether the system store is trusted.
 */
export function trustSystemCertificates(store: CaStore = tls as unknown as CaStore): boolean {
  if (trusted.has(store)) return true;
  if (!store.getCACertificates || !store.setDefaultCACertificates) return false;
  const defaults = store.getCACertificates("default");
  const system = store.getCACertificates("system").filter((cert) => !defaults.includes(cert));
  if (system.length > 0) store.setDefaultCACertificates([...defaults, ...system]);
  trusted.add(store);
  return true;
}
