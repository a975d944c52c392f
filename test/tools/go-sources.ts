/**
 * Reads facts the published swagger.json leaves out from the Go sources of a Kubernetes release
 * (fetched through the Go module proxy, cached in the Go module cache):
 * - enums: the `Enum:` lists of pkg/generated/openapi (what a live server publishes);
 * - null fields: struct fields that encoding/json writes as `null` — a pointer, slice or map
 *   without `omitempty`/`omitzero`, or a `metav1.Time`/`MicroTime` value without `omitzero`
 *   (`omitempty` never omits a struct, and a zero Time marshals as `null`), unless the API marks
 *   the field required.
 */
import { execFile } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { SwaggerSpec } from "../../generator/spec.js";
import type { ReleaseEnums, ReleaseNullFields } from "../../generator/release-data.js";

const run = promisify(execFile);

/** The module folder of `module@version`, downloading it once through the Go module proxy. */
export async function goModuleDir(module: string, version: string): Promise<string> {
  const { stdout } = await run("go", ["mod", "download", "-json", `${module}@${version}`], {
    cwd: tmpdir(),
    env: { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? "local", GOFLAGS: "-mod=mod" },
    maxBuffer: 16 * 1024 * 1024,
  });
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (info.Error || !info.Dir) throw new Error(`${module}@${version}: ${info.Error ?? "no Dir"}`);
  return info.Dir;
}

const squash = (s: string) => s.replace(/[^A-Za-z0-9]/g, "").toLowerCase();

/** `io.k8s.api.core.v1.Pod` → Go package `k8s.io/api/core/v1` and type `Pod`. */
export function goTypeOf(id: string): { pkg: string; type: string } | undefined {
  const parts = id.split(".");
  if (parts[0] !== "io" || parts[1] !== "k8s" || parts.length < 5) return undefined;
  return { pkg: `k8s.io/${parts.slice(2, -1).join("/")}`, type: parts.at(-1)! };
}

export async function readEnums(
  spec: SwaggerSpec,
  kubernetesDir: string,
  kubernetesVersion: string,
): Promise<ReleaseEnums> {
  const text = await readFile(
    join(kubernetesDir, "pkg/generated/openapi/zz_generated.openapi.go"),
    "utf8",
  );
  const byType = new Map<string, string[]>();
  for (const id of Object.keys(spec.definitions)) {
    const go = goTypeOf(id);
    if (!go) continue;
    byType.set(go.type, [...(byType.get(go.type) ?? []), id]);
  }
  const enums: ReleaseEnums["enums"] = {};
  const functions = text.split(/^func schema_/m).slice(1);
  for (const fn of functions) {
    const m = /^(\w+)_([A-Z]\w*)\(ref common\.ReferenceCallback\)/.exec(fn);
    if (!m || !fn.includes("Enum:")) continue;
    const [, pkg, type] = m;
    const candidates = (byType.get(type) ?? []).filter((id) =>
      squash(goTypeOf(id)!.pkg).endsWith(squash(pkg)),
    );
    if (candidates.length !== 1) continue;
    const id = candidates[0];
    let propertyIndent = -1;
    let current: string | undefined;
    let inItems = false;
    let inAdditional = false;
    for (const line of fn.split("\n")) {
      const indent = line.length - line.trimStart().length;
      if (propertyIndent < 0 && /Properties: map\[string\]spec\.Schema\{$/.test(line)) {
        propertyIndent = indent + 1;
        continue;
      }
      const prop = /^\t*"([^"]+)": \{$/.exec(line);
      if (prop && indent === propertyIndent) {
        current = prop[1];
        inItems = false;
        inAdditional = false;
        continue;
      }
      if (!current) continue;
      if (/^\t*Items: &spec\.SchemaOrArray\{$/.test(line)) inItems = true;
      if (/^\t*AdditionalProperties: /.test(line)) inAdditional = true;
      const e = /^\t*Enum:\s+\[\]interface\{\}\{(.*)\},$/.exec(line);
      if (!e || inAdditional) continue;
      const values = JSON.parse(`[${e[1]}]`) as string[];
      const property = spec.definitions[id].properties?.[current];
      if (!property) continue;
      (enums[id] ??= {})[current] = inItems ? { items: values } : { values };
    }
  }
  return { kubernetesVersion, enums: sortKeys(enums) };
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [
        k,
        o[k] && typeof o[k] === "object" && !Array.isArray(o[k])
          ? sortKeys(o[k] as Record<string, unknown>)
          : o[k],
      ]),
  ) as Record<string, T>;
}

interface GoPackage {
  structs: Map<string, { name: string; type: string; json: string; options: string[] }[]>;
  /** Named types whose underlying type is a slice or a map. */
  nilable: Set<string>;
  imports: Map<string, string>;
}

export async function readNullFields(
  spec: SwaggerSpec,
  moduleDirs: Map<string, string>,
  kubernetesVersion: string,
): Promise<ReleaseNullFields> {
  const packages = new Map<string, GoPackage | null>();
  const load = async (pkg: string): Promise<GoPackage | null> => {
    if (packages.has(pkg)) return packages.get(pkg)!;
    const module = [...moduleDirs.keys()].find((m) => pkg === m || pkg.startsWith(m + "/"));
    const parsed = module
      ? await parsePackage(join(moduleDirs.get(module)!, pkg.slice(module.length))).catch(
          () => null,
        )
      : null;
    packages.set(pkg, parsed);
    return parsed;
  };
  const fields: ReleaseNullFields["fields"] = {};
  for (const id of Object.keys(spec.definitions).sort()) {
    const go = goTypeOf(id);
    const properties = spec.definitions[id].properties;
    if (!go || !properties) continue;
    const pkg = await load(go.pkg);
    const struct = pkg?.structs.get(go.type);
    if (!pkg || !struct) continue;
    const nulls: string[] = [];
    for (const f of struct) {
      // A field the API marks required is validated on every write, so the server never returns
      // null there (events.k8s.io/v1 eventTime is the exception, kept as a named fix-up).
      if (!properties[f.json] || spec.definitions[id].required?.includes(f.json)) continue;
      if (await writesNull(f, pkg, load)) nulls.push(f.json);
    }
    if (nulls.length) fields[id] = nulls.sort();
  }
  return { kubernetesVersion, fields };
}

async function writesNull(
  f: { type: string; options: string[] },
  pkg: GoPackage,
  load: (pkg: string) => Promise<GoPackage | null>,
): Promise<boolean> {
  const omitempty = f.options.includes("omitempty");
  const omitzero = f.options.includes("omitzero");
  const t = f.type;
  if (t.startsWith("*") || t.startsWith("[]") || t.startsWith("map["))
    return !omitempty && !omitzero;
  const selector = /^(\w+)\.(\w+)$/.exec(t);
  const name = selector ? selector[2] : t;
  const owner = selector ? await load(pkg.imports.get(selector[1]) ?? "") : pkg;
  const ownerPath = selector ? pkg.imports.get(selector[1]) : undefined;
  const isMeta = selector
    ? ownerPath === "k8s.io/apimachinery/pkg/apis/meta/v1"
    : pkg.structs.has("ObjectMeta");
  if (isMeta && (name === "Time" || name === "MicroTime")) return !omitzero;
  if (owner?.nilable.has(name)) return !omitempty && !omitzero;
  return false;
}

async function parsePackage(dir: string): Promise<GoPackage> {
  const pkg: GoPackage = { structs: new Map(), nilable: new Set(), imports: new Map() };
  const files = (await readdir(dir))
    .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"))
    .sort();
  for (const file of files) {
    const text = await readFile(join(dir, file), "utf8");
    for (const m of text.matchAll(/^import \(\n([\s\S]*?)^\)/gm))
      for (const line of m[1].split("\n")) {
        const im = /^\s*(?:(\w+)\s+)?"([^"]+)"/.exec(line);
        if (im) pkg.imports.set(im[1] ?? im[2].split("/").at(-1)!, im[2]);
      }
    for (const m of text.matchAll(/^import (?:(\w+) )?"([^"]+)"/gm))
      pkg.imports.set(m[1] ?? m[2].split("/").at(-1)!, m[2]);
    for (const m of text.matchAll(/^type (\w+) (\[\]|map\[)/gm)) pkg.nilable.add(m[1]);
    for (const m of text.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
      const fields: { name: string; type: string; json: string; options: string[] }[] = [];
      let depth = 0;
      for (const line of m[2].split("\n")) {
        if (depth > 0) {
          depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
          continue;
        }
        if (/struct \{\s*$/.test(line)) {
          depth = 1;
          continue;
        }
        const f = /^\t(\w+)\s+([^`\s][^`]*?)\s+`([^`]*)`/.exec(line);
        if (!f) continue;
        const tag = /json:"([^"]*)"/.exec(f[3]);
        if (!tag) continue;
        const [json, ...options] = tag[1].split(",");
        if (json === "-" || json === "") continue;
        fields.push({ name: f[1], type: f[2], json, options });
      }
      pkg.structs.set(m[1], fields);
    }
  }
  return pkg;
}
