/** TypeScript type text for the model's TypeRefs, and model declarations. */
import type { Definition, Property, TypeRef } from "../generator/ir.js";
import { PRINT_WIDTH, jsdoc, pad, propertyKey } from "./layout.js";

/** Resolves a definition id to the name it has in the file being written (importing it if needed). */
export type NameOf = (id: string) => string;

const SIMPLE = /^[A-Za-z_$][\w$.]*(<[^<>]*>)?$/;

export function typeText(type: TypeRef, nameOf: NameOf, depth: number): string {
  switch (type.kind) {
    case "ref":
      return nameOf(type.id);
    case "string":
    case "number":
    case "boolean":
    case "unknown":
      return type.kind;
    case "intOrString":
      return "number | string";
    case "record":
      return "Record<string, unknown>";
    case "array": {
      const item = typeText(type.items, nameOf, depth);
      return SIMPLE.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case "map":
      return `Record<string, ${typeText(type.values, nameOf, depth)}>`;
    case "union":
      return type.members.map((m) => typeText(m, nameOf, depth)).join(" | ");
    case "literal":
      return JSON.stringify(type.value);
    case "object":
      return objectText(type, nameOf, depth, undefined);
  }
}

/** `{ … }` with one documented member per line; `literals` pins apiVersion/kind. */
function objectText(
  object: Extract<TypeRef, { kind: "object" }>,
  nameOf: NameOf,
  depth: number,
  literals: Record<string, string> | undefined,
): string {
  const { properties } = object;
  const typeOf = (p: Property): string => {
    const literal = literals?.[p.name];
    let type =
      literal !== undefined ? JSON.stringify(literal) : typeText(p.type, nameOf, depth + 1);
    if (p.nullable) type += " | null";
    return type;
  };
  const members = properties.map((p) => {
    const head = `${jsdoc(depth + 1, p.description)}${pad(depth + 1)}${propertyKey(p.name)}${p.required ? "" : "?"}:`;
    const type = typeOf(p);
    const line = `${pad(depth + 1)}${propertyKey(p.name)}${p.required ? "" : "?"}: ${type};`;
    if (line.length > PRINT_WIDTH && !type.includes("\n") && !type.includes("{")) {
      const broken = brokenUnion(p, literals?.[p.name] !== undefined, nameOf, depth);
      if (broken) return `${head}${broken};`;
    }
    return `${head} ${type};`;
  });
  if (object.open) members.push(`${pad(depth + 1)}[key: string]: unknown;`);
  const text = members.length === 0 ? "{}" : `{\n${members.join("\n")}\n${pad(depth)}}`;
  if (!object.alternatives?.length) return text;
  // Each alternative requires its properties; the base object documents them all.
  const byName = new Map(properties.map((p) => [p.name, p]));
  const alternatives = object.alternatives.map((names) => {
    const required = names.map((n) => `${propertyKey(n)}: ${typeOf(byName.get(n)!)}`);
    return required.length === 0 ? "{}" : `{ ${required.join("; ")} }`;
  });
  return `${text} & (${alternatives.join(" | ")})`;
}

/**
 * A member whose union type does not fit on its line, laid out as Prettier does: the union on the
 * next line when it fits there, else one `| member` per line; the same inside `Array<…>`.
 */
function brokenUnion(
  p: Property,
  pinned: boolean,
  nameOf: NameOf,
  depth: number,
): string | undefined {
  if (pinned) return undefined;
  const inner = pad(depth + 2);
  const lay = (members: string[], close: string): string => {
    const flat = `${inner}${members.join(" | ")}`;
    return flat.length + close.length <= PRINT_WIDTH
      ? `\n${flat}`
      : `\n${members.map((m) => `${inner}| ${m}`).join("\n")}`;
  };
  const texts = (t: TypeRef) =>
    t.kind === "union" ? t.members.map((m) => typeText(m, nameOf, depth + 2)) : undefined;
  if (p.type.kind === "union") {
    const members = texts(p.type)!;
    return lay(p.nullable ? [...members, "null"] : members, ";");
  }
  if (p.type.kind === "array" && p.type.items.kind === "union" && !p.nullable) {
    return ` Array<${lay(texts(p.type.items)!, "")}\n${pad(depth + 1)}>`;
  }
  return undefined;
}

/** One exported declaration per definition: an interface for objects, a type alias otherwise. */
export function definitionText(def: Definition, nameOf: NameOf): string {
  const doc = jsdoc(0, def.description);
  if (def.type.kind === "object") {
    const literals = def.gvk
      ? {
          apiVersion: def.gvk.group ? `${def.gvk.group}/${def.gvk.version}` : def.gvk.version,
          kind: def.gvk.kind,
        }
      : undefined;
    const hasStringMember = (name: string) =>
      def.type.kind === "object" &&
      def.type.properties.some((p) => p.name === name && p.type.kind === "string");
    const pinned =
      literals && hasStringMember("apiVersion") && hasStringMember("kind") ? literals : undefined;
    const body = objectText(def.type, nameOf, 0, pinned);
    return def.type.alternatives?.length
      ? `${doc}export type ${def.name} = ${body};\n`
      : `${doc}export interface ${def.name} ${body}\n`;
  }
  return `${doc}export type ${def.name} = ${typeText(def.type, nameOf, 0)};\n`;
}
