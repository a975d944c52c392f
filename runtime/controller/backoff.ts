/** Capped exponential backoff with jitter, and an abortable sleep. */

export interface BackoffOptions {
  /** First delay in ms (default 800, as client-go's reflector). */
  initialMs?: number;
  /** Longest delay in ms (default 30 000). */
  maxMs?: number;
}

/**
 * Delay before retry number `attempt` (1-based): doubles from initialMs up to maxMs, then a
 * random point in its upper half, so that many clients failing together do not retry together.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 800;
  const max = options.maxMs ?? 30_000;
  const full = Math.min(max, initial * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return full / 2 + Math.random() * (full / 2);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
