/**
 * Facts about the pinned Kubernetes release that its swagger.json does not carry, recorded as
 * data (generator/data/, written by test/tools/release-data.ts from the release's Go sources and
 * checked for staleness by a unit test), so generation needs neither Go nor a cluster:
 * - enums: the release's swagger.json is generated with enums off; a live server publishes them;
 * - null fields: fields the server writes as `null` (Go fields without `omitempty` that are
 *   pointers, slices or maps, and zero `metav1.Time` values), which the spec cannot express.
 * Both apply to a spec of exactly the recorded release (a release, a file, or a cluster).
 */
import { RELEASE_ENUMS_DATA, RELEASE_NULL_FIELDS_DATA } from "./data/release-facts.js";
import type { SwaggerSchema, SwaggerSpec } from "./spec.js";

export interface ReleaseEnums {
  kubernetesVersion: string;
  /** Definition id → property → its values, or its array items' values. */
  enums: Record<string, Record<string, { values: string[] } | { items: string[] }>>;
}

export interface ReleaseNullFields {
  kubernetesVersion: string;
  /** Definition id → properties the server may send as `null`. */
  fields: Record<string, string[]>;
}

export const RELEASE_ENUMS = RELEASE_ENUMS_DATA as ReleaseEnums;
export const RELEASE_NULL_FIELDS = RELEASE_NULL_FIELDS_DATA as ReleaseNullFields;

/**
 * Adds the recorded enums (where the spec has none) and null fields to a spec of the recorded
 * release. Returns what it applied, for the output's metadata.
 */
export function applyReleaseData(
  spec: SwaggerSpec,
  kubernetesVersion: string,
  enums: ReleaseEnums = RELEASE_ENUMS,
  nulls: ReleaseNullFields = RELEASE_NULL_FIELDS,
): string[] {
  const applied: string[] = [];
  // A definition the spec lacks is skipped (a CRD-only output has a few); a property missing
  // from a definition it has means the data is stale.
  const property = (id: string, name: string, what: string): SwaggerSchema | undefined => {
    if (!Object.hasOwn(spec.definitions, id)) return undefined;
    const prop = spec.definitions[id].properties?.[name];
    if (!prop)
      throw new Error(
        `${what} data for ${kubernetesVersion} names ${id}.${name}, which the spec lacks; run test/tools/release-data.ts`,
      );
    return prop;
  };
  if (enums.kubernetesVersion === kubernetesVersion) {
    let added = 0;
    for (const [id, props] of Object.entries(enums.enums))
      for (const [name, e] of Object.entries(props)) {
        const prop = property(id, name, "enum");
        const target = "items" in e ? prop?.items : prop;
        if (!target || target.enum) continue;
        target.enum = "items" in e ? e.items : e.values;
        added++;
      }
    if (added > 0) applied.push(`release-enums (${added})`);
  }
  if (nulls.kubernetesVersion === kubernetesVersion) {
    let marked = 0;
    for (const [id, names] of Object.entries(nulls.fields))
      for (const name of names) {
        const prop = property(id, name, "null-field");
        if (!prop) continue;
        prop["x-kubegen-nullable"] = true;
        marked++;
      }
    applied.push(`release-null-fields (${marked})`);
  }
  return applied;
}
