/** Turns the model into files: `<group>/<version>/{models,operations,permissions,resources,index}.ts`. */
import type { ApiModel, Definition, Module } from "./ir.js";
import { fit, header } from "../templates/layout.js";
import {
  RUNTIME_TYPES,
  RUNTIME_VALUES,
  operationText,
  planQueries,
  sharedQueryText,
} from "../templates/operations.js";
import { manifestsText } from "../templates/manifests.js";
import { connectFileText } from "../templates/connect.js";
import { permissionsText } from "../templates/permissions.js";
import { resourcesText } from "../templates/resources.js";
import { definitionText, type NameOf } from "../templates/types.js";

export interface EmitOptions {
  /**
   * How generated files import the runtime. A relative specifier (`./…`, `../…`) is taken relative
   * to the output folder; anything else (`kubegen/runtime`) is used as written.
   */
  runtime: string;
  /** Leave out the `// @ts-nocheck` line, so the user's tsc checks the generated code too. */
  typeCheckOutput?: boolean;
}

/** Relative path → file text. */
export type FileSet = Map<string, string>;

/** Imports gathered while a file is written; names that clash with locals get a module prefix. */
class Imports {
  private readonly bySource = new Map<string, Map<string, string>>();
  private readonly taken: Set<string>;

  constructor(locals: Iterable<string>) {
    this.taken = new Set(locals);
  }

  add(source: string, name: string, aliasPrefix: string): string {
    const names = this.bySource.get(source) ?? new Map<string, string>();
    this.bySource.set(source, names);
    const existing = names.get(name);
    if (existing) return existing;
    let local = name;
    if (this.taken.has(local)) local = aliasPrefix + name;
    for (let i = 2; this.taken.has(local); i++) local = `${aliasPrefix}${name}${i}`;
    this.taken.add(local);
    names.set(name, local);
    return local;
  }

  text(typeOnly: boolean): string {
    const lines: string[] = [];
    for (const source of [...this.bySource.keys()].sort()) {
      const names = [...this.bySource.get(source)!.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, local]) => (name === local ? name : `${name} as ${local}`));
      const keyword = typeOnly ? "import type " : "import ";
      lines.push(fit(0, keyword, names, ` from ${JSON.stringify(source)};`, "{ ", " }"));
    }
    return lines.length ? lines.join("\n") + "\n" : "";
  }
}

function modulePrefix(key: string): string {
  return key
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

function runtimeSpecifier(options: EmitOptions): string {
  // Files sit two folders below the output folder (<group>/<version>/file.ts).
  return options.runtime.startsWith(".")
    ? `../../${options.runtime.replace(/^\.\//, "")}`
    : options.runtime;
}

/** `kubegen/runtime` → `kubegen/streams`; `…/runtime/index.js` → `…/runtime/streams/index.js`. */
function streamsSpecifier(runtime: string): string {
  if (runtime.endsWith("/runtime")) return runtime.replace(/\/runtime$/, "/streams");
  return runtime.replace(/index\.js$/, "streams/index.js");
}

export function emit(model: ApiModel, options: EmitOptions): FileSet {
  const files: FileSet = new Map();
  const top = header(model.provenance, options);
  const runtime = runtimeSpecifier(options);

  const modelsOf = (
    from: Module,
    imports: Imports,
    sameModuleSource: string | undefined,
  ): NameOf => {
    return (id) => {
      const def: Definition | undefined = model.definitions.get(id);
      if (!def) throw new Error(`internal: no definition ${id}`);
      if (def.module === from.key) {
        return sameModuleSource ? imports.add(sameModuleSource, def.name, "") : def.name;
      }
      return imports.add(`../../${def.module}/models.js`, def.name, modulePrefix(def.module));
    };
  };

  for (const mod of model.modules) {
    const dir = mod.key;
    const exported: string[] = [];

    if (mod.definitions.length > 0) {
      const imports = new Imports(mod.definitions.map((d) => d.name));
      const nameOf = modelsOf(mod, imports, undefined);
      const body = mod.definitions.map((d) => definitionText(d, nameOf)).join("\n");
      files.set(`${dir}/models.ts`, `${top}${sectionBreak(imports.text(true))}${body}`);
      exported.push("models");
    }

    if (mod.operations.length > 0) {
      const locals: string[] = [...RUNTIME_VALUES, ...RUNTIME_TYPES];
      for (const op of mod.operations) {
        const base = op.name.charAt(0).toUpperCase() + op.name.slice(1);
        locals.push(op.name, `${base}Params`, `${base}Query`);
        if (op.listItem)
          locals.push(op.name.replace(/^list/, "watch"), op.name.replace(/^list/, "paginate"));
      }
      const plan = planQueries(mod.operations);
      locals.push(...plan.shared.map((s) => s.name));
      const imports = new Imports(locals);
      const nameOf = modelsOf(mod, imports, "./models.js");
      const uses = new Set<string>();
      const sharedText = sharedQueryText(mod.key, plan.shared, nameOf);
      const bodies = mod.operations.map((op) => {
        const out = operationText(op, nameOf, plan.byOperation.get(op.name));
        out.uses.forEach((u) => uses.add(u));
        return out.text;
      });
      const runtimeTypes = new Imports([]);
      const runtimeValues = new Imports([]);
      for (const name of [...uses].sort()) {
        if ((RUNTIME_VALUES as readonly string[]).includes(name))
          runtimeValues.add(runtime, name, "");
        else runtimeTypes.add(runtime, name, "");
      }
      const importText = runtimeTypes.text(true) + runtimeValues.text(false) + imports.text(true);
      const text = [sharedText, ...bodies].filter(Boolean).join("\n");
      files.set(`${dir}/operations.ts`, `${top}${sectionBreak(importText)}${text}`);
      exported.push("operations");
      // Read by `kubegen rbac`, not re-exported: callers import functions, not this table.
      files.set(`${dir}/permissions.ts`, `${top}\n${permissionsText(mod.key, mod.operations)}`);
    }

    if (mod.resources.length > 0) {
      const importText = `import type { ResourceInfo } from ${JSON.stringify(runtime)};\n`;
      files.set(
        `${dir}/resources.ts`,
        `${top}\n${importText}\n${resourcesText(mod.key, mod.resources)}`,
      );
      exported.push("resources");
    }

    if (mod.connect.length > 0) {
      // Its own folder, not re-exported: importing the group/version never loads the streams.
      const deeper = (spec: string) => (spec.startsWith("../../") ? `../${spec}` : spec);
      files.set(
        `${dir}/streams/index.ts`,
        `${top}${connectFileText(mod.connect, deeper(runtime), deeper(streamsSpecifier(runtime)))}`,
      );
    }

    const reexports = exported.map((f) => `export * from "./${f}.js";`).join("\n");
    files.set(`${dir}/index.ts`, `${top}\n${reexports}\n`);
  }
  const manifests = manifestsText(model, modulePrefix);
  if (manifests) files.set("manifests.ts", `${top}\n${manifests}`);
  return files;
}

/** A blank line after the header, then imports (if any) followed by a blank line. */
function sectionBreak(imports: string): string {
  return imports ? `\n${imports}\n` : "\n";
}
