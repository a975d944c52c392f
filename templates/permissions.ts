/** The permission table of one group/version: what each generated function asks the server for. */
import type { Operation } from "../generator/ir.js";
import { permissionRows, type Permission } from "../generator/permissions.js";
import { fit, jsdoc } from "./layout.js";

function fields(p: Permission): string[] {
  const out = [`verbs: [${p.verbs.map((v) => JSON.stringify(v)).join(", ")}]`];
  if (p.nonResourceURL !== undefined)
    out.push(`nonResourceURL: ${JSON.stringify(p.nonResourceURL)}`);
  if (p.group !== undefined) out.push(`group: ${JSON.stringify(p.group)}`);
  if (p.resource !== undefined) out.push(`resource: ${JSON.stringify(p.resource)}`);
  if (p.namespaced !== undefined) out.push(`namespaced: ${p.namespaced}`);
  return out;
}

export function permissionsText(moduleKey: string, operations: Operation[]): string {
  const rows = operations
    .flatMap(permissionRows)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, p]) => fit(1, `${name}: `, fields(p), ",", "{ ", " }"));
  return (
    jsdoc(
      0,
      `What each function of ${moduleKey} asks the API server for: RBAC verbs, API group, resource (with subresource) and whether the request is namespaced, or a non-resource URL. \`kubegen rbac\` reads this table.`,
    ) + `export const permissions = {\n${rows.join("\n")}\n} as const;\n`
  );
}
