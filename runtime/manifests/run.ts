/** What apply and delete share: resolving each object to a path, namespace defaulting, a bounded pool. */
import type { Client } from "../client.js";
export { sleep as pause } from "../transport.js";
import { ManifestError, type ObjectRef } from "./types.js";
import type { ManifestDocument } from "./parse.js";
import { objectPath, type KindResolver, type ResolvedKind } from "./resolve.js";

/** One object ready for a request: its path and the body with the namespace settled. */
export interface Target {
  ref: ObjectRef;
  kind: ResolvedKind;
  template: string;
  params: Record<string, string>;
  body: Record<string, unknown>;
}

export function refOf(doc: ManifestDocument): ObjectRef {
  const { apiVersion, kind, metadata } = doc.object;
  const ref: ObjectRef = { index: doc.index, apiVersion, kind, name: metadata.name };
  if (doc.line !== undefined) ref.line = doc.line;
  if (typeof metadata.namespace === "string") ref.namespace = metadata.namespace;
  return ref;
}

/**
 * Namespaced objects without a namespace get `namespace` (the option, else the client's);
 * cluster-scoped objects never carry one, even when the input gave one.
 */
export function settle(
  doc: ManifestDocument,
  kind: ResolvedKind,
  defaultNamespace: string,
): Target {
  const ref = refOf(doc);
  const source = doc.object as Record<string, unknown>;
  const metadata = { ...(source.metadata as Record<string, unknown>) };
  if (kind.namespaced) {
    ref.namespace ??= defaultNamespace;
    metadata.namespace = ref.namespace;
  } else {
    delete ref.namespace;
    delete metadata.namespace;
  }
  const { template, params } = objectPath(kind, ref.name, ref.namespace);
  return { ref, kind, template, params, body: { ...source, metadata } };
}

/** Resolves one document, or says why it cannot be: neither the index nor the server know its kind. */
export async function targetOf(
  doc: ManifestDocument,
  resolver: KindResolver,
  defaultNamespace: string,
): Promise<Target> {
  const { apiVersion, kind } = doc.object;
  const resolved = await resolver.resolve(apiVersion, kind);
  if (!resolved) {
    throw new ManifestError([
      {
        index: doc.index,
        line: doc.line,
        message: `the server has no resource for kind ${kind} in ${apiVersion} (is its CustomResourceDefinition installed?)`,
      },
    ]);
  }
  return settle(doc, resolved, defaultNamespace);
}

export function namespaceFor(client: Client, option: string | undefined): string {
  return option ?? client.namespace;
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the items' order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
