/** Builds the model (IR) from a fixed-up Swagger spec. Every later step reads only the model. */
import { addConnect } from "./connect.js";
import type {
  ApiModel,
  Definition,
  GroupVersionKind,
  Module,
  Operation,
  Provenance,
  Resource,
  TypeRef,
} from "./ir.js";
import {
  METHODS,
  buildOperation,
  dedupe,
  gvkKey,
  resolveParameter,
  watchRule,
} from "./model-operations.js";
import { toType } from "./schema-types.js";
import { SpecError, pointer, type SwaggerSchema, type SwaggerSpec } from "./spec.js";

const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const VERSION = /^v\d+((alpha|beta)\d+)?$/;

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
