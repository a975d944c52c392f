/** Rendering the derived objects (YAML with call-site comments, or JSON) and `--check`. */
import { Document, isMap, isScalar, isSeq, parseAllDocuments, visit } from "yaml";
import type { Site } from "./analyze.js";
import { grants, roleObjects, ruleComment, siteText, type DerivedRoles } from "./rules.js";

const HEADER = "Derived by `kubegen rbac` from the program's calls; regenerate, do not edit.";

export function toYaml(d: DerivedRoles): string {
  return roleObjects(d)
    .map(({ object, rules }, i) => {
      const doc = new Document(object);
      if (i === 0) doc.commentBefore = ` ${HEADER}`;
      visit(doc, {
        Seq(_, node) {
          if (node.items.every((item) => isScalar(item))) node.flow = true;
        },
      });
      const seq = rules ? doc.get("rules", true) : undefined;
      if (rules && isSeq(seq)) {
        seq.items.forEach((item, j) => {
          if (isMap(item))
            item.commentBefore = ruleComment(rules[j])
              .map((l) => ` ${l}`)
              .join("\n");
        });
      }
      return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
    })
    .join("---\n");
}

/** JSON has no comments: the call sites go into an annotation on each Role and ClusterRole. */
export function toJson(d: DerivedRoles): string {
  const items = roleObjects(d).map(({ object, rules }) => {
    if (!rules) return object;
    const metadata = object.metadata as Record<string, unknown>;
    const sites = rules.map((r) => ruleComment(r).join("; ")).join("\n");
    return {
      ...object,
      metadata: { ...metadata, annotations: { "kubegen.io/call-sites": sites } },
    };
  });
  return `${JSON.stringify({ apiVersion: "v1", kind: "List", items }, null, 2)}\n`;
}

export interface Drift {
  /** Needed by the program, not granted by the file; with the call sites that need it. */
  missing: { grant: string; sites: Site[] }[];
  /** Granted by the file, not needed. */
  unneeded: string[];
}

/** The rules of every Role and ClusterRole in a YAML (multi-document) or JSON (List) text. */
export function grantsOfText(text: string, file: string): Set<string> {
  const objects: Record<string, unknown>[] = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const parsed = JSON.parse(text) as unknown;
    const list = Array.isArray(parsed)
      ? parsed
      : ((parsed as { items?: unknown[] }).items ?? [parsed]);
    objects.push(...(list as Record<string, unknown>[]));
  } else {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      const value = doc.toJS() as Record<string, unknown> | null;
      if (value) objects.push(value);
    }
  }
  const out = new Set<string>();
  for (const o of objects) {
    if (o.kind !== "Role" && o.kind !== "ClusterRole") continue;
    const ns = (o.metadata as { namespace?: string } | undefined)?.namespace;
    for (const rule of (o.rules as Record<string, unknown>[] | undefined) ?? [])
      for (const g of grants(o.kind, ns, rule)) out.add(g);
  }
  return out;
}

export function drift(d: DerivedRoles, committed: Set<string>): Drift {
  const needed = new Map<string, Site[]>();
  const add = (kind: string, ns: string | undefined, rules: DerivedRoles["clusterRules"]) => {
    for (const rule of rules)
      for (const verb of rule.verbs)
        for (const g of grants(kind, ns, { ...rule, verbs: [verb] }))
          needed.set(g, [...(needed.get(g) ?? []), ...rule.sites[verb]]);
  };
  for (const role of d.roles) add("Role", role.namespace, role.rules);
  add("ClusterRole", undefined, d.clusterRules);
  return {
    missing: [...needed.entries()]
      .filter(([g]) => !committed.has(g))
      .map(([grant, sites]) => ({ grant, sites }))
      .sort((a, b) => (a.grant < b.grant ? -1 : 1)),
    unneeded: [...committed].filter((g) => !needed.has(g)).sort(),
  };
}

export function driftText(file: string, result: Drift): string {
  const lines = [
    ...result.missing.map((m) => `missing   ${m.grant}  (${m.sites.map(siteText).join(", ")})`),
    ...result.unneeded.map((g) => `unneeded  ${g}`),
  ];
  return lines.length ? `${file} differs from what the program needs:\n${lines.join("\n")}\n` : "";
}
