/** The subset of Swagger 2.0 that Kubernetes publishes, and parsing with errors that point. */

export interface SwaggerSchema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, SwaggerSchema>;
  additionalProperties?: SwaggerSchema | boolean;
  items?: SwaggerSchema;
  required?: string[];
  allOf?: SwaggerSchema[];
  enum?: unknown[];
  "x-kubernetes-group-version-kind"?: GroupVersionKind[] | GroupVersionKind;
  [extension: `x-${string}`]: unknown;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface SwaggerParameter {
  $ref?: string;
  name: string;
  in: "path" | "query" | "body" | "header" | "formData";
  description?: string;
  required?: boolean;
  type?: string;
  schema?: SwaggerSchema;
  items?: SwaggerSchema;
  uniqueItems?: boolean;
}

export interface SwaggerOperation {
  operationId?: string;
  description?: string;
  tags?: string[];
  consumes?: string[];
  produces?: string[];
  parameters?: SwaggerParameter[];
  responses?: Record<string, { description?: string; schema?: SwaggerSchema }>;
  deprecated?: boolean;
  "x-kubernetes-action"?: string;
  "x-kubernetes-group-version-kind"?: GroupVersionKind;
}

export type SwaggerPathItem = Partial<
  Record<"get" | "put" | "post" | "delete" | "patch" | "head" | "options", SwaggerOperation>
> & { parameters?: SwaggerParameter[] };

export interface SwaggerSpec {
  swagger: string;
  info?: { title?: string; version?: string };
  paths: Record<string, SwaggerPathItem>;
  definitions: Record<string, SwaggerSchema>;
  parameters?: Record<string, SwaggerParameter>;
}

/** A problem in the input spec, located by JSON pointer (RFC 6901). */
export class SpecError extends Error {
  constructor(
    readonly pointer: string,
    problem: string,
  ) {
    super(`${pointer || "#"}: ${problem}`);
    this.name = "SpecError";
  }
}

/** Builds a JSON pointer from unescaped segments. */
export function pointer(...segments: (string | number)[]): string {
  return (
    "#" + segments.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("")
  );
}

/** Parses spec text; invalid JSON is reported with line and column, a non-Swagger document by pointer. */
export function parseSpec(text: string): SwaggerSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    if (at) {
      const offset = Number(at[1]);
      const before = text.slice(0, offset);
      const line = before.split("\n").length;
      const column = offset - before.lastIndexOf("\n");
      throw new SpecError("", `invalid JSON at line ${line}, column ${column}: ${message}`);
    }
    throw new SpecError("", `invalid JSON: ${message}`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    throw new SpecError("", "the document is not a JSON object");
  }
  const spec = doc as Record<string, unknown>;
  if (typeof spec.openapi === "string") {
    throw new SpecError(
      pointer("openapi"),
      `OpenAPI ${spec.openapi} is not supported; use the cluster's /openapi/v2 document`,
    );
  }
  if (spec.swagger !== "2.0") throw new SpecError(pointer("swagger"), 'expected "2.0"');
  for (const key of ["paths", "definitions"] as const) {
    const value = spec[key];
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw new SpecError(pointer(key), "expected an object");
    }
  }
  return doc as SwaggerSpec;
}
