/**
 * `kubegen diff`: what changes for a program between two API models (two releases, spec files,
 * CRD sets or output trees): group/versions, operations, models and fields added or removed,
 * fields whose type or requiredness changed, versions newly deprecated.
 */
import type { ApiModel, Definition, TypeRef } from "./ir.js";

export type ChangeKind = "added" | "removed" | "changed" | "deprecated";

export interface Change {
  kind: ChangeKind;
  what: "version" | "operation" | "model" | "field";
  /** `apps/v1`, `apps/v1 listNamespacedDeployment`, `apps/v1 Deployment`, `apps/v1 DeploymentSpec.replicas`. */
  name: string;
  /** For changed fields: before → after. */
  from?: string;
  to?: string;
}

export interface ApiDiff {
  from: string;
  to: string;
  changes: Change[];
}

/** A readable, stable text for a type; references by their short name and module. */
function typeString(type: TypeRef, model: ApiModel): string {
  switch (type.kind) {
    case "ref": {
      const def = model.definitions.get(type.id);
      return def ? def.name : type.id;
    }
    case "literal":
      return JSON.stringify(type.value);
    case "array": {
      const item = typeString(type.items, model);
      return item.includes(" ") ? `Array<${item}>` : `${item}[]`;
    }
    case "map":
      return `Record<string, ${typeString(type.values, model)}>`;
    case "union":
      return type.members
        .map((m) => typeString(m, model))
        .sort()
        .join(" | ");
    case "object":
      return type.open ? "object (open)" : "object";
    case "intOrString":
      return "number | string";
    case "record":
      return "Record<string, unknown>";
    default:
      return type.kind;
  }
}

interface FieldInfo {
  type: string;
  required: boolean;
}

/** Fields of a definition by dotted path, descending into inline objects (CRD schemas). */
function fields(def: Definition, model: ApiModel): Map<string, FieldInfo> {
  const out = new Map<string, FieldInfo>();
  const walk = (type: TypeRef, prefix: string): void => {
    if (type.kind === "array") return walk(type.items, `${prefix}[]`);
    if (type.kind === "map") return walk(type.values, `${prefix}{}`);
    if (type.kind !== "object") return;
    for (const p of type.properties) {
      const path = prefix ? `${prefix}.${p.name}` : p.name;
      out.set(path, {
        type: typeString(p.type, model) + (p.nullable ? " | null" : ""),
        required: p.required,
      });
      walk(p.type, path);
    }
  };
  walk(def.type, "");
  return out;
}

const isDeprecated = (def: Definition) => /(^|\n)@deprecated\b/.test(def.description ?? "");

export function diffModels(before: ApiModel, after: ApiModel): ApiDiff {
  const changes: Change[] = [];
  const versions = (m: ApiModel) =>
    new Map(m.modules.filter((x) => x.operations.length > 0).map((x) => [x.key, x]));
  const vb = versions(before);
  const va = versions(after);
  for (const key of vb.keys())
    if (!va.has(key)) changes.push({ kind: "removed", what: "version", name: key });
  for (const key of va.keys())
    if (!vb.has(key)) changes.push({ kind: "added", what: "version", name: key });

  const operations = (m: ApiModel) =>
    new Set(m.modules.flatMap((x) => x.operations.map((o) => `${x.key} ${o.name}`)));
  const ob = operations(before);
  const oa = operations(after);
  for (const name of ob)
    if (!oa.has(name)) changes.push({ kind: "removed", what: "operation", name });
  for (const name of oa)
    if (!ob.has(name)) changes.push({ kind: "added", what: "operation", name });

  const defs = (m: ApiModel) =>
    new Map([...m.definitions.values()].map((d) => [`${d.module} ${d.name}`, d]));
  const db = defs(before);
  const da = defs(after);
  for (const [name, def] of db) {
    const next = da.get(name);
    if (!next) {
      changes.push({ kind: "removed", what: "model", name });
      continue;
    }
    if (!isDeprecated(def) && isDeprecated(next))
      changes.push({ kind: "deprecated", what: "model", name });
    const fb = fields(def, before);
    const fa = fields(next, after);
    for (const [path, f] of fb) {
      const g = fa.get(path);
      const field = `${name}.${path}`;
      if (!g) changes.push({ kind: "removed", what: "field", name: field });
      else if (f.type !== g.type)
        changes.push({ kind: "changed", what: "field", name: field, from: f.type, to: g.type });
      else if (f.required !== g.required)
        changes.push({
          kind: "changed",
          what: "field",
          name: field,
          from: f.required ? "required" : "optional",
          to: g.required ? "required" : "optional",
        });
    }
    for (const path of fa.keys())
      if (!fb.has(path)) changes.push({ kind: "added", what: "field", name: `${name}.${path}` });
  }
  for (const name of da.keys())
    if (!db.has(name)) changes.push({ kind: "added", what: "model", name });

  const order: Record<ChangeKind, number> = { removed: 0, changed: 1, deprecated: 2, added: 3 };
  changes.sort(
    (a, b) =>
      order[a.kind] - order[b.kind] ||
      a.what.localeCompare(b.what) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return {
    from: `${before.provenance.source} (${before.provenance.kubernetesVersion})`,
    to: `${after.provenance.source} (${after.provenance.kubernetesVersion})`,
    changes,
  };
}

const SIGN: Record<ChangeKind, string> = {
  removed: "-",
  changed: "~",
  deprecated: "!",
  added: "+",
};

/** One line per change, grouped by kind, with a summary line first. */
export function diffText(diff: ApiDiff): string {
  const count = (k: ChangeKind) => diff.changes.filter((c) => c.kind === k).length;
  const lines = [
    `kubegen diff ${diff.from} → ${diff.to}: ${count("removed")} removed, ${count("changed")} changed, ${count("deprecated")} deprecated, ${count("added")} added`,
  ];
  for (const c of diff.changes) {
    const detail = c.from !== undefined ? `: ${c.from} → ${c.to}` : "";
    lines.push(`${SIGN[c.kind]} ${c.kind} ${c.what} ${c.name}${detail}`);
  }
  return lines.join("\n") + "\n";
}

export const FAIL_ON = ["removed", "changed", "deprecated", "added", "any"] as const;

/** Whether a diff fails the run for `--fail-on` (a comma-separated list of FAIL_ON). */
export function failsOn(diff: ApiDiff, failOn: string[]): boolean {
  return diff.changes.some((c) => failOn.includes("any") || failOn.includes(c.kind));
}
