/** The informer's cache: objects by key, plus secondary indexes kept in step with every write. */

/** The part of an object the cache needs: its identity and version. */
export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
}

/** Maps an object to the index values it is filed under (for example its node name). */
export type IndexFunc<T> = (object: T) => string[];

/** `namespace/name`, or `name` for cluster-scoped objects (client-go's key format). */
export function objectKey(object: KubeObject): string {
  const meta = object.metadata;
  if (!meta?.name) throw new TypeError("object has no metadata.name");
  return meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
}

export function resourceVersionOf(object: KubeObject | undefined): string | undefined {
  return object?.metadata?.resourceVersion;
}

/** Built in: objects by namespace (`""` for cluster-scoped ones). */
export const NAMESPACE_INDEX = "namespace";

/**
 * Read access to the cache. Objects are the parsed objects as received (after the informer's
 * transform), shared, not copied: treat them as read-only.
 */
export interface StoreReader<T> {
  get(namespace: string | undefined, name: string): T | undefined;
  getByKey(key: string): T | undefined;
  has(key: string): boolean;
  list(): T[];
  keys(): string[];
  /** Objects whose index function returned `value` (for example `byIndex("namespace", "shop")`). */
  byIndex(index: string, value: string): T[];
  readonly size: number;
}

export class Store<T extends KubeObject> implements StoreReader<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  /** index name → value → keys. */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.indexFuncs.set(NAMESPACE_INDEX, (o) => [o.metadata?.namespace ?? ""]);
    for (const [name, fn] of Object.entries(indexers)) this.indexFuncs.set(name, fn);
    for (const name of this.indexFuncs.keys()) this.indexes.set(name, new Map());
  }

  get size(): number {
    return this.objects.size;
  }

  /** Adds an index, built over the objects already stored; a name in use is an error. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexFuncs.has(name)) throw new Error(`an index named ${JSON.stringify(name)} exists`);
    this.indexFuncs.set(name, fn);
    const values = new Map<string, Set<string>>();
    this.indexes.set(name, values);
    for (const [key, object] of this.objects)
      for (const value of fn(object)) {
        if (!values.has(value)) values.set(value, new Set());
        values.get(value)!.add(key);
      }
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  has(key: string): boolean {
    return this.objects.has(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  byIndex(index: string, value: string): T[] {
    const values = this.indexes.get(index);
    if (!values) throw new Error(`no index named ${JSON.stringify(index)}`);
    const out: T[] = [];
    for (const key of values.get(value) ?? []) {
      const object = this.objects.get(key);
      if (object) out.push(object);
    }
    return out;
  }

  /** Stores `object` under `key`; returns the object it replaced. */
  set(key: string, object: T): T | undefined {
    const old = this.objects.get(key);
    this.objects.set(key, object);
    this.reindex(key, old, object);
    return old;
  }

  /** Removes `key`; returns the object removed. */
  delete(key: string): T | undefined {
    const old = this.objects.get(key);
    if (old === undefined) return undefined;
    this.objects.delete(key);
    this.reindex(key, old, undefined);
    return old;
  }

  private reindex(key: string, old: T | undefined, next: T | undefined): void {
    for (const [name, fn] of this.indexFuncs) {
      const values = this.indexes.get(name)!;
      const before = old ? fn(old) : [];
      const after = next ? fn(next) : [];
      // The common case (namespace, node name) does not change on update: nothing to do.
      if (before.length === 1 && after.length === 1 && before[0] === after[0]) continue;
      for (const value of before) {
        const keys = values.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) values.delete(value);
      }
      for (const value of after) {
        let keys = values.get(value);
        if (!keys) values.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }
}
