/** Swagger schemas as the model's types (TypeRef in generator/ir.ts). */
import type { Property, TypeRef } from "./ir.js";
import { extendedType } from "./schema-extensions.js";
import { SpecError, type SwaggerSchema, type SwaggerSpec } from "./spec.js";

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
