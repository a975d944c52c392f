/** Builds the model (IR) from a fixed-up Swagger spec. Every later step reads only the model. */
import { addConnect } from "./connect.js";
import type {
  ApiModel,
  Definition,
  GroupVersionKind,
  Module,
  Operation,
  Parameter,
  PatchType,
  Property,
  Provenance,
  Resource,
  TypeRef,
} from "./ir.js";
import {
  SpecError,
  pointer,
  type SwaggerOperation,
  type SwaggerParameter,
  type SwaggerSchema,
  type SwaggerSpec,
} from "./spec.js";
import { extendedType } from "./schema-extensions.js";

const METHODS = ["get", "put", "post", "delete", "patch"] as const;
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const VERSION = /^v\d+((alpha|beta)\d+)?$/;

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

export interface ModelOptions {
  /**
   * Verbs per `group/version/plural` as the server's discovery reports them (cluster sources).
   * They decide which lists can be watched where the spec alone cannot tell.
   */
  discoveredVerbs?: Map<string, string[]>;
}

export function buildModel(
  spec: SwaggerSpec,
  provenance: Provenance,
  options: ModelOptions = {},
): ApiModel {
  const watchable = watchRule(spec, options.discoveredVerbs);
  const modules = new Map<string, Module>();
  const moduleFor = (key: string, group: string, version: string): Module => {
    let m = modules.get(key);
    if (!m) {
      m = { key, group, version, definitions: [], operations: [], resources: [], connect: [] };
      modules.set(key, m);
    }
    return m;
  };

  const definitions = buildDefinitions(spec, moduleFor);
  const skipped: ApiModel["skipped"] = [];
  const byGvk = new Map<string, Definition>();
  for (const def of definitions.values()) if (def.gvk) byGvk.set(gvkKey(def.gvk), def);

  for (const path of Object.keys(spec.paths).sort()) {
    const item = spec.paths[path];
    const target = moduleOfPath(path);
    // HEAD and OPTIONS appear only on proxy (connect) paths, which the stream functions serve.
    for (const method of [...METHODS, "head", "options"] as const) {
      const op = item[method];
      if (!op) continue;
      if ((method === "head" || method === "options") && op["x-kubernetes-action"] !== "connect")
        continue;
      const at = ["paths", path, method];
      const operationId = op.operationId ?? `${method} ${path}`;
      if (!target) {
        skipped.push({
          operationId,
          path,
          reason: "not a group/version endpoint (see discovery in the runtime)",
        });
        continue;
      }
      const action = op["x-kubernetes-action"] ?? "";
      if (action === "watch" || action === "watchlist") {
        skipped.push({
          operationId,
          path,
          reason: "deprecated watch path (use the watch form of the list operation)",
        });
        continue;
      }
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p, i) => {
        const own = i >= (item.parameters ?? []).length;
        const ptr = own
          ? pointer(...at, "parameters", i - (item.parameters ?? []).length)
          : pointer("paths", path, "parameters", i);
        return resolveParameter(spec, p, ptr);
      });
      if (action === "connect") {
        const into = moduleFor(target.key, target.group, target.version).connect;
        if (!addConnect(into, path, operationId, dedupe(params))) {
          skipped.push({
            operationId,
            path,
            reason: "connect operation with no stream runtime in kubegen/streams",
          });
        }
        continue;
      }
      if (method === "head" || method === "options") continue;
      const mod = moduleFor(target.key, target.group, target.version);
      mod.operations.push(
        buildOperation(spec, definitions, byGvk, watchable, {
          path,
          method,
          op,
          at,
          mod,
          params: dedupe(params),
        }),
      );
    }
  }

  for (const mod of modules.values()) {
    mod.definitions.sort((a, b) => cmp(a.name, b.name));
    mod.operations.sort((a, b) => cmp(a.name, b.name));
    mod.connect.sort((a, b) => cmp(a.name, b.name));
    const seen = new Map<string, Operation>();
    for (const op of mod.operations) {
      const clash = seen.get(op.name);
      if (clash) {
        throw new SpecError(
          pointer("paths", op.path),
          `operations ${clash.operationId} and ${op.operationId} both map to ${mod.key}.${op.name}`,
        );
      }
      seen.set(op.name, op);
    }
    mod.resources = buildResources(mod, spec, watchable);
  }

  return {
    provenance,
    modules: [...modules.values()].sort((a, b) => cmp(a.key, b.key)),
    definitions,
    skipped: skipped.sort((a, b) => cmp(a.operationId, b.operationId)),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function gvkKey(g: GroupVersionKind): string {
  return `${g.group}/${g.version}/${g.kind}`;
}

function moduleKey(group: string, version: string): string {
  return `${group || "core"}/${version}`;
}

/** `/api/v1/...` → core/v1, `/apis/apps/v1/...` → apps/v1; anything else is not a group/version endpoint. */
export function moduleOfPath(
  path: string,
): { key: string; group: string; version: string } | undefined {
  const core = /^\/api\/(v[^/]+)\//.exec(path);
  if (core) return { key: moduleKey("", core[1]), group: "", version: core[1] };
  const named = /^\/apis\/([^/]+)\/(v[^/]+)\//.exec(path);
  if (named) return { key: moduleKey(named[1], named[2]), group: named[1], version: named[2] };
  return undefined;
}

function singleGvk(schema: SwaggerSchema): GroupVersionKind | undefined {
  const raw = schema["x-kubernetes-group-version-kind"];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return list.length === 1 ? list[0] : undefined;
}

function packageOf(id: string): string {
  return id.slice(0, id.lastIndexOf("."));
}

function buildDefinitions(
  spec: SwaggerSpec,
  moduleFor: (key: string, group: string, version: string) => Module,
): Map<string, Definition> {
  const ids = Object.keys(spec.definitions).sort();

  // A package belongs to the group/version its kinds name, when they agree.
  const packageModule = new Map<string, { group: string; version: string } | null>();
  for (const id of ids) {
    const gvk = singleGvk(spec.definitions[id]);
    if (!gvk) continue;
    const pkg = packageOf(id);
    const known = packageModule.get(pkg);
    if (known === undefined) packageModule.set(pkg, { group: gvk.group, version: gvk.version });
    else if (known && (known.group !== gvk.group || known.version !== gvk.version))
      packageModule.set(pkg, null);
  }
  const groups = new Set([...packageModule.values()].filter((v) => v).map((v) => v!.group));

  const placeOf = (id: string): { key: string; group: string; version: string } => {
    const pkg = packageOf(id);
    // Shared machinery (ObjectMeta, Status, Quantity, IntOrString, …) lives in one module.
    if (pkg.startsWith("io.k8s.apimachinery."))
      return { key: "meta/v1", group: "meta", version: "v1" };
    const known = packageModule.get(pkg);
    if (known) return { key: moduleKey(known.group, known.version), ...known };
    const parts = pkg.split(".");
    const version = parts.at(-1) ?? "";
    const name = parts.at(-2) ?? pkg;
    if (VERSION.test(version)) {
      const group = [...groups].sort().find((g) => g === name || g.startsWith(name + ".")) ?? name;
      return { key: moduleKey(group, version), group, version };
    }
    return { key: `${pkg}/unversioned`, group: pkg, version: "unversioned" };
  };

  const result = new Map<string, Definition>();
  const names = new Map<string, Map<string, string>>();
  for (const id of ids) {
    const schema = spec.definitions[id];
    const at = pointer("definitions", id);
    const place = placeOf(id);
    const mod = moduleFor(place.key, place.group, place.version);
    const taken = names.get(mod.key) ?? new Map<string, string>();
    names.set(mod.key, taken);
    const short = id.slice(id.lastIndexOf(".") + 1);
    let name = short;
    if (taken.has(name)) {
      // Two packages in one module define the same name: qualify with the package's last word.
      const pkgWord =
        packageOf(id)
          .split(".")
          .filter((p) => !VERSION.test(p))
          .at(-1) ?? "X";
      name =
        pkgWord.charAt(0).toUpperCase() + pkgWord.slice(1).replace(/[^A-Za-z0-9]/g, "") + short;
    }
    if (taken.has(name) || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) {
      throw new SpecError(
        at,
        `cannot give definition a unique TypeScript name in ${mod.key} (tried ${name})`,
      );
    }
    taken.set(name, id);
    const type: TypeRef = id === QUANTITY ? { kind: "intOrString" } : toType(spec, schema, at);
    const def: Definition = {
      id,
      name,
      module: mod.key,
      description: schema.description,
      type,
      gvk: singleGvk(schema),
    };
    result.set(id, def);
    mod.definitions.push(def);
  }
  return result;
}

/** Converts a schema to a TypeRef; unknown shapes stop the run with the pointer. */
export function toType(spec: SwaggerSpec, schema: SwaggerSchema, at: string): TypeRef {
  if (schema === null || typeof schema !== "object")
    throw new SpecError(at, "expected a schema object");
  if (schema.$ref !== undefined) {
    const prefix = "#/definitions/";
    const id = schema.$ref.startsWith(prefix) ? schema.$ref.slice(prefix.length) : undefined;
    if (!id || !Object.hasOwn(spec.definitions, id)) {
      throw new SpecError(at + "/$ref", `dangling reference ${JSON.stringify(schema.$ref)}`);
    }
    return { kind: "ref", id };
  }
  // CRD schemas mark int-or-string with an extension and no type; OpenAPI v3 documents of the
  // built-in groups with the format and `oneOf` integer/string, no type.
  if (schema["x-kubernetes-int-or-string"] === true) return { kind: "intOrString" };
  if (schema.format === "int-or-string" && (schema.type ?? "string") === "string")
    return { kind: "intOrString" };
  const extended = extendedType(schema, at, (s, p) => toType(spec, s, p));
  if (extended) return extended;
  const oneOf = schema["x-kubegen-one-of"] as SwaggerSchema[] | undefined;
  if (oneOf) {
    return {
      kind: "union",
      members: oneOf.map((s, i) => toType(spec, s, `${at}/x-kubegen-one-of/${i}`)),
    };
  }
  if (schema.allOf) {
    if (schema.allOf.length === 1) return toType(spec, schema.allOf[0], at + "/allOf/0");
    throw new SpecError(at + "/allOf", "allOf with more than one schema is not supported");
  }
  switch (schema.type) {
    case undefined:
      return schema.properties ? objectType(spec, schema, at) : { kind: "unknown" };
    case "string":
      return { kind: "string" };
    case "integer":
    case "number":
      return { kind: "number" };
    case "boolean":
      return { kind: "boolean" };
    case "array":
      return {
        kind: "array",
        items: schema.items ? toType(spec, schema.items, at + "/items") : { kind: "unknown" },
      };
    case "object":
      if (schema.properties) return objectType(spec, schema, at);
      if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        return {
          kind: "map",
          values: toType(spec, schema.additionalProperties, at + "/additionalProperties"),
        };
      }
      return { kind: "record" };
    default:
      throw new SpecError(at + "/type", `unknown type ${JSON.stringify(schema.type)}`);
  }
}

function objectType(spec: SwaggerSpec, schema: SwaggerSchema, at: string): TypeRef {
  const required = new Set(schema.required ?? []);
  const properties: Property[] = Object.keys(schema.properties ?? {})
    .sort()
    .map((name) => {
      const prop = schema.properties![name];
      return {
        name,
        description: prop?.description,
        type: toType(
          spec,
          prop,
          `${at}/properties/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`,
        ),
        required: required.has(name),
        nullable: prop?.["x-kubegen-nullable"] === true || undefined,
      };
    });
  return { kind: "object", properties };
}

function resolveParameter(
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
function dedupe(params: SwaggerParameter[]): SwaggerParameter[] {
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

function buildOperation(
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
function watchRule(
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

/** The resource registry: one entry per plural, from the operations that act on it. */
function buildResources(
  mod: Module,
  spec: SwaggerSpec,
  isWatchable: (path: string) => boolean,
): Resource[] {
  const byPlural = new Map<string, Resource>();
  const VERB: Record<string, string> = {
    get: "get",
    list: "list",
    post: "create",
    put: "update",
    patch: "patch",
    delete: "delete",
    deletecollection: "deletecollection",
  };
  const prefix = mod.group === "" ? `/api/${mod.version}/` : `/apis/${mod.group}/${mod.version}/`;
  for (const path of Object.keys(spec.paths)) {
    if (!path.startsWith(prefix)) continue;
    let rest = path.slice(prefix.length).split("/").filter(Boolean);
    let namespaced = false;
    if (rest[0] === "namespaces" && rest[1] === "{namespace}" && rest.length > 2) {
      namespaced = true;
      rest = rest.slice(2);
    }
    if (rest[0] === "watch") continue;
    const plural = rest[0];
    if (!plural || plural.startsWith("{")) continue;
    const subresource = rest[1] === "{name}" ? rest[2] : undefined;
    for (const method of METHODS) {
      const op = spec.paths[path][method];
      const action = op?.["x-kubernetes-action"];
      const gvk = op?.["x-kubernetes-group-version-kind"];
      if (!op || !action || !gvk) continue;
      let res = byPlural.get(plural);
      if (!res) {
        res = {
          group: mod.group,
          version: mod.version,
          kind: "",
          plural,
          namespaced,
          verbs: [],
          subresources: [],
        };
        byPlural.set(plural, res);
      }
      if (subresource) {
        if (!res.subresources.includes(subresource)) res.subresources.push(subresource);
        continue;
      }
      res.kind = gvk.kind;
      res.namespaced ||= namespaced;
      const verb = VERB[action];
      if (verb && !res.verbs.includes(verb)) res.verbs.push(verb);
      if (action === "list" && isWatchable(path) && !res.verbs.includes("watch"))
        res.verbs.push("watch");
    }
  }
  return [...byPlural.values()]
    .filter((r) => r.kind !== "")
    .map((r) => ({ ...r, verbs: r.verbs.sort(), subresources: r.subresources.sort() }))
    .sort((a, b) => cmp(a.plural, b.plural));
}
