/** The resource registry of one group/version. */
import type { Resource } from "../generator/ir.js";
import { fit, jsdoc, pad } from "./layout.js";

function strings(values: string[]): string[] {
  return values.map((v) => JSON.stringify(v));
}

export function resourcesText(moduleKey: string, resources: Resource[]): string {
  const entries = resources.map((r) =>
    [
      `${pad(1)}{`,
      `${pad(2)}group: ${JSON.stringify(r.group)},`,
      `${pad(2)}version: ${JSON.stringify(r.version)},`,
      `${pad(2)}kind: ${JSON.stringify(r.kind)},`,
      `${pad(2)}plural: ${JSON.stringify(r.plural)},`,
      `${pad(2)}namespaced: ${r.namespaced},`,
      fit(2, "verbs: ", strings(r.verbs), ",", "[", "]"),
      fit(2, "subresources: ", strings(r.subresources), ",", "[", "]"),
      `${pad(1)}},`,
    ].join("\n"),
  );
  return (
    jsdoc(0, `The resources ${moduleKey} serves: kind, plural, scope, verbs and subresources.`) +
    `export const resources: readonly ResourceInfo[] = [\n${entries.join("\n")}\n];\n`
  );
}
