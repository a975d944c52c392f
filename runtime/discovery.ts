/** What the server serves: API groups, versions and resources, as `kubectl api-resources` lists them. */
import type { Client } from "./client.js";
import { send, type CallOptions } from "./request.js";

export interface ApiGroup {
  /** `""` for the core group. */
  name: string;
  versions: string[];
  preferredVersion: string;
}

export interface ApiResource {
  group: string;
  version: string;
  /** Plural name, e.g. `deployments`; subresources look like `deployments/scale`. */
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
  categories: string[];
}

/** One entry of the resource registry a generated group/version exports. */
export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: readonly string[];
  subresources: readonly string[];
}

interface GroupList {
  groups: {
    name: string;
    versions: { version: string }[];
    preferredVersion?: { version: string };
  }[];
}
interface ResourceList {
  resources: {
    name: string;
    kind: string;
    namespaced: boolean;
    verbs: string[];
    shortNames?: string[];
    categories?: string[];
  }[];
}

/** The core group (from `/api`) followed by every named group (from `/apis`). */
export async function discoverGroups(client: Client, options?: CallOptions): Promise<ApiGroup[]> {
  const [core, named] = await Promise.all([
    send<{ versions: string[] }>(client, "GET", "/api", {}, options),
    send<GroupList>(client, "GET", "/apis", {}, options),
  ]);
  return [
    { name: "", versions: core.versions, preferredVersion: core.versions[0] },
    ...named.groups.map((g) => ({
      name: g.name,
      versions: g.versions.map((v) => v.version),
      preferredVersion: g.preferredVersion?.version ?? g.versions[0].version,
    })),
  ];
}

export interface DiscoverOptions extends CallOptions {
  /** Every served version, not only each group's preferred one (default false, like kubectl). */
  allVersions?: boolean;
  /** Include subresources such as `pods/log` (default false). */
  subresources?: boolean;
}

export async function discoverResources(
  client: Client,
  options: DiscoverOptions = {},
): Promise<ApiResource[]> {
  const groups = await discoverGroups(client, options);
  const targets = groups.flatMap((g) =>
    (options.allVersions ? g.versions : [g.preferredVersion]).map((version) => ({
      group: g.name,
      version,
    })),
  );
  const lists = await Promise.all(
    targets.map(({ group, version }) =>
      send<ResourceList>(
        client,
        "GET",
        group ? `/apis/${group}/${version}` : `/api/${version}`,
        {},
        options,
      ),
    ),
  );
  return targets.flatMap(({ group, version }, i) =>
    lists[i].resources
      .filter((r) => options.subresources || !r.name.includes("/"))
      .map((r) => ({
        group,
        version,
        name: r.name,
        kind: r.kind,
        namespaced: r.namespaced,
        verbs: r.verbs,
        shortNames: r.shortNames ?? [],
        categories: r.categories ?? [],
      })),
  );
}
