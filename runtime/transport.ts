/** The one place a request leaves the process: a keep-alive undici dispatcher per client, retries, timeouts. */
import { Agent, Dispatcher, ProxyAgent, interceptors } from "undici";
import type { HeaderMap } from "./identity.js";
import type { Throttle } from "./ratelimit.js";
import type { ClientCertificate, Connection, Credentials, TlsSettings } from "./types.js";

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
  /**
   * Ask for gzip-compressed responses (`Accept-Encoding: gzip`) and decode them (default true).
   * The API server compresses responses above 128 KiB, so large lists move several times fewer
   * bytes; small responses are sent as they are. False sends no `Accept-Encoding`.
   */
  compression?: boolean;
}

export interface RawRequest {
  method: string;
  /** Path plus query, already encoded. */
  path: string;
  headers: HeaderMap;
  body?: string;
  signal?: AbortSignal;
  /** Stream responses (watch) wait this long for headers only. */
  headersTimeoutMs?: number;
  /** 0 disables the body timeout (watch). */
  bodyTimeoutMs?: number;
  /** Client-side rate limit, awaited before every attempt. */
  throttle?: Throttle;
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
  const common = {
    connections: options.connections ?? 64,
    keepAliveTimeout: options.keepAliveMs ?? 30_000,
    // Timeouts are enforced per call with AbortSignals; watch streams must be allowed to idle.
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  const proxy = proxyRoute(conn.proxyUrl);
  const make = (tls: TlsSettings): Dispatcher => {
    const { ca, cert, key, servername, rejectUnauthorized } = tls;
    const connect = { ca, cert, key, servername, rejectUnauthorized };
    if (proxy) {
      const { origin, authorization: token } = proxy;
      return new ProxyAgent({ uri: origin, token, requestTls: connect, ...common });
    }
    return new Agent({ connect, ...common });
  };
  const credentials = conn.credentials;
  const base = credentials?.clientCertificate
    ? new CertificateDispatcher(conn.tls, make, credentials)
    : make(conn.tls);
  return compressionEnabled(conn, options) ? base.compose(decompress()) : base;
}

/**
 * How a connection reaches the API server through a proxy (kubeconfig `proxy-url`, the `proxyUrl`
 * option). Ordinary calls and WebSocket streams both take it from here: an HTTP CONNECT tunnel to
 * the proxy's origin, with `Proxy-Authorization: Basic` from the URL's user info (sent to the
 * proxy only, never to the API server), as client-go does. Undefined when there is no proxy.
 */
export interface ProxyRoute {
  /** `http(s)://host:port` of the proxy, without user info. */
  origin: string;
  /** `Proxy-Authorization` value, when the URL has user info. */
  authorization?: string;
}

export function proxyRoute(proxyUrl: string | undefined): ProxyRoute | undefined {
  if (!proxyUrl) return undefined;
  const url = new URL(proxyUrl);
  if (!url.username && !url.password) return { origin: url.origin };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const basic = Buffer.from(`${user}:${password}`).toString("base64");
  return { origin: url.origin, authorization: `Basic ${basic}` };
}

/**
 * TLS for the next connection to the API server: the connection's settings, with the client
 * certificate the credentials last obtained (an exec plugin's) in place of the configured one.
 */
export function currentTls(tls: TlsSettings, credentials: Credentials | undefined): TlsSettings {
  return withCertificate(tls, credentials?.clientCertificate?.());
}

function withCertificate(tls: TlsSettings, certificate: ClientCertificate | undefined) {
  return certificate ? { ...tls, cert: certificate.cert, key: certificate.key } : tls;
}

let decompressInterceptor: Dispatcher.DispatcherComposeInterceptor | undefined;

/** undici's decompression interceptor, made once per process (it is stateless). */
function decompress(): Dispatcher.DispatcherComposeInterceptor {
  if (decompressInterceptor) return decompressInterceptor;
  // Making it prints "DecompressInterceptor is experimental" on the application's stderr; that
  // notice is for undici's own users, so it is held back for this one synchronous call.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (!text.startsWith("DecompressInterceptor is experimental"))
      (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    // Error bodies are decoded too: a large Status must still become a readable KubeError.
    decompressInterceptor = interceptors.decompress({ skipErrorResponses: false });
  } finally {
    process.emitWarning = emitWarning;
  }
  return decompressInterceptor;
}

/** Compression is on unless the options or the kubeconfig cluster (`disable-compression`) turn it off. */
export function compressionEnabled(conn: Connection, options: TransportOptions): boolean {
  return options.compression ?? !conn.disableCompression;
}

/**
 * Credentials that obtain a client certificate at run time (an exec plugin) need the TLS
 * connection to present it. The certificate is known only after the credentials ran, which
 * happens before every request (`withIdentity`), so this dispatcher picks, per request, a pool
 * made with the current certificate, and retires the previous pool when the certificate changes.
 */
class CertificateDispatcher extends Dispatcher {
  // Plain properties, not #private: undici's compose() wraps this object in a Proxy.
  private pool: { certificate: ClientCertificate | undefined; dispatcher: Dispatcher } | undefined;

  constructor(
    private readonly tls: TlsSettings,
    private readonly make: (tls: TlsSettings) => Dispatcher,
    private readonly credentials: Credentials,
  ) {
    super();
  }

  private current(): Dispatcher {
    const certificate = this.credentials.clientCertificate?.();
    if (this.pool && this.pool.certificate === certificate) return this.pool.dispatcher;
    const previous = this.pool?.dispatcher;
    this.pool = { certificate, dispatcher: this.make(withCertificate(this.tls, certificate)) };
    // Requests already on the old pool finish; its sockets close after them.
    previous?.close().catch(() => {});
    return this.pool.dispatcher;
  }

  override dispatch(
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    return this.current().dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const done = this.pool ? this.pool.dispatcher.close() : Promise.resolve();
    if (!callback) return done;
    done.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const err = typeof a === "function" ? null : (a ?? null);
    const callback = typeof a === "function" ? a : b;
    const done = this.pool ? this.pool.dispatcher.destroy(err) : Promise.resolve();
    if (!callback) return done;
    done.then(callback, callback);
  }
}

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code;
}

/** Waits `ms`; rejects with the signal's reason when it aborts. */
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
    if (req.throttle) await req.throttle(req.signal);
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
