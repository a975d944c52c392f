/**
 * OpenAPI v3 and `x-kubernetes-*` schema keywords that carry type information beyond Swagger 2.0's
 * core: `enum`, `nullable`, preserve-unknown-fields, embedded resources and `oneOf`/`anyOf`
 * alternatives of shape. Built-in specs from a live server carry `enum`; CRD schemas carry all.
 */
import type { TypeRef } from "./ir.js";
import type { SwaggerSchema } from "./spec.js";

const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

type Convert = (schema: SwaggerSchema, at: string) => TypeRef;

/** A `oneOf`/`anyOf` branch that only says which properties are required. */
export function requiredOnly(branch: unknown): branch is { required: string[] } {
  if (!branch || typeof branch !== "object") return false;
  const keys = Object.keys(branch).filter((k) => k !== "description");
  return (
    keys.length === 1 &&
    keys[0] === "required" &&
    Array.isArray((branch as { required: unknown }).required)
  );
}

function literalValue(v: unknown): v is string | number | boolean | null {
  return v === null || ["string", "number", "boolean"].includes(typeof v);
}

/**
 * The type of a schema that uses one of the keywords above, else undefined (the caller goes on
 * with the core rules). `convert` is the caller's converter, called on the schema minus the keyword.
 */
export function extendedType(
  schema: SwaggerSchema,
  at: string,
  convert: Convert,
): TypeRef | undefined {
  const s = schema as SwaggerSchema & Record<string, unknown>;
  if (s.nullable === true) {
    const { nullable: _nullable, ...rest } = s;
    const inner = convert(rest, at);
    if (inner.kind === "unknown") return inner;
    const members = inner.kind === "union" ? inner.members : [inner];
    const hasNull = members.some((m) => m.kind === "literal" && m.value === null);
    if (hasNull) return inner;
    return { kind: "union", members: [...members, { kind: "literal", value: null }] };
  }
  if (Array.isArray(s.enum) && s.enum.length > 0 && s.enum.every(literalValue)) {
    const values = [...new Set(s.enum)];
    if (values.length === 1) return { kind: "literal", value: values[0] };
    return { kind: "union", members: values.map((value) => ({ kind: "literal", value })) };
  }
  if (s["x-kubernetes-embedded-resource"] === true) {
    const { "x-kubernetes-embedded-resource": _embedded, ...rest } = s;
    const properties: Record<string, SwaggerSchema> = {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { $ref: `#/definitions/${OBJECT_META}` },
      ...(rest.properties ?? {}),
    };
    // The server refuses an embedded object without apiVersion and kind.
    const required = [...new Set([...(rest.required ?? []), "apiVersion", "kind"])];
    return convert({ ...rest, type: "object", properties, required }, at);
  }
  if (s["x-kubernetes-preserve-unknown-fields"] === true) {
    const { "x-kubernetes-preserve-unknown-fields": _preserve, ...rest } = s;
    if (rest.type === undefined && !rest.properties) return { kind: "unknown" };
    const inner = convert(rest, at);
    if (inner.kind === "object") return { ...inner, open: true };
    return inner;
  }
  for (const keyword of ["oneOf", "anyOf"] as const) {
    const branches = s[keyword];
    if (!Array.isArray(branches) || !branches.every(requiredOnly)) continue;
    const { [keyword]: _alternatives, ...rest } = s;
    const inner = convert(rest, at);
    if (inner.kind !== "object") return inner;
    const known = new Set(inner.properties.map((p) => p.name));
    const alternatives = branches.map((b) => b.required.filter((n) => known.has(n)));
    return { ...inner, alternatives };
  }
  return undefined;
}
