/** The one place a request leaves the process: a keep-alive undici dispatcher per client, retries, timeouts. */
import { Agent, ProxyAgent, type Dispatcher } from "undici";
import type { Connection } from "./types.js";

export interface RetryOptions {
  /** Further attempts after the first (default 3). */
  retries?: number;
  /** Backoff base in ms (default 200); attempt n waits a random time up to base·2ⁿ. */
  baseDelayMs?: number;
  /** Upper bound for one wait, including a server's Retry-After (default 10 000). */
  maxDelayMs?: number;
}

export interface TransportOptions {
  /** Sockets kept to the server (default 64). */
  connections?: number;
  /** Milliseconds a socket may sit idle before it is closed (default 30 000). */
  keepAliveMs?: number;
}

export interface RawRequest {
  method: string;
  /** Path plus query, already encoded. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Stream responses (watch) wait this long for headers only. */
  headersTimeoutMs?: number;
  /** 0 disables the body timeout (watch). */
  bodyTimeoutMs?: number;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRY_NETWORK = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
]);
/** Errors that prove the request never reached the server, so even a POST may be sent again. */
const NEVER_SENT = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT"]);

export function createDispatcher(conn: Connection, options: TransportOptions = {}): Dispatcher {
  const { ca, cert, key, servername, rejectUnauthorized } = conn.tls;
  const connect = { ca, cert, key, servername, rejectUnauthorized };
  const common = {
    connections: options.connections ?? 64,
    keepAliveTimeout: options.keepAliveMs ?? 30_000,
    // Timeouts are enforced per call with AbortSignals; watch streams must be allowed to idle.
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  if (conn.proxyUrl) {
    return new ProxyAgent({ uri: conn.proxyUrl, requestTls: connect, ...common });
  }
  return new Agent({ connect, ...common });
}

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Seconds or an HTTP date, as RFC 9110 allows. */
function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function backoff(attempt: number, retry: Required<RetryOptions>, serverAsk?: number): number {
  if (serverAsk !== undefined) return Math.min(serverAsk, retry.maxDelayMs);
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return Math.random() * ceiling;
}

export function retrySettings(retry: RetryOptions | false | undefined): Required<RetryOptions> {
  if (retry === false) return { retries: 0, baseDelayMs: 0, maxDelayMs: 0 };
  return {
    retries: retry?.retries ?? 3,
    baseDelayMs: retry?.baseDelayMs ?? 200,
    maxDelayMs: retry?.maxDelayMs ?? 10_000,
  };
}

/**
 * Sends a request, retrying what is safe to retry: idempotent methods on 429/5xx and broken
 * connections, any method on 429 (rejected before processing) or when the connection was refused.
 * The response returned is the last one; its body is unread.
 */
export async function dispatch(
  dispatcher: Dispatcher,
  origin: string,
  req: RawRequest,
  retry: Required<RetryOptions>,
): Promise<Dispatcher.ResponseData> {
  const idempotent = req.method === "GET" || req.method === "HEAD";
  for (let attempt = 0; ; attempt++) {
    let res: Dispatcher.ResponseData;
    try {
      res = await dispatcher.request({
        origin,
        path: req.path,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        headersTimeout: req.headersTimeoutMs,
        bodyTimeout: req.bodyTimeoutMs,
      });
    } catch (error) {
      const code = errorCode(error);
      const retryable =
        code !== undefined && (idempotent ? RETRY_NETWORK.has(code) : NEVER_SENT.has(code));
      if (!retryable || attempt >= retry.retries || req.signal?.aborted) throw error;
      await sleep(backoff(attempt, retry), req.signal);
      continue;
    }
    const retryable = RETRY_STATUS.has(res.statusCode) && (idempotent || res.statusCode === 429);
    if (!retryable || attempt >= retry.retries) return res;
    const ask = retryAfterMs(res.headers["retry-after"]);
    await res.body.dump().catch(() => {});
    await sleep(backoff(attempt, retry, ask), req.signal);
  }
}
