/**
 * Measures what a live API server's `/openapi/v3` says about the built-in groups that its
 * `/openapi/v2` does not, and which enum properties it publishes, against the pinned release's
 * data (generator/data/release-facts.ts). Used by the end-to-end tests; run it alone against
 * any cluster (the current kubeconfig context) to print the numbers:
 *
 *   node --import tsx test/tools/openapi-v3-measure.ts
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { createClient, isNotFound, sendText, type Client } from "../../runtime/index.js";
import { RELEASE_ENUMS } from "../../generator/release-data.js";
import { readOpenApiV3 } from "../../generator/openapi-v3-url.js";
import type { OpenApiV3Overlay } from "../../generator/openapi-v3.js";

type Schema = Record<string, unknown>;
const JSON_ACCEPT = { headers: { accept: "application/json" }, timeoutMs: 120_000 };

export interface LiveSpecs {
  /** `/openapi/v2` definitions. */
  v2: Record<string, Schema>;
  /** Every `/openapi/v3` document, by group/version (or `/` + path for the others). */
  v3: OpenApiV3Overlay;
}

export async function readLiveSpecs(client: Client): Promise<LiveSpecs> {
  // Other test files add and remove CRDs on the same server: a document the index listed can be
  // gone (404) when it is fetched. Reading again gives a consistent pair.
  for (let attempt = 1; ; attempt++) {
    try {
      return await readLiveSpecsOnce(client);
    } catch (error) {
      if (attempt >= 5 || !isNotFound(error)) throw error;
    }
  }
}

async function readLiveSpecsOnce(client: Client): Promise<LiveSpecs> {
  const get = (path: string) => sendText(client, "GET", path, {}, JSON_ACCEPT);
  const v2 = (JSON.parse(await get("/openapi/v2")) as { definitions: Record<string, Schema> })
    .definitions;
  const indexUrl = `${client.server}/openapi/v3`;
  const v3 = await readOpenApiV3(
    indexUrl,
    await get("/openapi/v3"),
    (url) => get(new URL(url).pathname),
    () => {},
  );
  return { v2, v3 };
}

/** The v3 component schemas of all documents, each id once (the documents agree). */
export function v3Schemas(v3: OpenApiV3Overlay): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const doc of v3.values())
    for (const [id, schema] of Object.entries(doc.components?.schemas ?? {}))
      out[id] ??= schema as Schema;
  return out;
}

/** v3 spelling → v2 spelling: `allOf: [{ $ref }]` wrappers and `#/components/schemas/` refs. */
function asV2(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asV2);
  if (!value || typeof value !== "object") {
    return typeof value === "string"
      ? value.replace("#/components/schemas/", "#/definitions/")
      : value;
  }
  let node = value as Schema;
  const allOf = node.allOf;
  if (Array.isArray(allOf) && allOf.length === 1 && (allOf[0] as Schema).$ref !== undefined) {
    const { allOf: _allOf, ...rest } = node;
    node = { ...rest, $ref: (allOf[0] as Schema).$ref };
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, asV2(v)]));
}

export interface KeywordDifference {
  /** `+default`: only v3 has it; `-type`: only v2; `~required`: both, different values. */
  keyword: string;
  count: number;
  /** Schema paths (definition id, then `/properties/<name>`…), sorted. */
  at: string[];
}

/** Every schema keyword in which the built-in definitions of v2 and v3 differ. */
export function compareDefinitions(
  v2: Record<string, Schema>,
  v3: Record<string, Schema>,
): { onlyV2: string[]; onlyV3: string[]; differences: KeywordDifference[] } {
  const found = new Map<string, string[]>();
  const note = (keyword: string, at: string) =>
    found.set(keyword, [...(found.get(keyword) ?? []), at]);
  const walk = (a: unknown, b: unknown, at: string): void => {
    if (!a || !b || typeof a !== "object" || typeof b !== "object") return;
    const x = a as Schema;
    const y = b as Schema;
    for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
      // Each v3 document lists only its own group/versions for a shared definition.
      if (key === "x-kubernetes-group-version-kind") continue;
      if (!(key in x)) note(`+${key}`, at);
      else if (!(key in y)) note(`-${key}`, at);
      else if (key === "properties") {
        const px = x[key] as Record<string, unknown>;
        const py = y[key] as Record<string, unknown>;
        for (const name of new Set([...Object.keys(px), ...Object.keys(py)])) {
          if (!(name in px)) note("+property", `${at}/properties/${name}`);
          else if (!(name in py)) note("-property", `${at}/properties/${name}`);
          else walk(px[name], py[name], `${at}/properties/${name}`);
        }
      } else if (["items", "additionalProperties"].includes(key))
        walk(x[key], y[key], `${at}/${key}`);
      else if (JSON.stringify(x[key]) !== JSON.stringify(y[key])) note(`~${key}`, at);
    }
  };
  const ids = Object.keys(v2).filter((id) => id in v3);
  for (const id of ids.sort()) walk(v2[id], asV2(v3[id]), id);
  return {
    onlyV2: Object.keys(v2)
      .filter((id) => !(id in v3))
      .sort(),
    onlyV3: Object.keys(v3)
      .filter((id) => !(id in v2))
      .sort(),
    differences: [...found.entries()]
      .map(([keyword, at]) => ({ keyword, count: at.length, at: at.sort() }))
      .sort((p, q) => q.count - p.count || (p.keyword < q.keyword ? -1 : 1)),
  };
}

/** The values of every `default` in the v3 component schemas, counted. */
export function defaultValues(v3: Record<string, Schema>): Map<string, number> {
  const counts = new Map<string, number>();
  const walk = (node: unknown, inProperties: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, false));
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node as Schema)) {
      if (key === "default" && !inProperties) {
        const text = JSON.stringify(value);
        counts.set(text, (counts.get(text) ?? 0) + 1);
      } else walk(value, key === "properties" && !inProperties);
    }
  };
  walk(v3, false);
  return new Map([...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

export interface EnumProperty {
  values: string[];
  /** The enum is on the array's items (a list of enum values), not on the property. */
  items: boolean;
}

/** `definition.property` → its enum, for every property with `enum` on itself or its items. */
export function enumProperties(definitions: Record<string, Schema>): Map<string, EnumProperty> {
  const out = new Map<string, EnumProperty>();
  for (const [id, def] of Object.entries(definitions))
    for (const [name, prop] of Object.entries((def.properties ?? {}) as Record<string, Schema>)) {
      const own = prop.enum as string[] | undefined;
      const items = (prop.items as Schema | undefined)?.enum as string[] | undefined;
      if (own || items)
        out.set(`${id}.${name}`, { values: [...(own ?? items)!].sort(), items: !own });
    }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The pinned release's enum data in the same form. */
export function releaseEnumProperties(): Map<string, EnumProperty> {
  const out = new Map<string, EnumProperty>();
  for (const [id, props] of Object.entries(RELEASE_ENUMS.enums))
    for (const [name, e] of Object.entries(props))
      out.set(`${id}.${name}`, {
        values: [...("items" in e ? e.items : e.values)].sort(),
        items: "items" in e,
      });
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function main(): Promise<void> {
  const client = createClient();
  try {
    const { v2, v3 } = await readLiveSpecs(client);
    const schemas = v3Schemas(v3);
    const { onlyV2, onlyV3, differences } = compareDefinitions(v2, schemas);
    const live2 = enumProperties(v2);
    const live3 = enumProperties(schemas);
    const release = releaseEnumProperties();
    const notServed = [...release.keys()].filter((k) => !live2.has(k));
    const summary = {
      server: client.server,
      definitions: { v2: Object.keys(v2).length, v3: Object.keys(schemas).length, onlyV2, onlyV3 },
      keywordDifferences: differences.map((d) => ({
        keyword: d.keyword,
        count: d.count,
        examples: d.at.slice(0, 3),
      })),
      v3Defaults: Object.fromEntries(defaultValues(schemas)),
      enums: {
        v2: live2.size,
        v2OnProperty: [...live2.values()].filter((e) => !e.items).length,
        v2OnItems: [...live2.values()].filter((e) => e.items).length,
        v3: live3.size,
        releaseFacts: release.size,
        inReleaseFactsNotPublished: notServed,
      },
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await client.close();
  }
}

const invokedDirectly =
  !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) await main();
