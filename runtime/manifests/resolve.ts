/** apiVersion/kind → group, version, plural and scope: the generated index first, then discovery. */
import type { Client } from "../client.js";
import { isNotFound } from "../errors.js";
import { send, type CallOptions } from "../request.js";
import type { KindEntry } from "./types.js";

/** apiVersion → kind → [plural, namespaced], as `generated/manifests.ts` exports it. */
export type KindIndex = Readonly<Record<string, Readonly<Record<string, KindEntry>>>>;

export interface ResolvedKind {
  /** `""` for the core group. */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

interface ResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

/** Resolves kinds for one apply or delete; discovery answers are kept for its duration. */
export class KindResolver {
  private readonly discovered = new Map<string, Promise<ResourceList | undefined>>();

  constructor(
    private readonly client: Client,
    private readonly index: KindIndex,
    private readonly options: CallOptions,
  ) {}

  /** From the generated index only (no request). */
  known(apiVersion: string, kind: string): ResolvedKind | undefined {
    const entry = this.index[apiVersion]?.[kind];
    return entry && { ...splitApiVersion(apiVersion), plural: entry[0], namespaced: entry[1] };
  }

  /** The index, else the server's discovery document for the apiVersion; undefined when neither knows the kind. */
  async resolve(apiVersion: string, kind: string): Promise<ResolvedKind | undefined> {
    const known = this.known(apiVersion, kind);
    if (known) return known;
    const list = await this.discover(apiVersion);
    const found = list?.resources.find((r) => r.kind === kind && !r.name.includes("/"));
    return (
      found && { ...splitApiVersion(apiVersion), plural: found.name, namespaced: found.namespaced }
    );
  }

  /** Drops a cached discovery answer (after a CRD for that apiVersion was established). */
  forget(apiVersion: string): void {
    this.discovered.delete(apiVersion);
  }

  private discover(apiVersion: string): Promise<ResourceList | undefined> {
    let pending = this.discovered.get(apiVersion);
    if (!pending) {
      const { group, version } = splitApiVersion(apiVersion);
      pending = send<ResourceList>(
        this.client,
        "GET",
        group ? "/apis/{group}/{version}" : "/api/{version}",
        group ? { group, version } : { version },
        this.options,
      ).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        this.discovered.delete(apiVersion);
        throw error;
      });
      this.discovered.set(apiVersion, pending);
    }
    return pending;
  }
}

/** The path template and params of one object; every value is percent-encoded by buildPath. */
export function objectPath(
  kind: ResolvedKind,
  name: string,
  namespace: string | undefined,
): { template: string; params: Record<string, string> } {
  const base = kind.group ? "/apis/{group}/{version}" : "/api/{version}";
  const scope = kind.namespaced ? "/namespaces/{namespace}" : "";
  const params: Record<string, string> = { version: kind.version, plural: kind.plural, name };
  if (kind.group) params.group = kind.group;
  if (kind.namespaced && namespace !== undefined) params.namespace = namespace;
  return { template: `${base}${scope}/{plural}/{name}`, params };
}
