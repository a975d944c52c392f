/** A client: one connection (server, TLS, identity), one keep-alive dispatcher, a default namespace. */
import type { Dispatcher } from "undici";
import { defaultNamespace, resolveConnection, type ConnectionOptions } from "./config.js";
import {
  compressionEnabled,
  createDispatcher,
  retrySettings,
  type RetryOptions,
  type TransportOptions,
} from "./transport.js";
import { checkImpersonation, type Impersonation } from "./identity.js";
import { tokenBucket, type RateLimitOptions, type Throttle } from "./ratelimit.js";
import type { ConfigSource, Connection, Credentials, TlsSettings } from "./types.js";

export interface ClientOptions extends ConnectionOptions, TransportOptions {
  /** Namespace for namespaced calls that do not name one (default: from the config, else `default`). */
  namespace?: string;
  /**
   * Default timeout in ms (30 000): a call fails when the server sends no response headers, or
   * no body data, for this long. Watches have none. `CallOptions.timeoutMs` sets a hard deadline.
   */
  timeoutMs?: number;
  /** Retry policy for idempotent requests (default 3 retries); `false` disables retries. */
  retry?: RetryOptions | false;
  userAgent?: string;
  /**
   * Act as another user on every request (kubectl `--as`); replaces the kubeconfig's `as*` fields.
   * `false` ignores the kubeconfig's. A call's `impersonate` option replaces this one.
   */
  impersonate?: Impersonation | false;
  /** Client-side rate limit for this client's requests (token bucket). Default: none. */
  rateLimit?: RateLimitOptions;
  /** Receives one line saying which configuration was chosen, and any warnings. */
  logger?: (message: string) => void;
}

export interface Client {
  /** Base URL of the API server. */
  readonly server: string;
  readonly source: ConfigSource;
  /** Which configuration was chosen, e.g. `in-cluster (/var/run/secrets/kubernetes.io/serviceaccount)`. */
  readonly description: string;
  /** Namespace used when a namespaced call names none. */
  readonly namespace: string;
  /** Closes idle sockets; in-flight requests finish first. */
  close(): Promise<void>;
}

/** Runtime-internal view of a client. Generated code passes clients through without touching these. */
export interface ClientInternals extends Client {
  readonly origin: string;
  readonly pathPrefix: string;
  readonly dispatcher: Dispatcher;
  readonly credentials: Credentials | undefined;
  readonly timeoutMs: number;
  readonly retry: Required<RetryOptions>;
  readonly userAgent: string;
  readonly impersonate: Impersonation | undefined;
  readonly compression: boolean;
  readonly throttle: Throttle | undefined;
  /** The connection's TLS settings and proxy, for transports other than the dispatcher (WebSocket streams). */
  readonly tls: TlsSettings;
  readonly proxyUrl: string | undefined;
}

const USER_AGENT = "kubegen/0.1";

/**
 * Creates a client. With no options it picks, in order: in-cluster service account, then
 * `KUBECONFIG` / `~/.kube/config` (current context). `client.description` says which.
 */
export function createClient(options: ClientOptions = {}): Client {
  const conn: Connection = resolveConnection(options);
  const url = new URL(conn.server);
  const warn = options.logger ?? ((m: string) => process.emitWarning(m, "KubegenWarning"));
  for (const w of conn.warnings) warn(w);
  options.logger?.(`kubegen: using ${conn.description}`);
  const impersonate =
    options.impersonate === undefined ? conn.impersonate : options.impersonate || undefined;
  checkImpersonation(impersonate, "impersonate");
  const throttle = options.rateLimit ? tokenBucket(options.rateLimit) : undefined;
  const dispatcher = createDispatcher(conn, options);
  const client: ClientInternals = {
    server: conn.server,
    source: conn.source,
    description: conn.description,
    namespace: defaultNamespace(options.namespace, conn),
    origin: url.origin,
    pathPrefix: url.pathname.replace(/\/+$/, ""),
    dispatcher,
    credentials: conn.credentials,
    timeoutMs: options.timeoutMs ?? 30_000,
    retry: retrySettings(options.retry),
    userAgent: options.userAgent ?? USER_AGENT,
    impersonate,
    compression: compressionEnabled(conn, options),
    throttle,
    tls: conn.tls,
    proxyUrl: conn.proxyUrl,
    close: () => dispatcher.close(),
  };
  return client;
}

export function internals(client: Client): ClientInternals {
  const c = client as ClientInternals;
  if (!c.dispatcher) throw new TypeError("not a kubegen client: create one with createClient()");
  return c;
}
