/**
 * What each generated function asks the API server for, in RBAC terms: verbs, API group, resource
 * (with subresource) and scope, or a non-resource URL. Derived from the operations alone, so every
 * operation the model gains gets its row; `kubegen rbac` reads the emitted table.
 */
import type { Operation } from "./ir.js";

export interface Permission {
  verbs: string[];
  /** API group (`""` for core); absent for non-resource URLs. */
  group?: string;
  /** `pods`, or `pods/status` for a subresource. */
  resource?: string;
  /** The request names a namespace (a Role can grant it); otherwise it needs a ClusterRole. */
  namespaced?: boolean;
  /** For operations outside any resource (`/api/v1/`, `/apis/`): the path the server checks. */
  nonResourceURL?: string;
}

const VERB_OF_ACTION: Record<string, string> = {
  get: "get",
  list: "list",
  post: "create",
  put: "update",
  patch: "patch",
  delete: "delete",
  deletecollection: "deletecollection",
};

/** The request verb the authorizer derives from an HTTP method (connect operations). */
const VERB_OF_METHOD: Record<Operation["method"], string> = {
  GET: "get",
  POST: "create",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

/**
 * Streams that Kubernetes ≥ 1.35 also authorizes as `create` when opened by a WebSocket GET
 * (AuthorizePodWebsocketUpgradeCreatePermission).
 */
const CREATE_ON_UPGRADE = new Set(["pods/exec", "pods/attach", "pods/portforward"]);

/** The permission one operation needs. */
export function permissionOf(op: Operation): Permission {
  const m = /^\/(?:api\/[^/]+|apis\/([^/]+)\/[^/]+)\/(.*)$/.exec(op.path);
  const rest = (m?.[2] ?? "").split("/").filter(Boolean);
  const group = m ? (m[1] ?? "") : undefined;
  let namespaced = false;
  let segments = rest;
  if (segments[0] === "namespaces" && segments[1] === "{namespace}" && segments.length > 2) {
    namespaced = true;
    segments = segments.slice(2);
  }
  const plural = segments[0];
  if (group === undefined || !plural || plural.startsWith("{")) {
    return { verbs: [VERB_OF_METHOD[op.method]], nonResourceURL: op.path };
  }
  const sub = segments[1] === "{name}" ? segments[2] : undefined;
  const resource = sub ? `${plural}/${sub}` : plural;
  let verbs = [VERB_OF_ACTION[op.action] ?? VERB_OF_METHOD[op.method]];
  if (op.action === "connect" && op.method === "GET" && CREATE_ON_UPGRADE.has(resource))
    verbs = ["create", "get"];
  return { verbs, group, resource, namespaced };
}

/** Rows for every function emitted for the operation: the call itself and its watch/paginate forms. */
export function permissionRows(op: Operation): [string, Permission][] {
  const own = permissionOf(op);
  const rows: [string, Permission][] = [[op.name, own]];
  if (op.listItem && op.name.startsWith("list")) {
    const rest = op.name.slice("list".length);
    // A watch is one GET ?watch=1: the server checks `watch` alone (see README, kubegen rbac).
    if (op.watchable) rows.push([`watch${rest}`, { ...own, verbs: ["watch"] }]);
    rows.push([`paginate${rest}`, own]);
  }
  return rows;
}
