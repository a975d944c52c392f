/**
 * CustomResourceDefinition files as a source: read YAML/JSON (multi-document), folders and globs,
 * check each CRD, and add its served versions to a Swagger spec as the API server would publish
 * them — paths, operations and definitions — but from the full OpenAPI v3 schema, so nothing the
 * server's `/openapi/v2` drops is lost. The model then treats them like built-in groups.
 */
import { readFile, readdir, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
// The CRD-generator subset first; js-yaml, not `yaml`, for the rest: about 2-3× faster (README).
import { YAMLException, loadAll } from "js-yaml";
import { readBlockYaml } from "./block-yaml.js";
import { CRD_BASE } from "./crd-base.js";
import { SchemaProblem, describe, normalizeSchema } from "./crd-schema.js";
import { SpecError, pointer, type SwaggerSchema, type SwaggerSpec } from "./spec.js";

/** A broken CRD: names the file, the document index (from 0) and the JSON pointer. */
export class CrdError extends SpecError {
  constructor(
    readonly file: string,
    readonly document: number,
    at: string,
    problem: string,
  ) {
    super(at, problem);
    this.message = `${file} (document ${document}) ${at || "#"}: ${problem}`;
    this.name = "CrdError";
  }
}

export interface CrdVersion {
  name: string;
  schema: SwaggerSchema;
  deprecated?: string;
  status: boolean;
  scale: boolean;
}

export interface Crd {
  /** `<plural>.<group>` */
  name: string;
  group: string;
  kind: string;
  listKind: string;
  plural: string;
  namespaced: boolean;
  versions: CrdVersion[];
  file: string;
}

export interface CrdLoadResult {
  crds: Crd[];
  /** Files read, relative to the working folder, sorted. */
  files: string[];
  /** Documents that are not CRDs (kustomization files, other objects), skipped. */
  skipped: string[];
}

const YAML_OR_JSON = /\.(ya?ml|json)$/i;

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      re += ".*";
      i++;
      if (pattern[i + 1] === "/") i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else if (YAML_OR_JSON.test(e.name)) out.push(full);
  }
  return out;
}

/** Expands files, folders (recursively: *.yaml, *.yml, *.json) and globs (`*`, `**`, `?`). */
export async function expandPaths(paths: string[], cwd = process.cwd()): Promise<string[]> {
  const files = new Set<string>();
  for (const p of paths) {
    if (/[*?]/.test(p)) {
      const abs = resolve(cwd, p).split(sep).join("/");
      const fixed = abs.slice(0, abs.search(/[*?]/));
      const base = fixed.slice(0, fixed.lastIndexOf("/") + 1) || "/";
      const re = globRegExp(abs);
      const matched = (await walk(base)).filter((f) => re.test(f.split(sep).join("/")));
      if (matched.length === 0) throw new Error(`--crd ${p}: no file matches`);
      matched.forEach((f) => files.add(f));
      continue;
    }
    const abs = resolve(cwd, p);
    const info = await stat(abs).catch(() => undefined);
    if (!info) throw new Error(`--crd ${p}: no such file or folder`);
    if (info.isDirectory()) {
      const found = await walk(abs);
      if (found.length === 0) throw new Error(`--crd ${p}: no .yaml, .yml or .json file in it`);
      found.forEach((f) => files.add(f));
    } else files.add(abs);
  }
  return [...files].sort();
}

/** Reads and checks every CRD in the given paths. */
export async function loadCrds(paths: string[], cwd = process.cwd()): Promise<CrdLoadResult> {
  const files = await expandPaths(paths, cwd);
  const crds: Crd[] = [];
  const skipped: string[] = [];
  const names = new Set<string>();
  for (const file of files) {
    const shown = relative(cwd, file) || file;
    const text = await readFile(file, "utf8");
    for (const [index, doc] of parseDocuments(text, shown).entries()) {
      if (doc === null || doc === undefined) continue;
      if (
        !isObject(doc) ||
        doc.kind !== "CustomResourceDefinition" ||
        typeof doc.apiVersion !== "string" ||
        !doc.apiVersion.startsWith("apiextensions.k8s.io/")
      ) {
        skipped.push(`${shown} (document ${index})`);
        continue;
      }
      const crd = readCrd(doc, shown, index);
      if (names.has(crd.name))
        throw new CrdError(
          shown,
          index,
          pointer("metadata", "name"),
          `${crd.name} is defined twice`,
        );
      names.add(crd.name);
      crds.push(crd);
    }
  }
  if (crds.length === 0)
    throw new Error(`--crd ${paths.join(" ")}: no CustomResourceDefinition found`);
  crds.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { crds, files: files.map((f) => relative(cwd, f) || f), skipped };
}

function parseDocuments(text: string, file: string): unknown[] {
  if (/^\s*[[{]/.test(text)) {
    try {
      const doc = JSON.parse(text) as unknown;
      // A JSON list of objects (`kind: List`) holds its CRDs in items.
      if (isObject(doc) && doc.kind === "List" && Array.isArray(doc.items)) return doc.items;
      return [doc];
    } catch {
      // Fall through: YAML is a superset and reports the position.
    }
  }
  const fast = readBlockYaml(text);
  if (fast) return fast;
  try {
    return loadAll(text);
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    const line = error.mark?.line ?? 0;
    // The document index is the number of `---` separators before the error, not counting one
    // that opens the file.
    const before = text.split("\n").slice(0, line);
    const separators = before.filter((l) => /^---(\s|$)/.test(l)).length;
    const leading = before.findIndex((l) => l.trim() !== "" && !l.startsWith("#"));
    const opensWithSeparator = leading >= 0 && /^---(\s|$)/.test(before[leading]);
    const where = error.mark ? ` at line ${line + 1}, column ${error.mark.column + 1}` : "";
    throw new CrdError(
      file,
      separators - (opensWithSeparator ? 1 : 0),
      "",
      `invalid YAML${where}: ${error.reason}`,
    );
  }
}

function readCrd(doc: Record<string, unknown>, file: string, index: number): Crd {
  const fail = (at: (string | number)[], problem: string): never => {
    throw new CrdError(file, index, pointer(...at), problem);
  };
  if (doc.apiVersion !== "apiextensions.k8s.io/v1")
    fail(["apiVersion"], `only apiextensions.k8s.io/v1 is supported, not ${doc.apiVersion}`);
  const spec = doc.spec;
  if (!isObject(spec)) return fail(["spec"], "missing");
  const str = (v: unknown, at: (string | number)[]): string =>
    typeof v === "string" && v !== "" ? v : fail(at, "expected a non-empty string");
  const group = str(spec.group, ["spec", "group"]);
  const names = isObject(spec.names) ? spec.names : fail(["spec", "names"], "missing");
  const kind = str(names.kind, ["spec", "names", "kind"]);
  const plural = str(names.plural, ["spec", "names", "plural"]);
  const listKind =
    names.listKind === undefined
      ? `${kind}List`
      : str(names.listKind, ["spec", "names", "listKind"]);
  if (spec.scope !== "Namespaced" && spec.scope !== "Cluster")
    fail(["spec", "scope"], 'expected "Namespaced" or "Cluster"');
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind))
    fail(["spec", "names", "kind"], `${kind} is not a usable type name`);
  if (!Array.isArray(spec.versions) || spec.versions.length === 0)
    return fail(["spec", "versions"], "expected at least one version");
  const versions: CrdVersion[] = [];
  spec.versions.forEach((v: unknown, i: number) => {
    const at = ["spec", "versions", i];
    if (!isObject(v)) return fail(at, "expected an object");
    const name = str(v.name, [...at, "name"]);
    if (!/^v\d+((alpha|beta)\d+)?$/.test(name))
      fail([...at, "name"], `${name} is not a Kubernetes version name`);
    if (v.served !== true) return;
    const schema = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (!isObject(schema))
      fail([...at, "schema", "openAPIV3Schema"], "a served version needs a schema");
    let normalized: SwaggerSchema;
    try {
      normalized = normalizeSchema(schema, pointer(...at, "schema", "openAPIV3Schema"));
    } catch (error) {
      if (error instanceof SchemaProblem)
        throw new CrdError(file, index, error.pointer, error.message);
      throw error;
    }
    const sub = isObject(v.subresources) ? v.subresources : {};
    versions.push({
      name,
      schema: normalized,
      deprecated:
        v.deprecated === true
          ? typeof v.deprecationWarning === "string"
            ? v.deprecationWarning
            : `${group}/${name} ${kind} is deprecated`
          : undefined,
      status: sub.status !== undefined,
      scale: sub.scale !== undefined,
    });
  });
  if (versions.length === 0) fail(["spec", "versions"], "no version is served");
  return {
    name: `${plural}.${group}`,
    group,
    kind,
    listKind,
    plural,
    namespaced: spec.scope === "Namespaced",
    versions,
    file,
  };
}

/** `gateway.networking.k8s.io` → `io.k8s.networking.gateway`, as the API server names CRD definitions. */
export function definitionPackage(group: string, version: string): string {
  return `${group.split(".").reverse().join(".")}.${version}`;
}

/** `cert-manager.io` → `certManagerIo`: the operationId infix and tag the API server uses. */
function camelGroup(group: string): string {
  return group
    .split(/[.-]/)
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join("");
}

const TEMPLATE_GROUP_VERSION = "AppsV1";
const TEMPLATE_KIND = "Deployment";

/**
 * Adds the CRDs' definitions and paths to `spec` (in place). Paths follow the pinned release's
 * own operations for a namespaced resource with status and scale (`crd-base.json`), renamed,
 * as the API server builds CRD paths from the same handlers.
 */
export function addCrds(spec: SwaggerSpec, crds: Crd[]): void {
  spec.parameters = { ...CRD_BASE.parameters, ...(spec.parameters ?? {}) };
  for (const [id, def] of Object.entries(CRD_BASE.definitions))
    if (!Object.hasOwn(spec.definitions, id)) spec.definitions[id] = def;

  for (const crd of crds) {
    for (const version of crd.versions) {
      const pkg = definitionPackage(crd.group, version.name);
      const id = `${pkg}.${crd.kind}`;
      const listId = `${pkg}.${crd.listKind}`;
      const gvk = { group: crd.group, version: version.name, kind: crd.kind };
      for (const taken of [id, listId])
        if (Object.hasOwn(spec.definitions, taken))
          throw new CrdError(crd.file, 0, pointer("spec", "names"), `${taken} is already defined`);
      spec.definitions[id] = resourceSchema(version, gvk);
      spec.definitions[listId] = listSchema(crd, version, id);
      const camel = camelGroup(crd.group);
      const upper = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
      const infix = upper(camel) + upper(version.name);
      const tag = `${camel}_${version.name}`;
      const prefix = `/apis/${crd.group}/${version.name}`;
      for (const [templatePath, item] of Object.entries(CRD_BASE.paths)) {
        const sub = /\/\{name\}\/(status|scale)$/.exec(templatePath)?.[1];
        if ((sub === "status" && !version.status) || (sub === "scale" && !version.scale)) continue;
        const allNamespaces = !templatePath.includes("{namespace}");
        if (allNamespaces && !crd.namespaced) continue;
        let path = templatePath
          .replace(/^\/apis\/apps\/v1/, prefix)
          .replace("/deployments", `/${crd.plural}`);
        if (!crd.namespaced) path = path.replace("/namespaces/{namespace}", "");
        spec.paths[path] = renamePathItem(item, {
          id,
          listId,
          gvk,
          infix,
          tag,
          kind: crd.kind,
          namespaced: crd.namespaced,
          deprecated: version.deprecated,
        });
      }
    }
  }
}

interface Rename {
  id: string;
  listId: string;
  gvk: { group: string; version: string; kind: string };
  infix: string;
  tag: string;
  kind: string;
  namespaced: boolean;
  deprecated?: string;
}

function renamePathItem(item: unknown, r: Rename): SwaggerSpec["paths"][string] {
  const text = JSON.stringify(item)
    .replaceAll(
      '"#/definitions/io.k8s.api.apps.v1.DeploymentList"',
      JSON.stringify(`#/definitions/${r.listId}`),
    )
    .replaceAll(
      '"#/definitions/io.k8s.api.apps.v1.Deployment"',
      JSON.stringify(`#/definitions/${r.id}`),
    );
  const out = JSON.parse(text) as Record<string, unknown>;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "operationId" && typeof value === "string") {
        let opId = value.replace(TEMPLATE_GROUP_VERSION, r.infix).replace(TEMPLATE_KIND, r.kind);
        if (!r.namespaced) opId = opId.replace("Namespaced", "");
        node[key] = opId;
      } else if (key === "description" && typeof value === "string") {
        node[key] = value.replaceAll(TEMPLATE_KIND, r.kind);
      } else if (key === "tags") {
        node[key] = [r.tag];
      } else if (key === "x-kubernetes-group-version-kind" && isObject(value)) {
        if (value.kind === TEMPLATE_KIND) node[key] = { ...r.gvk };
      } else if (key === "consumes" && Array.isArray(value)) {
        // Custom resources have no strategic merge patch.
        node[key] = value.filter((c) => c !== "application/strategic-merge-patch+json");
      } else visit(value);
    }
    if (typeof node.operationId === "string" && r.deprecated)
      node.description = describe(node.description, [`@deprecated ${r.deprecated}`]);
  };
  visit(out);
  if (!r.namespaced && Array.isArray(out.parameters)) {
    out.parameters = out.parameters.filter(
      (p) =>
        !(
          isObject(p) &&
          typeof p.$ref === "string" &&
          p.$ref.startsWith("#/parameters/namespace-")
        ),
    );
  }
  return out as SwaggerSpec["paths"][string];
}

const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
const API_VERSION_DOC =
  "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
const KIND_DOC =
  "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

function resourceSchema(version: CrdVersion, gvk: Rename["gvk"]): SwaggerSchema {
  const s = version.schema;
  const properties: Record<string, SwaggerSchema> = { ...(s.properties ?? {}) };
  properties.apiVersion = { type: "string", description: API_VERSION_DOC };
  properties.kind = { type: "string", description: KIND_DOC };
  properties.metadata = {
    $ref: `#/definitions/${OBJECT_META}`,
    description:
      "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  };
  const sorted = Object.fromEntries(
    Object.keys(properties)
      .sort()
      .map((k) => [k, properties[k]]),
  );
  return {
    ...s,
    type: "object",
    description: describe(
      s.description,
      version.deprecated ? [`@deprecated ${version.deprecated}`] : [],
    ),
    properties: sorted,
    "x-kubernetes-group-version-kind": [gvk],
  };
}

function listSchema(crd: Crd, version: CrdVersion, itemId: string): SwaggerSchema {
  return {
    type: "object",
    description: `${crd.listKind} is a list of ${crd.kind}`,
    required: ["items"],
    properties: {
      apiVersion: { type: "string", description: API_VERSION_DOC },
      items: {
        type: "array",
        description: `List of ${crd.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        items: { $ref: `#/definitions/${itemId}` },
      },
      kind: { type: "string", description: KIND_DOC },
      metadata: {
        $ref: `#/definitions/${LIST_META}`,
        description:
          "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
      },
    },
    "x-kubernetes-group-version-kind": [
      { group: crd.group, version: version.name, kind: crd.listKind },
    ],
  };
}
