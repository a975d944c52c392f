/**
 * Informer: a local cache kept in step with the server by list + watch, that delivers add,
 * update and delete events, survives any fault by resuming or relisting, and never stops on
 * its own.
 */
import type { Client } from "../client.js";
import { isForbidden, isGone, isUnauthorized, KubeError } from "../errors.js";
import type { CallOptions } from "../request.js";
import type { WatchEvent, WatchOptions } from "../watch.js";
import { backoffDelay, sleep, type BackoffOptions } from "./backoff.js";
import { EventFeed, type EventsOptions } from "./feed.js";
import {
  InformerError,
  type InformerHealth,
  type InformerPhase,
  type InformerStats,
} from "./health.js";
import { IdleWatchdog, watchTimeoutSeconds } from "./watchdog.js";
import { Store, type IndexFunc, type KubeObject, type StoreReader } from "./store.js";
import { Relist, remove, upsert, type InformerEvent } from "./sync.js";

export interface ListResult<T> {
  items: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** A generated list function and its watch form, e.g. `{ list: listNamespacedPod, watch: watchNamespacedPod }`. */
export interface ListWatch<T, P> {
  list: (client: Client, params: P, options?: CallOptions) => Promise<ListResult<T>>;
  watch: (client: Client, params: P, options?: WatchOptions) => AsyncIterable<WatchEvent<T>>;
}

/**
 * How the initial state (and every relist) is fetched. `stream`: one watch with
 * `sendInitialEvents=true` (the server streams the objects, then a bookmark), so no list
 * response is ever held whole. `paginate`: pages of `pageSize`. `auto` (default): `stream`, and
 * `paginate` for good if the server rejects the streaming parameters.
 */
export type InitialListMode = "auto" | "stream" | "paginate";

export interface InformerOptions<T> {
  /** Namespace for namespaced list functions (default: the client's). Not for cluster-wide forms. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  initialList?: InitialListMode;
  /** Items per page for paginated lists (default 500). */
  pageSize?: number;
  /** Applied to every object before it is stored or delivered (e.g. drop `managedFields`). */
  transform?: (object: T) => T;
  /** Custom indexes for `store.byIndex`; `namespace` is built in. */
  indexers?: Record<string, IndexFunc<T>>;
  /** Re-deliver every stored object as an update (`resync: true`) this often; no server call. */
  resyncMs?: number;
  /** Retry delays after failures (default 800 ms doubling to 30 s, jittered). */
  backoff?: BackoffOptions;
  /** Every failure, with what the informer does next. Never fatal. */
  onError?: (error: InformerError) => void;
  /** Stops the informer, like `stop()`. */
  signal?: AbortSignal;
  /** Used in error messages (default: derived from the list function, e.g. `ConfigMap`). */
  name?: string;
  /** Extra headers for every request (e.g. impersonation). */
  headers?: Record<string, string>;
  /**
   * A watch that receives nothing (no event, no bookmark) for this long is closed and resumed, so a
   * connection that died silently cannot stall the informer. Default: the watch's server-side
   * timeout plus 30 s, which a live connection never exceeds (the server ends the watch first).
   * A shorter limit costs at most a needless reconnect when nothing happens for that long.
   */
  watchIdleTimeoutMs?: number;
}

type Handlers<T> = {
  add: (object: T) => void;
  update: (old: T, object: T, resync: boolean) => void;
  delete: (object: T, finalStateUnknown: boolean) => void;
  error: (error: InformerError) => void;
};

const INITIAL_EVENTS_END = "k8s.io/initial-events-end";

export class Informer<T extends KubeObject> implements AsyncIterable<InformerEvent<T>> {
  readonly store: StoreReader<T>;
  /** Resolves once the initial state is in the store; rejects if stopped before that. */
  readonly synced: Promise<void>;
  readonly stats: InformerStats = { lists: 0, watches: 0, gone: 0, events: 0, errors: 0 };
  /** Resolves when the informer has stopped and closed its connection. */
  readonly done: Promise<void>;
  readonly name: string;

  private readonly cache: Store<T>;
  private readonly abort = new AbortController();
  private readonly handlers: { [K in keyof Handlers<T>]: Set<Handlers<T>[K]> } = {
    add: new Set(),
    update: new Set(),
    delete: new Set(),
    error: new Set(),
  };
  private readonly feeds = new Set<EventFeed<InformerEvent<T>>>();
  private readonly params: Record<string, unknown>;
  private mode: "stream" | "paginate";
  private resourceVersion: string | undefined;
  private healthState: InformerHealth = {
    state: "starting",
    synced: false,
    consecutiveFailures: 0,
  };
  private markSynced!: () => void;
  private failSync!: (error: Error) => void;
  private resyncTimer: NodeJS.Timeout | undefined;
  /** What the loop is doing, for error messages (a streaming list is a watch request). */
  private phase: "list" | "watch" = "list";

  constructor(
    private readonly client: Client,
    // The params type only matters where the informer is made; inside, params are built here.
    private readonly api: ListWatch<T, any>,
    private readonly options: InformerOptions<T> = {},
  ) {
    this.cache = new Store<T>(options.indexers);
    this.store = this.cache;
    this.name = options.name ?? nameOf(api.list.name);
    this.mode = options.initialList === "paginate" ? "paginate" : "stream";
    const params: Record<string, unknown> = {};
    if (options.namespace !== undefined) params.namespace = options.namespace;
    if (options.labelSelector !== undefined) params.labelSelector = options.labelSelector;
    if (options.fieldSelector !== undefined) params.fieldSelector = options.fieldSelector;
    this.params = params;
    this.synced = new Promise<void>((resolve, reject) => {
      this.markSynced = resolve;
      this.failSync = reject;
    });
    // Nobody has to await `synced`; a stop before sync must not become an unhandled rejection.
    this.synced.catch(() => {});
    if (options.signal) {
      if (options.signal.aborted) this.abort.abort();
      else options.signal.addEventListener("abort", () => void this.stop(), { once: true });
    }
    if (options.resyncMs) {
      this.resyncTimer = setInterval(() => this.resync(), options.resyncMs);
      this.resyncTimer.unref();
    }
    this.done = this.run();
  }

  /** How lists are made now: `auto` starts as `stream` and turns `paginate` if the server refuses. */
  get listMode(): "stream" | "paginate" {
    return this.mode;
  }

  /** Adds indexes to the store (objects already stored are indexed at once). */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) this.cache.addIndexer(name, fn);
  }

  get hasSynced(): boolean {
    return this.healthState.synced;
  }

  get health(): InformerHealth {
    return { ...this.healthState };
  }

  /** Registers a handler; returns a function that removes it. A handler that throws is reported, nothing more. */
  on<K extends keyof Handlers<T>>(event: K, handler: Handlers<T>[K]): () => void {
    this.handlers[event].add(handler);
    // As in client-go: an add handler registered late first gets every stored object, so it sees
    // the same state as one registered at the start (a controller made after sync, for one).
    if (event === "add")
      for (const object of this.cache.list())
        this.call({ type: "add", object }, () => (handler as Handlers<T>["add"])(object));
    return () => void this.handlers[event].delete(handler);
  }

  /**
   * Every event from now on, as an async iterator; it ends when the informer stops or the loop
   * breaks. Events wait in memory until the loop takes them: without `maxBuffered`, as many as the
   * loop falls behind by. With `replay`, an `add` for every stored object comes first.
   */
  events(options: EventsOptions = {}): AsyncIterableIterator<InformerEvent<T>> {
    const replay = options.replay
      ? this.cache.list().map((object): InformerEvent<T> => ({ type: "add", object }))
      : [];
    const feed = new EventFeed<InformerEvent<T>>(
      () => this.feeds.delete(feed),
      options.maxBuffered,
      replay,
    );
    if (this.abort.signal.aborted) feed.end();
    else this.feeds.add(feed);
    return feed;
  }

  [Symbol.asyncIterator](): AsyncIterator<InformerEvent<T>> {
    return this.events();
  }

  /** Stops at once: the open connection is closed, iterators end, `done` resolves. */
  stop(): Promise<void> {
    if (!this.abort.signal.aborted) this.abort.abort();
    return this.done;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === undefined) {
          if (this.mode === "stream") await this.streamingList();
          else await this.paginatedList();
        }
        const openedAt = Date.now();
        const delivered = this.stats.events;
        await this.watch();
        // The server ended the watch (its timeout) or the connection closed cleanly: resume. A
        // stream that closes at once without an event counts as a failure, so this cannot spin.
        if (this.stats.events > delivered || Date.now() - openedAt > 1000) continue;
        throw new Error("watch stream closed without an event");
      } catch (error) {
        if (signal.aborted) break;
        if (
          this.mode === "stream" &&
          this.options.initialList !== "stream" &&
          rejectsStreaming(error)
        ) {
          this.mode = "paginate";
          this.report(
            `${this.name} informer: the server rejected a streaming list (${(error as Error).message}); using paginated lists`,
            "watch",
            error,
            0,
          );
          continue;
        }
        if (isGone(error)) {
          this.stats.gone++;
          this.resourceVersion = undefined;
        }
        const phase = this.phase;
        const failures = ++this.healthState.consecutiveFailures;
        const denied = isForbidden(error) || isUnauthorized(error);
        // Permissions do not fix themselves quickly: wait the longest delay at once.
        const delay = backoffDelay(denied ? 64 : failures, this.options.backoff);
        this.report(describe(this.name, phase, error, delay), phase, error, delay);
        this.healthState.state = "backoff";
        await sleep(delay, signal);
      }
    }
    this.healthState.state = "stopped";
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    if (!this.healthState.synced)
      this.failSync(new Error(`${this.name} informer stopped before it synced`));
    for (const feed of this.feeds) feed.end();
    this.feeds.clear();
  }

  private get callOptions(): CallOptions {
    return { signal: this.abort.signal, headers: this.options.headers };
  }

  private async paginatedList(): Promise<void> {
    this.healthState.state = "listing";
    this.phase = "list";
    this.stats.lists++;
    const relist = new Relist(this.cache);
    const limit = this.options.pageSize ?? 500;
    let token: string | undefined;
    let listVersion: string | undefined;
    do {
      // The first page is a consistent read (no resourceVersion); continue tokens keep its snapshot.
      const page = await this.api.list(
        this.client,
        { ...this.params, limit, continue: token },
        this.callOptions,
      );
      listVersion ??= page.metadata?.resourceVersion;
      for (const item of page.items ?? [])
        this.deliver(relist.put(this.transform(item), this.emit));
      token = page.metadata?.continue || undefined;
    } while (token);
    if (!listVersion) throw new Error(`${this.name} list answered without a resourceVersion`);
    this.finishRelist(relist, listVersion);
  }

  private async streamingList(): Promise<void> {
    this.healthState.state = "listing";
    this.phase = "watch";
    this.stats.lists++;
    this.stats.watches++;
    const { stream, dog } = this.openWatch({
      sendInitialEvents: true,
      resourceVersionMatch: "NotOlderThan",
    });
    try {
      let relist: Relist<T> | undefined = new Relist(this.cache);
      for await (const event of stream) {
        dog.touch();
        if (
          relist &&
          event.type === "BOOKMARK" &&
          event.object.metadata.annotations?.[INITIAL_EVENTS_END] === "true"
        ) {
          this.finishRelist(relist, event.object.metadata.resourceVersion);
          relist = undefined;
          continue;
        }
        if (relist) {
          if (event.type !== "BOOKMARK")
            this.deliver(relist.put(this.transform(event.object), this.emit));
          continue;
        }
        this.apply(event);
      }
      if (relist)
        throw new Error(
          `${this.name} streaming list ended before its ${INITIAL_EVENTS_END} bookmark`,
        );
    } finally {
      dog.dispose();
    }
  }

  private finishRelist(relist: Relist<T>, resourceVersion: string): void {
    for (const event of relist.finish()) this.deliver(event);
    this.resourceVersion = resourceVersion;
    this.healthState.state = "watching";
    if (!this.healthState.synced) {
      this.healthState.synced = true;
      this.markSynced();
    }
  }

  /** Watches from the last resourceVersion until the stream ends; a streaming list continues as this. */
  private async watch(): Promise<void> {
    if (this.resourceVersion === undefined) return;
    this.stats.watches++;
    this.healthState.state = "watching";
    this.phase = "watch";
    const { stream, dog } = this.openWatch({ resourceVersion: this.resourceVersion });
    try {
      for await (const event of stream) {
        dog.touch();
        this.apply(event);
      }
    } finally {
      dog.dispose();
    }
  }

  /** A watch with bookmarks and a server-side timeout, closed by the watchdog if it goes quiet. */
  private openWatch(extra: Record<string, unknown>) {
    const timeoutSeconds = watchTimeoutSeconds();
    const limit = this.options.watchIdleTimeoutMs ?? (timeoutSeconds + 30) * 1000;
    const dog = new IdleWatchdog(this.abort.signal, limit, `${this.name} watch`);
    const stream = this.api.watch(
      this.client,
      { ...this.params, ...extra, allowWatchBookmarks: true, timeoutSeconds },
      { ...this.callOptions, signal: dog.signal, resume: false },
    );
    return { stream, dog };
  }

  private apply(event: WatchEvent<T>): void {
    const version = event.object.metadata?.resourceVersion;
    if (event.type !== "BOOKMARK") {
      const object = this.transform(event.object);
      this.deliver(
        event.type === "DELETED"
          ? remove(this.cache, object)
          : upsert(this.cache, object, undefined, this.emit),
      );
    }
    if (version) this.resourceVersion = version;
    this.healthState.consecutiveFailures = 0;
  }

  private transform(object: T): T {
    return this.options.transform ? this.options.transform(object) : object;
  }

  private readonly emit = (event: InformerEvent<T>) => this.deliver(event);

  private deliver(event: InformerEvent<T> | undefined): void {
    if (!event) return;
    this.stats.events++;
    this.dispatch(event);
  }

  private dispatch(event: InformerEvent<T>): void {
    for (const feed of this.feeds) feed.push(event);
    const call = (fn: () => unknown) => this.call(event, fn);
    switch (event.type) {
      case "add":
        for (const h of this.handlers.add) call(() => h(event.object));
        break;
      case "update":
        for (const h of this.handlers.update)
          call(() => h(event.old, event.object, event.resync ?? false));
        break;
      case "delete":
        for (const h of this.handlers.delete) call(() => h(event.object, event.finalStateUnknown));
        break;
    }
  }

  private call(event: InformerEvent<T>, fn: () => unknown): void {
    try {
      const result = fn();
      if (result instanceof Promise) result.catch((error) => this.handlerFailed(event, error));
    } catch (error) {
      this.handlerFailed(event, error);
    }
  }

  private handlerFailed(event: InformerEvent<T>, error: unknown): void {
    const key = event.object.metadata?.namespace
      ? `${event.object.metadata.namespace}/${event.object.metadata.name}`
      : event.object.metadata?.name;
    this.report(
      `${this.name} informer: ${event.type} handler for ${key} threw: ${(error as Error)?.message ?? String(error)}`,
      "handler",
      error,
      undefined,
    );
  }

  private resync(): void {
    if (!this.healthState.synced || this.abort.signal.aborted) return;
    for (const object of this.cache.list())
      this.dispatch({ type: "update", object, old: object, resync: true });
  }

  private report(
    message: string,
    phase: InformerPhase,
    cause: unknown,
    retryInMs: number | undefined,
  ): void {
    const error = new InformerError(message, phase, cause, retryInMs);
    this.stats.errors++;
    if (phase !== "handler") {
      this.healthState.lastError = error;
      this.healthState.lastErrorAt = new Date();
    }
    try {
      this.options.onError?.(error);
    } catch {
      // An error callback that throws has nowhere further to report to.
    }
    for (const h of this.handlers.error) {
      try {
        h(error);
      } catch {
        // As above.
      }
    }
  }
}

/**
 * Starts an informer, typed by a generated list function and its watch form:
 * `informer(client, { list: listNamespacedPod, watch: watchNamespacedPod }, { namespace: "shop" })`.
 */
export function informer<T extends KubeObject, P>(
  client: Client,
  api: ListWatch<T, P>,
  options: InformerOptions<T> = {},
): Informer<T> {
  return new Informer(client, api, options);
}

/** `listNamespacedConfigMap` → `ConfigMap`, `listPodForAllNamespaces` → `Pod`. */
function nameOf(listName: string): string {
  return listName.replace(/^list(Namespaced)?/, "").replace(/ForAllNamespaces$/, "") || "object";
}

/** The server does not know the streaming-list parameters (feature off or too old). */
function rejectsStreaming(error: unknown): boolean {
  return error instanceof KubeError && (error.code === 400 || error.code === 422);
}

function describe(name: string, phase: InformerPhase, error: unknown, delay: number): string {
  const verb = phase === "list" ? "list" : "watch";
  const retry = `retrying in ${(delay / 1000).toFixed(1)}s`;
  if (isForbidden(error)) {
    return (
      `${name} informer: the server refused to ${verb} (403 Forbidden): RBAC must allow the verb ` +
      `"${verb}" on this resource (${error.status?.message ?? error.message}); ${retry}`
    );
  }
  if (isGone(error)) {
    return `${name} informer: ${verb} position expired (410 Gone), listing again; ${retry}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `${name} informer: ${verb} failed: ${message}; ${retry}`;
}
