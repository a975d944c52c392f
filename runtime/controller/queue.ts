/**
 * Work queue and reconcile loop (client-go's workqueue, kube-rs' Controller): a key waits at most
 * once, is reconciled by one worker at a time, and failures back off per key.
 */
import type { Informer } from "./informer.js";
import type { SecondaryWatch } from "./owners.js";
import { objectKey, type KubeObject } from "./store.js";

export interface QueueBackoff {
  /** Delay after a key's first failure (default 5 ms, as client-go). */
  baseMs?: number;
  /** Longest delay (default 300 000 ms). */
  maxMs?: number;
}

export class WorkQueue {
  /** Keys ready to be handed out, in order. */
  private ready: string[] = [];
  private head = 0;
  /** Keys waiting (in `ready`, or to be re-queued when their reconcile ends). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private closed = false;

  constructor(private readonly backoff: QueueBackoff = {}) {}

  /** Keys waiting to be handed out. */
  get length(): number {
    return this.ready.length - this.head;
  }

  get shuttingDown(): boolean {
    return this.closed;
  }

  /** Queues `key` unless it already waits; a key being reconciled is queued again when it is done. */
  add(key: string): void {
    if (this.closed || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.take(key);
      waiter(key);
    } else this.ready.push(key);
  }

  /** Queues `key` after `ms`; an earlier pending time for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.closed) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, timer });
  }

  /** Queues `key` after its next backoff delay: base·2^(failures) up to max. Returns the delay. */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min(
      this.backoff.maxMs ?? 300_000,
      (this.backoff.baseMs ?? 5) * 2 ** Math.min(n, 40),
    );
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears a key's failure count (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key, marked as being processed until `done(key)`; undefined once shut down. */
  get(): Promise<string | undefined> {
    if (this.head < this.ready.length) {
      const key = this.ready[this.head++];
      if (this.head > 1024 && this.head * 2 > this.ready.length) {
        this.ready = this.ready.slice(this.head);
        this.head = 0;
      }
      this.take(key);
      return Promise.resolve(key);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Wakes every waiting `get()` with undefined and drops delayed keys. */
  shutDown(): void {
    this.closed = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private take(key: string): void {
    this.dirty.delete(key);
    this.processing.add(key);
  }
}

export interface ReconcileResult {
  /** Reconcile this key again after this many ms (periodic checks). */
  requeueAfter?: number;
}

export type Reconcile = (
  key: string,
  signal: AbortSignal,
) => Promise<ReconcileResult | void> | ReconcileResult | void;

export interface ControllerOptions<T extends KubeObject> {
  /** Its events queue the object's key; `reconcile` reads the object from `informer.store`. */
  informer?: Informer<T>;
  /**
   * Other informers whose events queue primary keys, e.g.
   * `watches(secrets, controllerOwner({ apiVersion: "v1", kind: "ConfigMap" }))`.
   */
  watches?: readonly SecondaryWatch[];
  reconcile: Reconcile;
  /** Keys reconciled at once (default 1); one key is never reconciled twice at the same time. */
  concurrency?: number;
  backoff?: QueueBackoff;
  /** A reconcile that threw; the key is retried after `retryInMs`. */
  onError?: (key: string, error: unknown, retryInMs: number) => void;
  /** Stops the workers, like `stop()`. */
  signal?: AbortSignal;
}

export interface Controller {
  readonly queue: WorkQueue;
  /** Stops handing out keys, aborts the running reconciles' signals, waits for them to return. */
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

/** Runs `reconcile` for every queued key with the options' concurrency until stopped. */
export function controller<T extends KubeObject>(options: ControllerOptions<T>): Controller {
  const queue = new WorkQueue(options.backoff);
  const abort = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
  const unsubscribe: (() => void)[] = [];
  const enqueue = (object: T) => queue.add(objectKey(object));
  if (options.informer) {
    unsubscribe.push(
      options.informer.on("add", enqueue),
      options.informer.on("update", (_old, object) => enqueue(object)),
      options.informer.on("delete", enqueue),
    );
  }
  for (const watch of options.watches ?? [])
    unsubscribe.push(watch.subscribe((key) => queue.add(key)));
  const worker = async () => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        const result = await options.reconcile(key, signal);
        queue.forget(key);
        if (result && result.requeueAfter !== undefined) queue.addAfter(key, result.requeueAfter);
      } catch (error) {
        if (signal.aborted) {
          queue.done(key);
          continue;
        }
        const delay = queue.addRateLimited(key);
        try {
          options.onError?.(key, error, delay);
        } catch {
          // Nowhere further to report to.
        }
      }
      queue.done(key);
    }
  };
  const stopNow = () => {
    unsubscribe.forEach((u) => u());
    queue.shutDown();
  };
  if (signal.aborted) stopNow();
  else signal.addEventListener("abort", stopNow, { once: true });
  const done = Promise.all(
    Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker),
  ).then(() => {});
  return {
    queue,
    done,
    stop: () => {
      abort.abort();
      return done;
    },
  };
}
