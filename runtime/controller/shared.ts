/**
 * Shared informers: one list/watch and one cache per resource and selection, however many
 * controllers use it, as client-go's SharedInformerFactory gives. Each caller adds its own
 * handlers and indexes to the same informer.
 */
import type { Client } from "../client.js";
import { informer, type Informer, type InformerOptions, type ListWatch } from "./informer.js";
import type { IndexFunc, KubeObject } from "./store.js";

/** What tells two informers of the same list function apart. */
export interface Selection {
  /** Default: the client's namespace (for namespaced list functions). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Options every shared informer gets; `transform` and indexers are per informer, see below. */
export type SharedOptions = Omit<
  InformerOptions<KubeObject>,
  keyof Selection | "transform" | "indexers" | "name" | "signal"
>;

export interface SharedInformers {
  /**
   * The informer of `api` for `selection`, made and started on first use and the same object after.
   * `indexers` are added to its store (a name already in use by another function is an error).
   */
  informer<T extends KubeObject, P>(
    api: ListWatch<T, P>,
    selection?: Selection,
    indexers?: Record<string, IndexFunc<T>>,
  ): Informer<T>;
  /** Resolves once every informer made so far has synced. */
  synced(): Promise<void>;
  /** Stops every informer; `informer()` throws afterwards. */
  stop(): Promise<void>;
}

export function sharedInformers(client: Client, options: SharedOptions = {}): SharedInformers {
  // list function → selection → informer; the watch form goes with its list function.
  const made = new Map<unknown, Map<string, Informer<KubeObject>>>();
  const indexFuncs = new WeakMap<Informer<KubeObject>, Map<string, IndexFunc<never>>>();
  let stopped = false;
  const all = () => [...made.values()].flatMap((bySelection) => [...bySelection.values()]);
  return {
    informer<T extends KubeObject, P>(
      api: ListWatch<T, P>,
      selection: Selection = {},
      indexers: Record<string, IndexFunc<T>> = {},
    ): Informer<T> {
      if (stopped) throw new Error("shared informers: stopped");
      const key = JSON.stringify([
        // Leaving the namespace out means the client's: the same informer as naming it.
        selection.namespace ?? client.namespace,
        selection.labelSelector ?? "",
        selection.fieldSelector ?? "",
      ]);
      let bySelection = made.get(api.list);
      if (!bySelection) made.set(api.list, (bySelection = new Map()));
      let shared = bySelection.get(key) as Informer<T> | undefined;
      if (!shared) {
        shared = informer(client, api, { ...options, ...selection } as InformerOptions<T>);
        bySelection.set(key, shared as unknown as Informer<KubeObject>);
        indexFuncs.set(shared as unknown as Informer<KubeObject>, new Map());
      }
      const known = indexFuncs.get(shared as unknown as Informer<KubeObject>)!;
      const added: Record<string, IndexFunc<T>> = {};
      for (const [name, fn] of Object.entries(indexers)) {
        const existing = known.get(name);
        if (existing === undefined) added[name] = fn;
        else if (existing !== fn)
          throw new Error(
            `shared informers: an index named ${JSON.stringify(name)} exists with another function`,
          );
      }
      shared.addIndexers(added);
      for (const [name, fn] of Object.entries(added)) known.set(name, fn as IndexFunc<never>);
      return shared;
    },
    synced: () => Promise.all(all().map((i) => i.synced)).then(() => {}),
    async stop() {
      stopped = true;
      await Promise.all(all().map((i) => i.stop()));
    },
  };
}
