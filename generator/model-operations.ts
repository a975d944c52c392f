/** The model's operations, built from a Swagger path item's methods and their parameters. */
import type {
  Definition,
  GroupVersionKind,
  Module,
  Operation,
  Parameter,
  PatchType,
  TypeRef,
} from "./ir.js";
import { toType } from "./schema-types.js";
import {
  SpecError,
  pointer,
  type SwaggerOperation,
  type SwaggerParameter,
  type SwaggerSpec,
} from "./spec.js";

export const METHODS = ["get", "put", "post", "delete", "patch"] as const;

const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic-merge",
  "application/apply-patch+yaml": "apply",
};

/** Parameters the runtime supplies itself; list forms never expose them. */
const RUNTIME_QUERY = new Set(["watch"]);
/** Keys of a params object that are not query parameters. */
const RESERVED_PARAM_KEYS = new Set(["body", "patchType"]);

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The key of buildModel's definitions by kind, which buildOperation looks patch targets up in. */
export function gvkKey(g: GroupVersionKind): string {
  return `${g.group}/${g.version}/${g.kind}`;
}

export function resolveParameter(
  spec: SwaggerSpec,
  param: SwaggerParameter,
  at: string,
): SwaggerParameter {
  if (param.$ref === undefined) return param;
  const prefix = "#/parameters/";
  const name = param.$ref.startsWith(prefix) ? param.$ref.slice(prefix.length) : undefined;
  const resolved = name !== undefined ? spec.parameters?.[name] : undefined;
  if (!resolved)
    throw new SpecError(at + "/$ref", `dangling reference ${JSON.stringify(param.$ref)}`);
  return resolved;
}

/** Operation-level parameters override path-level ones of the same name and place. */
export function dedupe(params: SwaggerParameter[]): SwaggerParameter[] {
  const byKey = new Map<string, SwaggerParameter>();
  for (const p of params) byKey.set(`${p.in}:${p.name}`, p);
  return [...byKey.values()];
}

/** `tags: ["rbacAuthorization_v1"]` → the infix `RbacAuthorizationV1` that operationIds carry. */
function operationName(op: SwaggerOperation, operationId: string, at: string): string {
  const tag = op.tags?.[0];
  if (tag) {
    const infix = tag
      .split("_")
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join("");
    const i = operationId.indexOf(infix);
    if (i > 0) return operationId.slice(0, i) + operationId.slice(i + infix.length);
  }
  throw new SpecError(
    at + "/operationId",
    `cannot find the group/version infix of ${operationId} (tag ${tag})`,
  );
}

interface OperationInput {
  path: string;
  method: (typeof METHODS)[number];
  op: SwaggerOperation;
  at: string[];
  mod: Module;
  params: SwaggerParameter[];
}

export function buildOperation(
  spec: SwaggerSpec,
  definitions: Map<string, Definition>,
  byGvk: Map<string, Definition>,
  isWatchable: (path: string) => boolean,
  { path, method, op, at, mod, params }: OperationInput,
): Operation {
  const ptr = pointer(...at);
  if (!op.operationId) throw new SpecError(ptr, "operation has no operationId");
  const paramType = (p: SwaggerParameter): TypeRef =>
    p.schema ? toType(spec, p.schema, ptr) : toType(spec, { type: p.type, items: p.items }, ptr);
  const toParam = (p: SwaggerParameter): Parameter => ({
    name: p.name,
    description: p.description,
    type: paramType(p),
    required: p.in === "path" || p.required === true,
  });

  const action = op["x-kubernetes-action"] ?? "";
  const pathParams = params.filter((p) => p.in === "path").map(toParam);
  for (const name of path.match(/\{[^}]+\}/g) ?? []) {
    if (!pathParams.some((p) => `{${p.name}}` === name)) {
      throw new SpecError(ptr, `path parameter ${name} is not declared`);
    }
  }
  const queryParams = params
    .filter((p) => p.in === "query" && !RUNTIME_QUERY.has(p.name))
    .map(toParam)
    .sort((a, b) => cmp(a.name, b.name));
  for (const q of queryParams) {
    if (RESERVED_PARAM_KEYS.has(q.name) || pathParams.some((p) => p.name === q.name)) {
      throw new SpecError(ptr, `query parameter ${q.name} clashes with another parameter`);
    }
  }

  const bodyParam = params.find((p) => p.in === "body");
  const gvk = op["x-kubernetes-group-version-kind"];
  let patchTypes: PatchType[] | undefined;
  let body: Operation["body"];
  if (method === "patch") {
    patchTypes = [
      ...new Set((op.consumes ?? []).map((c) => PATCH_CONTENT_TYPES[c]).filter(Boolean)),
    ].sort();
    if (patchTypes.length === 0)
      throw new SpecError(
        pointer(...at, "consumes"),
        "patch operation accepts no known patch type",
      );
    const target = gvk && byGvk.get(gvkKey(gvk));
    body = { type: target ? { kind: "ref", id: target.id } : { kind: "record" }, required: true };
  } else if (bodyParam) {
    body = {
      type: paramType(bodyParam),
      required: bodyParam.required === true,
      description: bodyParam.description,
    };
  }

  const responses: TypeRef[] = [];
  let textResponse = false;
  for (const code of ["200", "201", "202"]) {
    const schema = op.responses?.[code]?.schema;
    if (!schema) continue;
    const type = toType(spec, schema, pointer(...at, "responses", code, "schema"));
    if (type.kind === "string") textResponse = true;
    if (!responses.some((r) => JSON.stringify(r) === JSON.stringify(type))) responses.push(type);
  }
  const response: TypeRef | undefined =
    responses.length === 0
      ? undefined
      : responses.length === 1
        ? responses[0]
        : { kind: "union", members: responses };

  let listItem: TypeRef | undefined;
  if (action === "list" && response?.kind === "ref") {
    const listDef = definitions.get(response.id);
    const items =
      listDef?.type.kind === "object"
        ? listDef.type.properties.find((p) => p.name === "items")
        : undefined;
    if (items?.type.kind === "array") listItem = items.type.items;
    if (listItem === undefined) {
      throw new SpecError(
        pointer(...at, "responses", "200"),
        `list response ${response.id} has no items array`,
      );
    }
  }
  const watchable = listItem !== undefined && isWatchable(path);

  return {
    name: operationName(op, op.operationId, ptr),
    operationId: op.operationId,
    module: mod.key,
    method: method.toUpperCase() as Operation["method"],
    path,
    description: op.description,
    action,
    gvk,
    pathParams,
    queryParams,
    body,
    response,
    textResponse,
    patchTypes,
    listItem,
    watchable,
  };
}

/**
 * Decides which list paths can be watched. The list operation itself cannot tell:
 * componentstatuses advertises a watch stream the server refuses, and CRD lists advertise none
 * although every CRD can be watched. In order: the server's discovery when the spec came from a
 * cluster; the deprecated `/watch/` paths where the group/version publishes them (built-in
 * groups); otherwise yes, as for CRDs.
 */
export function watchRule(
  spec: SwaggerSpec,
  discovered: Map<string, string[]> | undefined,
): (listPath: string) => boolean {
  const publishing = new Set<string>();
  for (const p of Object.keys(spec.paths)) {
    const m = /^(\/api\/[^/]+|\/apis\/[^/]+\/[^/]+)\/watch\//.exec(p);
    if (m) publishing.add(m[1]);
  }
  return (listPath) => {
    const m = /^(\/api\/[^/]+|\/apis\/[^/]+\/[^/]+)\/(.*)$/.exec(listPath);
    if (!m) return false;
    const [, prefix, rest] = m;
    const plural = rest.replace(/^namespaces\/\{namespace\}\//, "").split("/")[0];
    const gv = prefix.startsWith("/api/") ? `/${prefix.slice(5)}` : prefix.slice(6);
    const verbs = discovered?.get(`${gv}/${plural}`);
    if (verbs) return verbs.includes("watch");
    if (publishing.has(prefix))
      return spec.paths[`${prefix}/watch/${rest}`]?.get?.["x-kubernetes-action"] === "watchlist";
    return true;
  };
}
