/**
 * The all-groups kind index and the typed union of known objects (`OUT/manifests.ts`), which
 * `kubegen/manifests` uses to resolve a manifest's apiVersion/kind to its path without discovery.
 */
import type { ApiModel, Definition } from "../generator/ir.js";
import { PRINT_WIDTH, jsdoc, pad, propertyKey } from "./layout.js";

function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `= A | B;` laid out as Prettier lays out a type alias's union. */
function unionText(types: string[]): string {
  const flat = types.join(" | ");
  if (`export type KnownManifest = ${flat};`.length <= PRINT_WIDTH) return ` ${flat}`;
  if (`${pad(1)}${flat};`.length <= PRINT_WIDTH) return `\n${pad(1)}${flat}`;
  return types.map((t) => `\n${pad(1)}| ${t}`).join("");
}

/**
 * The file's text after the header, or undefined when the model has no resources. `alias` names
 * the namespace import of a module's models (`apps/v1` → `AppsV1`).
 */
export function manifestsText(
  model: ApiModel,
  alias: (moduleKey: string) => string,
): string | undefined {
  const byGvk = new Map<string, Definition>();
  for (const def of model.definitions.values()) {
    if (def.gvk) byGvk.set(`${def.gvk.group}/${def.gvk.version}/${def.gvk.kind}`, def);
  }
  const byApiVersion = new Map<string, string[]>();
  const members: { alias: string; name: string }[] = [];
  const aliases = new Map<string, string>();
  for (const mod of model.modules) {
    for (const r of mod.resources) {
      const apiVersion = apiVersionOf(r.group, r.version);
      const entries = byApiVersion.get(apiVersion) ?? [];
      byApiVersion.set(apiVersion, entries);
      const entry = `${propertyKey(r.kind)}: [${JSON.stringify(r.plural)}, ${r.namespaced}],`;
      entries.push(pad(2) + entry);
      const def = byGvk.get(`${r.group}/${r.version}/${r.kind}`);
      if (!def) continue;
      aliases.set(def.module, alias(def.module));
      members.push({ alias: alias(def.module), name: def.name });
    }
  }
  if (byApiVersion.size === 0) return undefined;

  const imports = [...aliases.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([module, name]) => `import type * as ${name} from "./${module}/models.js";\n`)
    .join("");
  const index = [...byApiVersion.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([apiVersion, entries]) => {
      const sorted = [...entries].sort(cmp);
      return `${pad(1)}${propertyKey(apiVersion)}: {\n${sorted.join("\n")}\n${pad(1)}},`;
    })
    .join("\n");
  const union = unionText(members.map((m) => `${m.alias}.${m.name}`).sort(cmp));
  return [
    imports ? `${imports}\n` : "",
    "/** Where a kind lives: its plural (the path segment) and whether it is namespaced. */\n",
    "export type KindEntry = readonly [plural: string, namespaced: boolean];\n\n",
    jsdoc(
      0,
      "Every kind the generated groups serve, by apiVersion. `kubegen/manifests` resolves\nmanifests with it; kinds missing here (custom resources) are looked up by discovery.",
    ),
    "export const kinds: Readonly<Record<string, Readonly<Record<string, KindEntry>>>> = {\n",
    `${index}\n};\n`,
    members.length
      ? `\n/** The objects the generated groups know, told apart by \`apiVersion\` and \`kind\`. */\nexport type KnownManifest =${union};\n`
      : "\n/** The objects the generated groups know (none in this spec). */\nexport type KnownManifest = never;\n",
  ].join("");
}
