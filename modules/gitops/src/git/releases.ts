/**
 * The host's release page for a tag (a GitHub or Gitea "release"): its notes and downloadable
 * assets. Host-agnostic and idempotent: the release of a tag is created once, then updated; an
 * asset of the same name is replaced, so a re-run leaves exactly the files it was given.
 */

/** A release as the host shows it. */
export interface HostRelease {
  id: number;
  url: string;
  name: string;
  body: string;
  prerelease: boolean;
  assets: { id: number; name: string }[];
}

/** A file to attach. */
export interface ReleaseAsset {
  name: string;
  bytes: Uint8Array;
  contentType: string;
}

/** What the release should say. */
export interface ReleaseRequest {
  /** The existing tag, e.g. v1.4.0. */
  tag: string;
  /** The commit the tag names; hosts create the tag there if it is missing. */
  target: string;
  name: string;
  body: string;
  prerelease: boolean;
  assets: ReleaseAsset[];
}

/** The operations a host offers; each throws a redacted error on failure. */
export interface ReleaseHost {
  name: string;
  find(tag: string): Promise<HostRelease | undefined>;
  /** Create the release; "exists" when another run created it first. */
  create(request: Omit<ReleaseRequest, "assets">): Promise<HostRelease | "exists">;
  update(release: HostRelease, changes: Pick<ReleaseRequest, "name" | "body" | "prerelease">): Promise<HostRelease>;
  upload(release: HostRelease, asset: ReleaseAsset): Promise<void>;
  deleteAsset(release: HostRelease, assetId: number): Promise<void>;
}

/** What publishing did. */
export interface PublishedRelease {
  status: "created" | "updated" | "unchanged";
  url: string;
  /** Each asset: uploaded (new) or replaced (a file of that name was there). */
  assets: { name: string; action: "uploaded" | "replaced" }[];
}

/** Create or update the tag's release, then attach every asset (replacing one of the same name). */
export async function publishRelease(host: ReleaseHost, request: ReleaseRequest): Promise<PublishedRelease> {
  if (!request.tag.trim()) throw new Error("tag: a release needs the tag it describes");
  const names = request.assets.map((a) => a.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length > 0) throw new Error(`assets: ${[...new Set(twice)].join(", ")} given twice; asset names are unique in a release`);
  const wanted = { name: request.name, body: request.body, prerelease: request.prerelease };
  let release = await host.find(request.tag);
  let status: PublishedRelease["status"];
  if (!release) {
    const created = await host.create({ tag: request.tag, target: request.target, ...wanted });
    // Another run created it between the look-up and the create: take that one.
    release = created === "exists" ? await host.find(request.tag) : created;
    if (!release) throw new Error(`${host.name}: the release of ${request.tag} was reported to exist but cannot be found`);
    status = created === "exists" ? "updated" : "created";
    if (created === "exists") release = await host.update(release, wanted);
  } else if (release.name !== wanted.name || release.body !== wanted.body || release.prerelease !== wanted.prerelease) {
    release = await host.update(release, wanted);
    status = "updated";
  } else status = "unchanged";
  const assets: PublishedRelease["assets"] = [];
  for (const asset of request.assets) {
    const old = release.assets.find((a) => a.name === asset.name);
    if (old) await host.deleteAsset(release, old.id);
    await host.upload(release, asset);
    assets.push({ name: asset.name, action: old ? "replaced" : "uploaded" });
  }
  return { status, url: release.url, assets };
}

/** One line for summaries: "Created release v1.4.0 (url): 2 asset(s) uploaded." */
export function describePublished(tag: string, p: PublishedRelease): string {
  const verb = { created: "Created", updated: "Updated", unchanged: "Unchanged:" }[p.status];
  const uploaded = p.assets.filter((a) => a.action === "uploaded").length;
  const replaced = p.assets.length - uploaded;
  const files = p.assets.length === 0 ? "no assets" : [uploaded ? `${uploaded} asset(s) uploaded` : "", replaced ? `${replaced} replaced` : ""].filter(Boolean).join(", ");
  return `${verb} release ${tag} (${p.url}): ${files}.`;
}
