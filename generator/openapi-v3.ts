/**
 * OpenAPI v3 from a cluster, for the custom resource groups: `/openapi/v2` is built from a CRD's
 * structural schema lossily (no `nullable`, `oneOf`/`anyOf`, emptied preserve-unknown objects,
 * no defaults), while the per-group-version `/openapi/v3` documents keep the schema as written.
 * The v3 documents of CRD group/versions replace their v2 paths and definitions; built-in groups
 * stay on v2: their v3 adds only `default` values and spells Quantity/IntOrString as `oneOf`
 * (measured, README; test/e2e/openapi-v3-builtins.test.ts). `--url …/openapi/v3` converts every
 * group's documents the same way (generator/openapi-v3-url.ts).
 */
import { KubeError, createClient, sendText, type ClientOptions } from "../runtime/index.js";
import { SchemaProblem, normalizeSchema } from "./crd-schema.js";
import type { Progress } from "./sources.js";
import type { SwaggerParameter, SwaggerPathItem, SwaggerSchema, SwaggerSpec } from "./spec.js";

/** `group/version` → its `/openapi/v3` document. */
export type OpenApiV3Overlay = Map<string, OpenApiV3Document>;

export interface OpenApiV3Document {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, SwaggerSchema> };
}

interface V3Operation {
  parameters?: (SwaggerParameter & { schema?: SwaggerSchema })[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: SwaggerSchema }> };
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema?: SwaggerSchema }> }
  >;
  [key: string]: unknown;
}

const METHODS = ["get", "put", "post", "delete", "patch"];

/** Reads the v3 documents of every group/version a CRD serves. */
export async function readCrdOpenApiV3(
  options: ClientOptions,
  progress: Progress,
): Promise<OpenApiV3Overlay> {
  const client = createClient(options);
  try {
    const json = { headers: { accept: "application/json" } };
    let crds: {
      items: {
        metadata?: { deletionTimestamp?: string };
        spec: { group: string; versions: { name: string; served: boolean }[] };
      }[];
    };
    try {
      crds = JSON.parse(
        await sendText(
          client,
          "GET",
          "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
          {},
          json,
        ),
      ) as typeof crds;
    } catch (error) {
      // Without permission to list CRDs (a pod's service account, say), v2 is all there is.
      if (error instanceof KubeError && (error.code === 403 || error.code === 404)) {
        progress(`not reading /openapi/v3: cannot list CustomResourceDefinitions (${error.code})`);
        return new Map();
      }
      throw error;
    }
    const wanted = new Set(
      // A CRD being deleted stops being served at any moment; its types are not wanted.
      crds.items
        .filter((c) => !c.metadata?.deletionTimestamp)
        .flatMap((c) =>
          c.spec.versions.filter((v) => v.served).map((v) => `${c.spec.group}/${v.name}`),
        ),
    );
    const overlay: OpenApiV3Overlay = new Map();
    if (wanted.size === 0) return overlay;
    let index: { paths: Record<string, { serverRelativeURL: string }> };
    try {
      index = JSON.parse(await sendText(client, "GET", "/openapi/v3", {}, json)) as typeof index;
    } catch (error) {
      if (error instanceof KubeError && (error.code === 403 || error.code === 404)) {
        progress(`not reading /openapi/v3: the server answered ${error.code}`);
        return new Map();
      }
      throw error;
    }
    for (const gv of [...wanted].sort()) {
      const entry = index.paths[`apis/${gv}`];
      if (!entry) continue;
      // Without the `hash` query: the hash changes whenever a CRD does, and a stale one is
      // answered with a redirect; the plain path always serves the current document.
      const [path] = entry.serverRelativeURL.split("?");
      progress(`reading ${path} (OpenAPI v3)`);
      const text = await sendText(client, "GET", path, {}, { ...json, timeoutMs: 120_000 });
      // A group/version whose last CRD went away between the index and this read answers with
      // an empty body: there is nothing to type, so it keeps what /openapi/v2 says (nothing).
      if (text.trim() === "") {
        progress(`${path}: empty answer (the CRD was removed meanwhile); skipped`);
        continue;
      }
      overlay.set(gv, JSON.parse(text) as OpenApiV3Document);
    }
    return overlay;
  } finally {
    await client.close();
  }
}

function v3Refs<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value).replaceAll('"#/components/schemas/', '"#/definitions/'),
  ) as T;
}

/** Validation notes (defaults, patterns, CEL rules, …) into descriptions, as for `--crd`. */
function documented(schema: SwaggerSchema, id: string): SwaggerSchema {
  const properties = { ...(schema.properties ?? {}) };
  for (const [name, prop] of Object.entries(properties)) {
    if (["apiVersion", "kind", "metadata"].includes(name)) continue;
    try {
      properties[name] = normalizeSchema(prop, `#/components/schemas/${id}/properties/${name}`);
    } catch (error) {
      if (!(error instanceof SchemaProblem)) throw error;
    }
  }
  return { ...schema, properties };
}

function operation(op: V3Operation): Record<string, unknown> {
  const { parameters, requestBody, responses, ...rest } = op;
  const out: Record<string, unknown> = { ...rest };
  const params: unknown[] = [...(parameters ?? [])];
  if (requestBody?.content) {
    const types = Object.keys(requestBody.content);
    const schema = requestBody.content[types[0]]?.schema;
    params.unshift({ name: "body", in: "body", required: requestBody.required === true, schema });
    out.consumes = types;
  }
  out.parameters = params;
  out.responses = Object.fromEntries(
    Object.entries(responses ?? {}).map(([code, r]) => {
      const content = r.content ?? {};
      const schema = (content["application/json"] ?? Object.values(content)[0])?.schema;
      return [code, { description: r.description, ...(schema ? { schema } : {}) }];
    }),
  );
  return out;
}

/**
 * Kinds of the built-in API packages. Their v3 schemas are used as published; a CRD's kinds
 * (ids from the reversed group name) get their validation notes documented, as for `--crd`.
 */
const BUILT_IN_ID = /^io\.k8s\.(api|apimachinery|kube-aggregator|apiextensions-apiserver)\./;

type Gvk = { group: string; version: string; kind: string };

/**
 * A definition shared by several documents (DeleteOptions, WatchEvent) lists only the
 * group/versions of each document; across documents it belongs to all of them.
 */
function withGvks(schema: SwaggerSchema, more: unknown): SwaggerSchema {
  const have = schema["x-kubernetes-group-version-kind"];
  if (!Array.isArray(have) || !Array.isArray(more)) return schema;
  const key = (g: Gvk) => `${g.group}/${g.version}/${g.kind}`;
  const all = new Map([...(have as Gvk[]), ...(more as Gvk[])].map((g) => [key(g), g]));
  const gvks = [...all.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => g);
  return { ...schema, "x-kubernetes-group-version-kind": gvks };
}

/**
 * Replaces the v2 paths and definitions of each overlaid group/version with its v3 document.
 * A key starting with `/` is a document that is no group/version's (`/apis`, `/version`, …):
 * its paths are taken as they are.
 */
export function applyOpenApiV3(spec: SwaggerSpec, overlay: OpenApiV3Overlay): void {
  for (const [gv, raw] of overlay) {
    const doc = v3Refs(raw);
    const other = gv.startsWith("/");
    // The core group's documents are keyed `v1` and served under /api/v1.
    const core = !other && !gv.includes("/");
    const prefix = other ? undefined : core ? `/api/${gv}/` : `/apis/${gv}/`;
    if (prefix)
      for (const path of Object.keys(spec.paths))
        if (path.startsWith(prefix)) delete spec.paths[path];
    for (const [path, item] of Object.entries(doc.paths)) {
      if (prefix && !path.startsWith(prefix)) continue;
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(item)) {
        out[key] = METHODS.includes(key) ? operation(value as V3Operation) : value;
      }
      spec.paths[path] = out as SwaggerPathItem;
    }
    const group = other ? undefined : core ? "" : gv.split("/")[0];
    for (const [id, schema] of Object.entries(doc.components?.schemas ?? {})) {
      const gvks = schema["x-kubernetes-group-version-kind"];
      const ours = Array.isArray(gvks) && gvks.some((g: { group: string }) => g.group === group);
      const had = Object.hasOwn(spec.definitions, id) ? spec.definitions[id] : undefined;
      if (ours) {
        const own = BUILT_IN_ID.test(id) ? schema : documented(schema, id);
        spec.definitions[id] = had ? withGvks(own, had["x-kubernetes-group-version-kind"]) : own;
      } else spec.definitions[id] = had ? withGvks(had, gvks) : schema;
    }
  }
}
