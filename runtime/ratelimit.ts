/** Client-side rate limiting: a token bucket per client, as client-go's `QPS` and `Burst`. */
import { sleep } from "./transport.js";

export interface RateLimitOptions {
  /** Sustained requests per second. */
  qps: number;
  /** Requests that may go at once after a quiet period (default: `max(1, ceil(qps))`). */
  burst?: number;
}

/** Waits until the request may be sent; rejects with the signal's reason when aborted. */
export type Throttle = (signal?: AbortSignal) => Promise<void>;

/**
 * A token bucket that starts full (`burst` tokens) and refills at `qps`. Waiters reserve their
 * token up front (the bucket may go negative), so they leave in arrival order without polling;
 * an aborted waiter hands its token back.
 */
export function tokenBucket(
  options: RateLimitOptions,
  now: () => number = performance.now.bind(performance),
): Throttle {
  const { qps } = options;
  if (!(qps > 0) || !Number.isFinite(qps))
    throw new TypeError(`rateLimit.qps must be a positive number, got ${qps}`);
  const burst = options.burst ?? Math.max(1, Math.ceil(qps));
  if (!(burst >= 1) || !Number.isInteger(burst)) {
    throw new TypeError(`rateLimit.burst must be a whole number >= 1, got ${burst}`);
  }
  let tokens = burst;
  let last = now();
  return (signal) => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) * qps) / 1000);
    last = t;
    tokens -= 1;
    if (tokens >= 0) return Promise.resolve();
    const waitMs = (-tokens * 1000) / qps;
    return sleep(waitMs, signal).catch((reason: unknown) => {
      tokens += 1;
      throw reason;
    });
  };
}
