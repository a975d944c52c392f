/** URL building, bodies and content types, and turning responses into values or KubeErrors. */
import type { Dispatcher } from "undici";
import { internals, type Client, type ClientInternals } from "./client.js";
import { errorFromResponse } from "./errors.js";
import type { PatchType } from "./patch.js";
import { dispatch, retrySettings, type RetryOptions } from "./transport.js";
import {
  checkImpersonation,
  reloadAfterUnauthorized,
  withIdentity,
  type HeaderMap,
  type Impersonation,
} from "./identity.js";

export interface CallOptions {
  /** Cancels the call; aborting frees the socket. */
  signal?: AbortSignal;
  /** A deadline for this whole call (ms), replacing the client's timeout; 0 disables both. */
  timeoutMs?: number;
  /** Overrides the client's retry policy for this call. */
  retry?: RetryOptions | false;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Impersonation for this call, replacing the client's; `false` acts as the credentials' own user. */
  impersonate?: Impersonation | false;
  /**
   * Sees every final response's status and headers (e.g. 201 Created, or the `warning` headers
   * the server sends for deprecated APIs).
   */
  onResponse?: (response: {
    statusCode: number;
    headers: Record<string, string | string[] | undefined>;
  }) => void;
}

/** Path, query and body values of one call; interfaces generated per operation satisfy it. */
export type Params = object;
type ParamMap = Record<string, unknown>;

const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  "strategic-merge": "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

/** Keys of a params object that never go to the query string. */
const NOT_QUERY = new Set(["body", "patchType"]);

function encodeSegment(name: string, value: unknown): string {
  if (typeof value !== "string" && typeof value !== "number") {
    throw new TypeError(
      `path parameter ${name} must be a string, got ${value === undefined ? "nothing" : typeof value}`,
    );
  }
  const text = String(value);
  // "" would address the collection and "."/".." a parent once a proxy normalizes the path.
  if (text === "" || text === "." || text === "..") {
    throw new TypeError(`path parameter ${name} may not be ${JSON.stringify(text)}`);
  }
  return encodeURIComponent(text);
}

/**
 * Fills `{placeholders}` (each value percent-encoded, so a name can never reach another URL),
 * defaults `{namespace}`, and serializes every other param except body/patchType into the query.
 */
export function buildPath(
  template: string,
  input: Params,
  namespace: string,
  extraQuery?: Params,
): string {
  const params = input as ParamMap;
  const used = new Set<string>();
  const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    used.add(name);
    const value = params[name] ?? (name === "namespace" ? namespace : undefined);
    return encodeSegment(name, value);
  });
  const query = new URLSearchParams();
  const add = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) value.forEach((v) => add(key, v));
    else query.append(key, typeof value === "object" ? JSON.stringify(value) : String(value));
  };
  for (const key of Object.keys(params)) {
    if (!used.has(key) && !NOT_QUERY.has(key)) add(key, params[key]);
  }
  if (extraQuery) for (const [key, value] of Object.entries(extraQuery)) add(key, value);
  const qs = query.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Combines the caller's signal with a per-call deadline (`timeoutMs`). The client's default
 * timeout is not a signal: undici enforces it as header and body timeouts, which costs no timer
 * per request (a timer per call was measurable at thousands of calls per second).
 */
function callSignal(options: CallOptions | undefined): AbortSignal | undefined {
  const timeout = options?.timeoutMs ?? 0;
  const signals = [options?.signal, timeout > 0 ? AbortSignal.timeout(timeout) : undefined].filter(
    (s): s is AbortSignal => s !== undefined,
  );
  return signals.length <= 1 ? signals[0] : AbortSignal.any(signals);
}

export interface PreparedCall {
  client: ClientInternals;
  method: string;
  path: string;
  headers: HeaderMap;
  body?: string;
  signal?: AbortSignal;
  impersonate?: Impersonation | false;
  retry: Required<RetryOptions>;
  /** Header and body timeout (ms) when no per-call deadline is set; 0 for none. */
  idleTimeoutMs: number;
  onResponse?: CallOptions["onResponse"];
}

export function prepare(
  clientLike: Client,
  method: string,
  template: string,
  input: Params,
  options: CallOptions | undefined,
  extra?: { query?: Params; stream?: boolean; accept?: string },
): PreparedCall {
  const client = internals(clientLike);
  const params = input as ParamMap;
  const path = client.pathPrefix + buildPath(template, params, client.namespace, extra?.query);
  const headers: HeaderMap = {
    accept: extra?.accept ?? "application/json",
    "user-agent": client.userAgent,
    ...(client.compression ? { "accept-encoding": "gzip" } : undefined),
    ...options?.headers,
  };
  if (options?.impersonate) checkImpersonation(options.impersonate, "CallOptions.impersonate");
  let body: string | undefined;
  if (params.body !== undefined) {
    const patchType = params.patchType as PatchType | undefined;
    if (patchType && !PATCH_CONTENT_TYPE[patchType]) {
      throw new TypeError(`unknown patchType ${String(patchType)}`);
    }
    headers["content-type"] = patchType ? PATCH_CONTENT_TYPE[patchType] : "application/json";
    body = JSON.stringify(params.body);
  }
  return {
    client,
    method,
    path,
    headers,
    body,
    signal: callSignal(options),
    impersonate: options?.impersonate,
    // Streams wait for their first event as long as the server likes; a per-call deadline rules out the default.
    idleTimeoutMs: extra?.stream || options?.timeoutMs !== undefined ? 0 : client.timeoutMs,
    retry: options?.retry === undefined ? client.retry : retrySettings(options.retry),
    onResponse: options?.onResponse,
  };
}

/**
 * Sends a prepared call with credentials; after a 401 the credentials get one chance to reload
 * (a rotated token file, an expired exec credential). Non-2xx responses become KubeErrors.
 */
export async function execute(call: PreparedCall): Promise<Dispatcher.ResponseData> {
  const { client } = call;
  for (let attempt = 0; ; attempt++) {
    const headers = await withIdentity(client, call.headers, call.impersonate);
    const res = await timed(
      call,
      dispatch(
        client.dispatcher,
        client.origin,
        {
          method: call.method,
          path: call.path,
          headers,
          body: call.body,
          signal: call.signal,
          headersTimeoutMs: call.idleTimeoutMs,
          bodyTimeoutMs: call.idleTimeoutMs,
          throttle: client.throttle,
        },
        call.retry,
      ),
    );
    call.onResponse?.({ statusCode: res.statusCode, headers: res.headers });
    if (res.statusCode < 300) return res;
    const text = await res.body.text().catch(() => "");
    if (await reloadAfterUnauthorized(client, res.statusCode, attempt)) continue;
    throw errorFromResponse(res.statusCode, call.method, call.path, text);
  }
}

const IDLE_TIMEOUTS = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** Both kinds of timeout surface the same way: an error named `TimeoutError`, as AbortSignal.timeout gives. */
async function timed<T>(call: PreparedCall, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (!IDLE_TIMEOUTS.has((error as { code?: string })?.code ?? "")) throw error;
    const what =
      (error as { code: string }).code === "UND_ERR_BODY_TIMEOUT" ? "body data" : "a response";
    throw new DOMException(
      `${call.method} ${call.path}: no ${what} within ${call.idleTimeoutMs} ms`,
      "TimeoutError",
    );
  }
}

/** One API call that answers JSON. */
export async function send<T>(
  client: Client,
  method: string,
  path: string,
  params: Params,
  options?: CallOptions,
): Promise<T> {
  const call = prepare(client, method, path, params, options);
  const res = await execute(call);
  const text = await timed(call, res.body.text());
  return (text ? JSON.parse(text) : undefined) as T;
}

/** One API call that answers text (pod logs, `/openapi/v2` as a string). */
export async function sendText(
  client: Client,
  method: string,
  path: string,
  params: Params,
  options?: CallOptions,
): Promise<string> {
  const accept = options?.headers?.accept ?? "text/plain, application/json;q=0.9, */*;q=0.8";
  const call = prepare(client, method, path, params, options, { accept });
  const res = await execute(call);
  return timed(call, res.body.text());
}
