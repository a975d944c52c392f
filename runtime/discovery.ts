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

/** A group/version whose resource list could not be read (an aggregated API that is down, …). */
export interface FailedGroupVersion {
  /** `""` for the core group. */
  group: string;
  version: string;
  /** What the request threw, usually a KubeError (e.g. 503 from an unavailable APIService). */
  error: unknown;
}

/**
 * The resources that could be discovered, and (`failed`, a non-enumerable property) the
 * group/versions that failed, as kubectl reports them.
 */
export type DiscoveredResources = ApiResource[] & { failed: FailedGroupVersion[] };

/**
 * Every resource the server serves (`kubectl api-resources`). One broken group/version (a
 * misbehaving aggregated API) does not hide the others: it is listed in `failed` instead, as
 * kubectl prints "unable to retrieve the complete list of server APIs". Failing to list the
 * groups themselves, or a cancelled call, still throws.
 */
export async function discoverResources(
  client: Client,
  options: DiscoverOptions = {},
): Promise<DiscoveredResources> {
  const groups = await discoverGroups(client, options);
  const targets = groups.flatMap((g) =>
    (options.allVersions ? g.versions : [g.preferredVersion]).map((version) => ({
      group: g.name,
      version,
    })),
  );
  const lists = await Promise.allSettled(
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
  if (options.signal?.aborted) throw options.signal.reason;
  const failed: FailedGroupVersion[] = [];
  const resources = targets.flatMap(({ group, version }, i) => {
    const list = lists[i];
    if (list.status === "rejected") {
      failed.push({ group, version, error: list.reason });
      return [];
    }
    return (list.value?.resources ?? [])
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
      }));
  });
  // Not enumerable: the result still compares, prints and serializes as the plain array it was.
  return Object.defineProperty(resources, "failed", { value: failed }) as DiscoveredResources;
}
