/**
 * Secondary watches: events of other objects queue the keys of the primary objects they concern.
 * `controllerOwner` maps an owned object (a Secret a ConfigMap controller made, a Pod of a Job) to
 * its controlling owner through `metadata.ownerReferences`, as controller-runtime's `Owns()` does.
 */
import type { Informer } from "./informer.js";
import type { KubeObject } from "./store.js";

/** The part of an owner reference the mapping reads. */
interface OwnerReferenceLike {
  apiVersion: string;
  kind: string;
  name: string;
  controller?: boolean;
}

export interface OwnedObject extends KubeObject {
  metadata?: KubeObject["metadata"] & { ownerReferences?: OwnerReferenceLike[] };
}

/** Primary keys (`namespace/name` or `name`) that an event of `object` should reconcile. */
export type KeysOf<S> = (object: S) => string[];

/** Another informer whose events queue primary keys; made by `watches()`. */
export interface SecondaryWatch {
  /** Starts queueing; returns the function that stops it. */
  subscribe(enqueue: (key: string) => void): () => void;
}

/**
 * Pairs an informer of other objects with the primary keys its events concern. An update queues
 * the keys of the old and the new object: owner references can change, and the owner that lost
 * the object must hear of it too.
 */
export function watches<S extends KubeObject>(
  informer: Informer<S>,
  keys: KeysOf<S>,
): SecondaryWatch {
  return {
    subscribe(enqueue) {
      const queue = (...objects: S[]) => {
        for (const key of new Set(objects.flatMap((o) => keys(o)))) enqueue(key);
      };
      const off = [
        informer.on("add", (o) => queue(o)),
        informer.on("update", (old, o) => queue(old, o)),
        informer.on("delete", (o) => queue(o)),
      ];
      return () => off.forEach((f) => f());
    },
  };
}

export interface OwnerKind {
  /** The owner's `apiVersion` (`v1`, `apps/v1`); only its group is compared, as the server does. */
  apiVersion: string;
  kind: string;
  /** The owner is cluster-scoped (a Namespace, a ClusterRole): its key has no namespace. */
  clusterScoped?: boolean;
}

const groupOf = (apiVersion: string) =>
  apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";

/**
 * The key of the object's controller (the owner reference with `controller: true`) when it is of
 * the given kind; other owners are ignored, as only the controller manages the object.
 */
export function controllerOwner<S extends OwnedObject>(owner: OwnerKind): KeysOf<S> {
  const group = groupOf(owner.apiVersion);
  return (object) => {
    const ref = object.metadata?.ownerReferences?.find((r) => r.controller === true);
    if (!ref || ref.kind !== owner.kind || groupOf(ref.apiVersion) !== group) return [];
    const namespace = owner.clusterScoped ? undefined : object.metadata?.namespace;
    return [namespace ? `${namespace}/${ref.name}` : ref.name];
  };
}
