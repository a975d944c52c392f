/**
 * Checks a CRD's `openAPIV3Schema` and rewrites it into the schema subset the model reads:
 * type-bearing keywords stay, value validations become documentation (JSDoc) on the field.
 */
import type { SwaggerSchema } from "./spec.js";
import { requiredOnly } from "./schema-extensions.js";

const TYPES = new Set(["object", "array", "string", "integer", "number", "boolean"]);

/** A problem at a JSON pointer inside one CRD document. */
export class SchemaProblem extends Error {
  constructor(
    readonly pointer: string,
    problem: string,
  ) {
    super(problem);
  }
}

function escape(segment: string | number): string {
  return String(segment).replace(/~/g, "~0").replace(/\//g, "~1");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

const code = (v: unknown) => "`" + JSON.stringify(v) + "`";

/** The documentation lines a schema's validations add to its description. */
function notes(s: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (s.default !== undefined) out.push(`Default: ${code(s.default)}`);
  if (typeof s.format === "string" && s.format !== "") out.push(`Format: \`${s.format}\``);
  if (typeof s.pattern === "string") out.push(`Pattern: \`${s.pattern}\``);
  const range = (label: string, min: string, max: string) => {
    const lo = s[min];
    const hi = s[max];
    if (lo !== undefined && hi !== undefined) out.push(`${label}: ${lo} to ${hi}`);
    else if (lo !== undefined) out.push(`${label}: at least ${lo}`);
    else if (hi !== undefined) out.push(`${label}: at most ${hi}`);
  };
  range("Length", "minLength", "maxLength");
  range("Items", "minItems", "maxItems");
  range("Properties", "minProperties", "maxProperties");
  if (s.minimum !== undefined || s.maximum !== undefined) {
    const lo =
      s.minimum !== undefined ? `${s.minimum}${s.exclusiveMinimum ? " (exclusive)" : ""}` : "";
    const hi =
      s.maximum !== undefined ? `${s.maximum}${s.exclusiveMaximum ? " (exclusive)" : ""}` : "";
    out.push(
      `Range: ${lo ? `minimum ${lo}` : ""}${lo && hi ? ", " : ""}${hi ? `maximum ${hi}` : ""}`,
    );
  }
  if (s.multipleOf !== undefined) out.push(`Multiple of: ${s.multipleOf}`);
  if (s.uniqueItems === true) out.push("Items are unique");
  const listType = s["x-kubernetes-list-type"];
  if (typeof listType === "string") {
    const keys = s["x-kubernetes-list-map-keys"];
    out.push(
      listType === "map" && Array.isArray(keys)
        ? `List type: map, keyed by ${keys.map((k) => `\`${k}\``).join(", ")}`
        : `List type: ${listType}`,
    );
  }
  if (typeof s["x-kubernetes-map-type"] === "string")
    out.push(`Map type: ${s["x-kubernetes-map-type"]}`);
  const rules = s["x-kubernetes-validations"];
  if (Array.isArray(rules)) {
    for (const r of rules) {
      if (!isObject(r) || typeof r.rule !== "string") continue;
      const message =
        typeof r.message === "string"
          ? ` (${r.message})`
          : typeof r.messageExpression === "string"
            ? ` (message: \`${r.messageExpression}\`)`
            : "";
      out.push(`Validation: \`${r.rule.replace(/\s*\n\s*/g, " ")}\`${message}`);
    }
  }
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  for (const keyword of ["oneOf", "anyOf", "allOf", "not"] as const) {
    const v = s[keyword];
    if (v === undefined) continue;
    if ((keyword === "oneOf" || keyword === "anyOf") && Array.isArray(v) && v.every(requiredOnly))
      out.push(
        `${keyword === "oneOf" ? "Exactly one" : "At least one"} of: ${v.map((b) => b.required.map((n) => `\`${n}\``).join(" + ")).join(", ")}`,
      );
    else if (!(intOrString && keyword === "anyOf")) out.push(`${keyword}: ${code(v)}`);
  }
  return out;
}

/** Joins a description and notes into one paragraph-separated text. */
export function describe(description: unknown, extra: string[]): string | undefined {
  const parts = [typeof description === "string" ? description.trim() : "", extra.join("\n")];
  const text = parts.filter(Boolean).join("\n\n");
  return text || undefined;
}

/** Validates and normalizes one schema node; `at` is its JSON pointer in the CRD document. */
export function normalizeSchema(raw: unknown, at: string): SwaggerSchema {
  if (!isObject(raw)) throw new SchemaProblem(at, "expected a schema object");
  if (raw.$ref !== undefined) throw new SchemaProblem(`${at}/$ref`, "CRD schemas cannot use $ref");
  // OpenAPI v3 documents from a server wrap references as `allOf: [{ $ref }]`.
  if (
    Array.isArray(raw.allOf) &&
    raw.allOf.length === 1 &&
    isObject(raw.allOf[0]) &&
    typeof raw.allOf[0].$ref === "string"
  ) {
    const description = describe(raw.description, []);
    return { $ref: raw.allOf[0].$ref, ...(description ? { description } : {}) };
  }
  const type = raw.type;
  if (type !== undefined && (typeof type !== "string" || !TYPES.has(type)))
    throw new SchemaProblem(`${at}/type`, `unknown type ${JSON.stringify(type)}`);
  const out: SwaggerSchema & Record<string, unknown> = {};
  if (type !== undefined) out.type = type;
  const description = describe(raw.description, notes(raw));
  if (description) out.description = description;
  if (raw.properties !== undefined) {
    if (!isObject(raw.properties))
      throw new SchemaProblem(`${at}/properties`, "expected an object of schemas");
    out.properties = {};
    for (const name of Object.keys(raw.properties).sort())
      out.properties[name] = normalizeSchema(
        raw.properties[name],
        `${at}/properties/${escape(name)}`,
      );
  }
  if (raw.items !== undefined) out.items = normalizeSchema(raw.items, `${at}/items`);
  if (
    type === "array" &&
    raw.items === undefined &&
    raw["x-kubernetes-preserve-unknown-fields"] !== true
  )
    throw new SchemaProblem(at, "an array schema needs items");
  if (isObject(raw.additionalProperties))
    out.additionalProperties = normalizeSchema(
      raw.additionalProperties,
      `${at}/additionalProperties`,
    );
  if (raw.required !== undefined) {
    if (!Array.isArray(raw.required) || !raw.required.every((r) => typeof r === "string"))
      throw new SchemaProblem(`${at}/required`, "expected an array of property names");
    out.required = [...raw.required];
  }
  if (raw.enum !== undefined) {
    if (!Array.isArray(raw.enum)) throw new SchemaProblem(`${at}/enum`, "expected an array");
    out.enum = raw.enum;
  }
  for (const key of [
    "nullable",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
  ]) {
    if (raw[key] === true) out[key] = true;
  }
  for (const keyword of ["oneOf", "anyOf"] as const) {
    const v = raw[keyword];
    if (v === undefined) continue;
    if (!Array.isArray(v)) throw new SchemaProblem(`${at}/${keyword}`, "expected an array");
    if (v.every(requiredOnly) && raw["x-kubernetes-int-or-string"] !== true) out[keyword] = v;
  }
  return out;
}
