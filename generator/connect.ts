/**
 * Connect operations (exec, attach, port-forward, pod/service/node proxy). The spec lists each path
 * once per HTTP method and once more with a `{path}` suffix; kubegen serves each subresource with
 * one function over `kubegen/streams`, emitted into `<group>/<version>/streams/index.ts` so that
 * importing the group/version itself never loads the stream runtime.
 */
import type { SwaggerParameter } from "./spec.js";

export type ConnectKind = "exec" | "attach" | "portforward" | "proxy";
type Target = "pods" | "services" | "nodes";

export interface ConnectParam {
  name: string;
  description?: string;
  /** TypeScript type text. */
  type: string;
  required: boolean;
}

export interface ConnectOperation {
  /** Emitted function name, e.g. `execNamespacedPod`. */
  name: string;
  kind: ConnectKind;
  target: Target;
  /** The path without the `{path}` suffix. */
  path: string;
  /** Upstream operationIds this function serves, sorted. */
  operationIds: string[];
  /** Query parameters (exec, attach, port-forward), with the spec's types corrected. */
  params: ConnectParam[];
}

const CONNECT_PATH =
  /^\/api\/v1\/(namespaces\/\{namespace\}\/)?(pods|services|nodes)\/\{name\}\/(exec|attach|portforward|proxy)(\/\{path\})?$/;

const NAMES: Record<string, string> = {
  "pods/exec": "execNamespacedPod",
  "pods/attach": "attachNamespacedPod",
  "pods/portforward": "portForwardNamespacedPod",
  "pods/proxy": "proxyNamespacedPod",
  "services/proxy": "proxyNamespacedService",
  "nodes/proxy": "proxyNode",
};

/**
 * The spec declares argv-like lists as scalars: `command` is `string` but is one query value per
 * argv item, `ports` is `integer` but is a list of ports.
 */
const LIST_PARAMS: Record<string, string> = { command: "string[]", ports: "number[]" };
/** Parameters without which the operation cannot run, though the spec marks them optional. */
const REQUIRED: Record<string, string[]> = { exec: ["command"], portforward: ["ports"] };

function tsType(p: SwaggerParameter): string {
  if (LIST_PARAMS[p.name]) return LIST_PARAMS[p.name];
  // Swagger 2.0 types a query parameter itself; OpenAPI v3 through its schema.
  const type = p.type ?? p.schema?.type;
  if (type === "boolean") return "boolean";
  if (type === "integer" || type === "number") return "number";
  return "string";
}

/**
 * Adds one spec operation to the module's connect operations. Returns false when kubegen has no
 * stream runtime for it (the caller lists it as skipped).
 */
export function addConnect(
  into: ConnectOperation[],
  path: string,
  operationId: string,
  params: SwaggerParameter[],
): boolean {
  const m = CONNECT_PATH.exec(path);
  if (!m) return false;
  const [, namespaced, target, kind] = m;
  // Nodes are cluster-scoped, pods and services namespaced; anything else is not a known shape.
  if ((target === "nodes") === !!namespaced) return false;
  const name = NAMES[`${target}/${kind}`];
  if (!name) return false;
  const base = path.replace(/\/\{path\}$/, "");
  let op = into.find((o) => o.name === name);
  if (!op) {
    op = {
      name,
      kind: kind as ConnectKind,
      target: target as Target,
      path: base,
      operationIds: [],
      params: [],
    };
    into.push(op);
  }
  op.operationIds.push(operationId);
  op.operationIds.sort();
  if (kind !== "proxy") {
    for (const p of params) {
      if (p.in !== "query" || op.params.some((q) => q.name === p.name)) continue;
      op.params.push({
        name: p.name,
        description: p.description,
        type: tsType(p),
        required: !!p.required || (REQUIRED[kind] ?? []).includes(p.name),
      });
    }
    op.params.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return true;
}
