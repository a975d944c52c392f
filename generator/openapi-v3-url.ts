/**
 * `--url` at a server's OpenAPI v3: the index (`…/openapi/v3`, whose `paths` give each
 * group/version's `serverRelativeURL`) or one group/version's document
 * (`…/openapi/v3/apis/apps/v1`). The documents become an OpenAPI v3 overlay on an empty Swagger
 * spec, the same conversion `--from-cluster` uses for CRD group/versions, so the model is built
 * the same way. A Swagger 2.0 document at the URL is read as before.
 */
import type { OpenApiV3Document, OpenApiV3Overlay } from "./openapi-v3.js";
import { SpecError, pointer } from "./spec.js";
import { sha256, urlSpec, type LoadedSpec, type Progress } from "./sources.js";
import { anonymousReader, type UrlReader } from "./url-reader.js";

export interface UrlSource {
  spec: LoadedSpec;
  /** Present when the URL served OpenAPI v3. */
  openApiV3?: OpenApiV3Overlay;
}

/** A broken OpenAPI v3 index or document: its URL and the JSON pointer of the problem. */
export class OpenApiV3DocumentError extends SpecError {
  constructor(
    readonly url: string,
    at: string,
    problem: string,
  ) {
    super(at, problem);
    this.message = `${url} ${at || "#"}: ${problem}`;
  }
}

/** Index keys of group/version documents: `api/v1`, `apis/<group>/<version>`. */
const GROUP_VERSION_KEY = /^(?:api\/(v1)|apis\/([^/]+\/[^/]+))$/;
const GROUP_VERSION_URL = /\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))\/?$/;
const GROUP_VERSION_PATH = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))\//;
const SCHEMA_TYPES = new Set(["object", "array", "string", "integer", "number", "boolean"]);
/** Documents read at once from an index. */
const CONCURRENCY = 4;

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function parseJson(text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    if (!at) throw new OpenApiV3DocumentError(url, "", `invalid JSON: ${message}`);
    const before = text.slice(0, Number(at[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    throw new OpenApiV3DocumentError(url, "", `invalid JSON at line ${line}, column ${column}`);
  }
}

/** Reads `url`: Swagger 2.0 as before, else an OpenAPI v3 index or group/version document. */
export async function fromUrlSource(
  url: string,
  progress: Progress,
  kubernetesVersion?: string,
  reader: UrlReader = anonymousReader(progress),
): Promise<UrlSource> {
  try {
    const version = kubernetesVersion ?? (await reader.version?.());
    const text = await reader.read(url);
    if (isSwagger(text, url)) return { spec: urlSpec(url, text, version) };
    const overlay = await readOpenApiV3(url, text, (docUrl) => reader.read(docUrl), progress);
    return { spec: v3Spec(url, overlay, version), openApiV3: overlay };
  } finally {
    await reader.close();
  }
}

/** Swagger 2.0 is told by its first key, without parsing megabytes twice. */
function isSwagger(text: string, url: string): boolean {
  if (/^\s*\{\s*"swagger"\s*:/.test(text.slice(0, 200))) return true;
  const doc = parseJson(text, url);
  return isObject(doc) && doc.swagger !== undefined;
}

/**
 * The overlay of an OpenAPI v3 index or single document (`text`, read from `url`); `fetchText`
 * reads the documents an index lists.
 */
export async function readOpenApiV3(
  url: string,
  text: string,
  fetchText: (url: string) => Promise<string>,
  progress: Progress,
): Promise<OpenApiV3Overlay> {
  const doc = parseJson(text, url);
  if (!isObject(doc)) throw new OpenApiV3DocumentError(url, "", "expected a JSON object");
  const overlay: OpenApiV3Overlay = new Map();
  if (typeof doc.openapi === "string") {
    overlay.set(groupVersionOf(url, doc), checkDocument(doc, url));
  } else if (isIndex(doc)) {
    const wanted = indexEntries(doc, url);
    progress(`reading ${wanted.length} OpenAPI v3 documents`);
    let next = 0;
    const read = async () => {
      while (next < wanted.length) {
        const { gv, url: docUrl } = wanted[next++];
        overlay.set(gv, parseDocument(await fetchText(docUrl), docUrl));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, wanted.length) }, read));
  } else {
    throw new OpenApiV3DocumentError(
      url,
      "",
      'neither Swagger 2.0 ("swagger"), an OpenAPI v3 document ("openapi") nor an OpenAPI v3 index ("paths" with "serverRelativeURL")',
    );
  }
  return new Map([...overlay].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function isIndex(doc: Record<string, unknown>): boolean {
  return (
    isObject(doc.paths) &&
    Object.values(doc.paths).some((entry) => isObject(entry) && "serverRelativeURL" in entry)
  );
}

/**
 * The documents an index lists, with absolute URLs: group/versions keyed `group/version` (`v1`
 * for the core group), the others (discovery, `/version`, `/logs`, OIDC) by `/` + their path.
 */
function indexEntries(
  doc: Record<string, unknown>,
  indexUrl: string,
): { gv: string; url: string }[] {
  const paths = doc.paths as Record<string, unknown>;
  const out: { gv: string; url: string }[] = [];
  for (const key of Object.keys(paths).sort()) {
    const m = GROUP_VERSION_KEY.exec(key);
    const entry = paths[key];
    const relative = isObject(entry) ? entry.serverRelativeURL : undefined;
    if (typeof relative !== "string" || relative === "")
      throw new OpenApiV3DocumentError(
        indexUrl,
        pointer("paths", key, "serverRelativeURL"),
        "expected a URL string",
      );
    out.push({
      gv: m ? (m[1] ?? m[2]) : `/${key}`,
      url: resolveServerRelative(indexUrl, relative),
    });
  }
  if (!out.some((e) => !e.gv.startsWith("/")))
    throw new OpenApiV3DocumentError(indexUrl, pointer("paths"), "lists no group/version");
  return out;
}

/**
 * `serverRelativeURL` is relative to the API server's root. Behind a path prefix (a proxy at
 * `https://host/k8s/clusters/c1/openapi/v3`), the prefix before `/openapi/v3` is kept. The `hash`
 * query is dropped: it changes whenever a document does, and the plain path always serves the
 * current one.
 */
function resolveServerRelative(indexUrl: string, relative: string): string {
  const base = new URL(indexUrl);
  const at = base.pathname.lastIndexOf("/openapi/v3");
  const prefix = at > 0 && relative.startsWith("/") ? base.pathname.slice(0, at) : "";
  const target = new URL(prefix + relative, base);
  target.searchParams.delete("hash");
  return target.href;
}

function parseDocument(text: string, url: string): OpenApiV3Document {
  const doc = parseJson(text, url);
  if (!isObject(doc)) throw new OpenApiV3DocumentError(url, "", "expected a JSON object");
  if (typeof doc.openapi !== "string")
    throw new OpenApiV3DocumentError(url, pointer("openapi"), "expected an OpenAPI v3 version");
  return checkDocument(doc, url);
}

/** The group/version a single document describes: from its URL, else from its paths. */
function groupVersionOf(url: string, doc: Record<string, unknown>): string {
  const fromUrl = GROUP_VERSION_URL.exec(new URL(url).pathname);
  if (fromUrl) return fromUrl[1] ?? fromUrl[2];
  const found = new Set<string>();
  for (const path of Object.keys(isObject(doc.paths) ? doc.paths : {})) {
    const m = GROUP_VERSION_PATH.exec(path);
    if (m) found.add(m[1] ?? m[2]);
  }
  if (found.size !== 1)
    throw new OpenApiV3DocumentError(
      url,
      pointer("paths"),
      `cannot tell which group/version the document describes (${found.size === 0 ? "no /api/v1 or /apis/<group>/<version> paths" : [...found].sort().join(", ")})`,
    );
  return [...found][0];
}

/**
 * Checks what the conversion relies on, pointing into the document: `paths` and
 * `components.schemas` are objects, every `$ref` names a schema the document has, and every
 * schema `type` is one OpenAPI knows.
 */
function checkDocument(doc: Record<string, unknown>, url: string): OpenApiV3Document {
  if (!isObject(doc.paths))
    throw new OpenApiV3DocumentError(url, pointer("paths"), "expected an object");
  const components = doc.components;
  if (components !== undefined && !isObject(components))
    throw new OpenApiV3DocumentError(url, pointer("components"), "expected an object");
  const schemas = components?.schemas;
  if (schemas !== undefined && !isObject(schemas))
    throw new OpenApiV3DocumentError(url, pointer("components", "schemas"), "expected an object");
  const known = new Set(Object.keys(schemas ?? {}));
  const PREFIX = "#/components/schemas/";
  type Mode = "other" | "schema" | "schemaMap";
  const walk = (node: unknown, at: (string | number)[], mode: Mode): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...at, i], mode));
      return;
    }
    if (!isObject(node)) return;
    if (mode === "schemaMap") {
      for (const [key, child] of Object.entries(node)) walk(child, [...at, key], "schema");
      return;
    }
    const ref = node.$ref;
    if (ref !== undefined) {
      const id = typeof ref === "string" && ref.startsWith(PREFIX) ? ref.slice(PREFIX.length) : "";
      if (!known.has(id))
        throw new OpenApiV3DocumentError(
          url,
          pointer(...at, "$ref"),
          `dangling reference ${JSON.stringify(ref)}`,
        );
    }
    if (mode === "schema") {
      if (node.type !== undefined && !SCHEMA_TYPES.has(node.type as string))
        throw new OpenApiV3DocumentError(
          url,
          pointer(...at, "type"),
          `unknown type ${JSON.stringify(node.type)}`,
        );
      for (const [key, child] of Object.entries(node)) {
        if (key === "properties") walk(child, [...at, key], "schemaMap");
        else if (["items", "additionalProperties", "not", "allOf", "oneOf", "anyOf"].includes(key))
          walk(child, [...at, key], "schema");
      }
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === "schema") walk(child, [...at, key], "schema");
      else if (key === "schemas" && at.length === 1 && at[0] === "components")
        walk(child, [...at, key], "schemaMap");
      else walk(child, [...at, key], "other");
    }
  };
  walk(doc, [], "other");
  return doc as unknown as OpenApiV3Document;
}

/** An empty Swagger spec that the overlay fills, with the documents' provenance. */
function v3Spec(url: string, overlay: OpenApiV3Overlay, kubernetesVersion?: string): LoadedSpec {
  const text = JSON.stringify({
    swagger: "2.0",
    info: { title: "Kubernetes", version: kubernetesVersion ?? "unknown" },
    paths: {},
    definitions: {},
  });
  return {
    text,
    provenance: {
      source: `url ${url} (OpenAPI v3, ${overlay.size} documents)`,
      kubernetesVersion: kubernetesVersion ?? "unknown",
      sha256: sha256(JSON.stringify([...overlay.entries()])),
    },
  };
}
