/**
 * Named corrections for places where the upstream spec disagrees with what the API server sends.
 * Each one fails the run when its target is present but already right, so a fix-up that upstream
 * made unnecessary is noticed and removed instead of silently lingering.
 */
import type { SwaggerSchema, SwaggerSpec } from "./spec.js";

export interface FixUp {
  name: string;
  /** The upstream problem, in one sentence. */
  why: string;
  /**
   * Applies the fix. Returns "applied", "absent" (the spec does not have the target, e.g. a CRD-only
   * cluster spec or a small test spec), or "stale" (the target is there and already correct).
   */
  apply(spec: SwaggerSpec): "applied" | "absent" | "stale";
}

const EVENTS_V1_EVENT = "io.k8s.api.events.v1.Event";
const APIEXT = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1";

/** events.k8s.io/v1 Event.eventTime is required, but events written through core/v1 come back with `null`. */
const eventsEventTimeNullable: FixUp = {
  name: "events-v1-event-time-nullable",
  why: "events.k8s.io/v1 Event.eventTime is marked required, yet the server returns null for events created through the core/v1 API",
  apply(spec) {
    const def = spec.definitions[EVENTS_V1_EVENT];
    if (!def?.properties?.eventTime) return "absent";
    if (!def.required?.includes("eventTime")) return "stale";
    def.required = def.required.filter((r) => r !== "eventTime");
    (def.properties.eventTime as SwaggerSchema)["x-kubegen-nullable"] = true;
    return "applied";
  },
};

/**
 * JSONSchemaPropsOr{Array,Bool,StringArray} are published with no type at all, which would make
 * every CRD validation schema `unknown` below the first level.
 */
function jsonSchemaUnion(suffix: string, alternatives: SwaggerSchema[]): FixUp {
  const id = `${APIEXT}.JSONSchemaPropsOr${suffix}`;
  return {
    name: `json-schema-props-or-${suffix.replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase())}`,
    why: `${id} has no type in the spec; it is JSONSchemaProps or ${suffix === "Bool" ? "a boolean" : "an array"}`,
    apply(spec) {
      const def = spec.definitions[id];
      if (!def) return "absent";
      if (def.type !== undefined || def.properties || def["x-kubegen-one-of"]) return "stale";
      def["x-kubegen-one-of"] = alternatives;
      return "applied";
    },
  };
}

const propsRef: SwaggerSchema = { $ref: `#/definitions/${APIEXT}.JSONSchemaProps` };

export const FIXUPS: readonly FixUp[] = [
  eventsEventTimeNullable,
  jsonSchemaUnion("Array", [propsRef, { type: "array", items: propsRef }]),
  jsonSchemaUnion("Bool", [propsRef, { type: "boolean" }]),
  jsonSchemaUnion("StringArray", [propsRef, { type: "array", items: { type: "string" } }]),
];

/** Applies every fix-up; throws when one is stale. Returns the names of those applied. */
export function applyFixUps(spec: SwaggerSpec, fixups: readonly FixUp[] = FIXUPS): string[] {
  const applied: string[] = [];
  for (const fix of fixups) {
    const result = fix.apply(spec);
    if (result === "stale") {
      throw new Error(
        `fix-up ${fix.name} is no longer needed (${fix.why}); remove it from generator/fixups.ts`,
      );
    }
    if (result === "applied") applied.push(fix.name);
  }
  return applied;
}
