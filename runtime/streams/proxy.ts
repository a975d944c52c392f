/**
 * Pod, service and node proxy: any method to `…/{name}/proxy/{path}`, the user's headers passed,
 * the response as a stream or as text. The path is encoded segment by segment and may not climb
 * out of the proxy (`.`/`..` segments are refused).
 */
import { internals, type Client } from "../client.js";
import { errorFromResponse } from "../errors.js";
import { withIdentity } from "../identity.js";
import { buildPath } from "../request.js";
import { dispatch } from "../transport.js";

export interface ProxyParams {
  /** Pod, service or node name; `name:port` (or `https:name:port`) picks the target port. */
  name: string;
  /** Default: the client's namespace (ignored for nodes). */
  namespace?: string;
  /** Path on the target, e.g. `/healthz` (default `/`). */
  path?: string;
  /** Query parameters for the target. */
  query?: Record<string, string | string[]>;
  /** HTTP method (default GET). */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

export interface ProxyResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** The response body as a stream of chunks (read it, or call `text()`/`json()`, exactly once). */
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
}

type Kind = "pods" | "services" | "nodes";

function encodeProxyPath(path: string): string {
  const segments = path.split("/").filter((s, i) => i > 0 || s !== "");
  for (const s of segments) {
    if (s === "." || s === "..") throw new TypeError(`proxy path may not contain "${s}": ${path}`);
  }
  return segments.map(encodeURIComponent).join("/");
}

async function proxy(kind: Kind, clientLike: Client, params: ProxyParams): Promise<ProxyResponse> {
  const client = internals(clientLike);
  const template =
    kind === "nodes"
      ? "/api/v1/nodes/{name}/proxy/"
      : `/api/v1/namespaces/{namespace}/${kind}/{name}/proxy/`;
  const base = buildPath(
    template,
    { namespace: params.namespace, name: params.name },
    client.namespace,
  );
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params.query ?? {})) {
    for (const item of Array.isArray(v) ? v : [v]) query.append(k, item);
  }
  const qs = query.toString();
  const path =
    client.pathPrefix + base + encodeProxyPath(params.path ?? "/") + (qs ? `?${qs}` : "");
  const method = (params.method ?? "GET").toUpperCase();
  const headers = await withIdentity(client, {
    "user-agent": client.userAgent,
    ...params.headers,
  });
  const res = await dispatch(
    client.dispatcher,
    client.origin,
    { method, path, headers, body: params.body as string | undefined, signal: params.signal },
    // Proxied requests reach an application: never send one twice.
    { retries: 0, baseDelayMs: 0, maxDelayMs: 0 },
  );
  if (res.statusCode >= 400) {
    const text = await res.body.text().catch(() => "");
    throw errorFromResponse(res.statusCode, method, path, text);
  }
  return {
    statusCode: res.statusCode,
    headers: res.headers,
    body: res.body,
    text: () => res.body.text(),
    json: <T>() => res.body.json() as Promise<T>,
  };
}

/** A request to a pod through the API server (`pods/proxy`). Non-2xx answers throw `KubeError`. */
export const proxyPod = (client: Client, params: ProxyParams) => proxy("pods", client, params);
/** A request to a service through the API server (`services/proxy`). */
export const proxyService = (client: Client, params: ProxyParams) =>
  proxy("services", client, params);
/** A request to a node's kubelet through the API server (`nodes/proxy`). */
export const proxyNode = (client: Client, params: Omit<ProxyParams, "namespace">) =>
  proxy("nodes", client, params);
