/** Watch streams as async iterators of typed events, resuming from the last resourceVersion. */
import type { Client } from "./client.js";
import { KubeError, type Status } from "./errors.js";
import { execute, prepare, type CallOptions, type Params } from "./request.js";

/** The object of a BOOKMARK event: only the resourceVersion (and annotations) are meaningful. */
export interface Bookmark {
  kind?: string;
  apiVersion?: string;
  metadata: { resourceVersion: string; annotations?: Record<string, string> };
}

/**
 * One watch event: ADDED, MODIFIED, DELETED or BOOKMARK. The stream's ERROR events are thrown
 * from the loop as a typed KubeError instead (`isGone(error)` means the resourceVersion expired:
 * list again, then watch from the list's resourceVersion), so handling them cannot be forgotten.
 */
export type WatchEvent<T> =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: T }
  | { type: "BOOKMARK"; object: Bookmark };

/** An event as it arrives on the wire, before ERROR events are turned into KubeErrors. */
type WireEvent<T> = WatchEvent<T> | { type: "ERROR"; object: Status };

export interface WatchOptions extends Omit<CallOptions, "timeoutMs"> {
  /**
   * Reconnect from the last resourceVersion when the stream ends or breaks. Default: true, unless
   * `timeoutSeconds` was given, in which case the iterator ends when the server closes the stream.
   */
  resume?: boolean;
  /** Consecutive failed reconnects before the error is thrown (default 5). */
  maxReconnects?: number;
  /**
   * Wait before reconnecting: after the n-th failure in a row, a random time between half and all
   * of `min(maxDelayMs, baseDelayMs·2ⁿ)` (defaults 250 and 5 000), so a restarted API server is
   * not hit by every watch at the same instant.
   */
  backoff?: { baseDelayMs?: number; maxDelayMs?: number };
  /** Called with each resourceVersion the watch has reached (events and bookmarks). */
  onResourceVersion?: (resourceVersion: string) => void;
}

/** Splits a byte stream into lines, whatever the chunk boundaries (multi-byte characters included). */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  for await (const raw of chunks) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const line = pending.length ? Buffer.concat([...pending, piece]).toString("utf8") : piece.toString("utf8");
      pending = [];
      if (line.trim()) yield line;
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  const last = Buffer.concat(pending).toString("utf8");
  if (last.trim()) yield last;
}

/** Capped exponential backoff with jitter ("equal jitter": never less than half the ceiling). */
export function reconnectDelay(failures: number, base = 250, max = 5000): number {
  const ceiling = Math.min(max, base * 2 ** failures);
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });
}

/**
 * Typed `AsyncIterable`, as the generated watch functions return it: the same type lets each of
 * them be checked by identity, where an `AsyncGenerator` is compared member by member.
 */
export async function* watch<T>(
  client: Client,
  template: string,
  input: Params,
  options: WatchOptions = {},
): AsyncIterable<WatchEvent<T>> {
  const params = input as Record<string, unknown>;
  const resume = options.resume ?? params.timeoutSeconds === undefined;
  const maxReconnects = options.maxReconnects ?? 5;
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let resourceVersion = params.resourceVersion as string | undefined;
  let failures = 0;
  const base = options.backoff?.baseDelayMs ?? 250;
  const max = options.backoff?.maxDelayMs ?? 5000;
  const pause = () => delay(reconnectDelay(failures, base, max), signal);
  try {
    for (;;) {
      let body: AsyncIterable<Uint8Array>;
      const query = { ...params, resourceVersion };
      const call = prepare(client, "GET", template, query, { ...options, signal, timeoutMs: 0 }, {
        query: { watch: "1" },
        stream: true,
      });
      const connectedAt = Date.now();
      let received = 0;
      try {
        body = (await execute(call)).body;
      } catch (error) {
        if (error instanceof KubeError || !resume || signal.aborted || ++failures > maxReconnects) throw error;
        await pause();
        continue;
      }
      try {
        for await (const line of splitLines(body)) {
          let event: WireEvent<T>;
          try {
            event = JSON.parse(line) as WireEvent<T>;
          } catch {
            const shown = line.length > 200 ? `${line.slice(0, 200)}… (${line.length} bytes)` : line;
            throw new Error(`GET ${call.path}: watch stream sent a line that is not JSON: ${JSON.stringify(shown)}`);
          }
          if (event.type === "ERROR") {
            const status = event.object;
            throw new KubeError({ code: status?.code ?? 500, verb: "WATCH", path: call.path, status });
          }
          const rv = (event.object as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion;
          if (rv) {
            resourceVersion = rv;
            options.onResourceVersion?.(rv);
          }
          failures = 0;
          received++;
          yield event;
        }
      } catch (error) {
        if (error instanceof KubeError || signal.aborted || !resume || ++failures > maxReconnects) throw error;
        // A stream broken mid-way (server restart, cut connection) waits too, like a failed connect.
        await pause();
        continue;
      }
      if (!resume || signal.aborted) return;
      // A stream that ends at once without an event (a proxy that cannot stream, a server going
      // away) counts as a failure, so reconnecting backs off instead of spinning.
      if (received === 0 && Date.now() - connectedAt < 1000) {
        if (++failures > maxReconnects) {
          throw new Error(`GET ${call.path}: watch stream closed without an event ${failures} times in a row`);
        }
        await pause();
      }
    }
  } finally {
    // Leaving the loop early (break, return, throw) closes the connection.
    stop.abort();
  }
}
