/**
 * How list and watch results turn into store writes and events: a replayed or repeated version
 * changes nothing, and a relist deletes (with the last known state) whatever it did not see.
 */
import { objectKey, resourceVersionOf, type KubeObject, type Store } from "./store.js";

export type InformerEvent<T> =
  | { type: "add"; object: T }
  /** `resync`: a periodic re-delivery of an unchanged object (old === object). */
  | { type: "update"; object: T; old: T; resync?: boolean }
  /**
   * `finalStateUnknown`: the object vanished while the watch was down and a relist noticed;
   * `object` is the last state the informer saw, not the state at deletion.
   */
  | { type: "delete"; object: T; finalStateUnknown: boolean };

/**
 * Stores an object that exists on the server and returns the event to deliver, if anything
 * changed. The same name with another uid is another object (deleted and re-created while the
 * informer was away): the old one gets its delete, marked final-state-unknown, before the add.
 */
export function upsert<T extends KubeObject>(
  store: Store<T>,
  object: T,
  key = objectKey(object),
  emit?: (event: InformerEvent<T>) => void,
): InformerEvent<T> | undefined {
  const old = store.getByKey(key);
  if (old !== undefined && resourceVersionOf(old) === resourceVersionOf(object)) return undefined;
  store.set(key, object);
  if (old === undefined) return { type: "add", object };
  const oldUid = old.metadata?.uid;
  const uid = object.metadata?.uid;
  if (emit && oldUid && uid && oldUid !== uid) {
    emit({ type: "delete", object: old, finalStateUnknown: true });
    return { type: "add", object };
  }
  return { type: "update", object, old };
}

/** Removes an object the server reported deleted; nothing when it was not stored. */
export function remove<T extends KubeObject>(
  store: Store<T>,
  object: T,
): InformerEvent<T> | undefined {
  const key = objectKey(object);
  if (!store.has(key)) return undefined;
  store.delete(key);
  return { type: "delete", object, finalStateUnknown: false };
}

/**
 * One relist. Objects are written to the store as they arrive (one page or one initial event at
 * a time) rather than collected into a second map, so a relist never holds two copies of the
 * collection; only the keys seen are remembered.
 */
export class Relist<T extends KubeObject> {
  private readonly seen = new Set<string>();

  constructor(private readonly store: Store<T>) {}

  /** `emit` receives the delete of a replaced object (same name, new uid) before the returned add. */
  put(object: T, emit?: (event: InformerEvent<T>) => void): InformerEvent<T> | undefined {
    const key = objectKey(object);
    this.seen.add(key);
    return upsert(this.store, object, key, emit);
  }

  /** Deletes every stored object the relist did not see. */
  finish(): InformerEvent<T>[] {
    const events: InformerEvent<T>[] = [];
    for (const key of this.store.keys()) {
      if (this.seen.has(key)) continue;
      const object = this.store.delete(key)!;
      events.push({ type: "delete", object, finalStateUnknown: true });
    }
    this.seen.clear();
    return events;
  }
}
