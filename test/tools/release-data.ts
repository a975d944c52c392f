/**
 * Writes the data files the generator reads for the pinned release (generator/data/):
 * the CRD base (operations, parameters and shared definitions for custom resources), and the
 * release's enums and null fields from its Go sources (see generator/release-data.ts).
 * `node --import tsx test/tools/release-data.ts` rewrites them; the unit test
 * test/unit/generator/release-data.test.ts fails when they differ from what this would write.
 */
import { readFile, writeFile } from "node:fs/promises";
import * as prettier from "prettier";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crdBaseModule, extractCrdBase } from "../../generator/crd-base.js";
import { fromRelease } from "../../generator/sources.js";
import { parseSpec } from "../../generator/spec.js";
import { goModuleDir, readEnums, readNullFields } from "./go-sources.js";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

export async function pinnedRelease(): Promise<string> {
  const meta = JSON.parse(await readFile(join(root, "generated/kubegen.json"), "utf8")) as {
    release: string;
  };
  return meta.release;
}

/** File (relative to the root) → expected text. */
export async function releaseDataFiles(): Promise<Map<string, string>> {
  const release = await pinnedRelease();
  const spec = await fromRelease(release, { cacheDir: join(root, ".cache") }, () => {});
  const parsed = parseSpec(spec.text);
  const staging = release.replace(/^v1\./, "v0.");
  const modules = new Map<string, string>();
  for (const m of ["api", "apimachinery", "kube-aggregator", "apiextensions-apiserver"])
    modules.set(`k8s.io/${m}`, await goModuleDir(`k8s.io/${m}`, staging));
  const enums = await readEnums(parsed, await goModuleDir("k8s.io/kubernetes", release), release);
  const nulls = await readNullFields(parsed, modules, release);
  const facts =
    "// Derived from the pinned Kubernetes release's Go sources by test/tools/release-data.ts.\n" +
    "// DO NOT EDIT.\n" +
    `export const RELEASE_ENUMS_DATA: unknown = ${JSON.stringify(enums, null, 2)};\n\n` +
    `export const RELEASE_NULL_FIELDS_DATA: unknown = ${JSON.stringify(nulls, null, 2)};\n`;
  const options = (await prettier.resolveConfig(join(root, "package.json"))) ?? {};
  const format = (text: string, file: string) =>
    prettier.format(text, { ...options, filepath: join(root, file) });
  const files = new Map<string, string>();
  for (const [file, text] of [
    ["generator/data/crd-base.ts", crdBaseModule(extractCrdBase(parsed, release))],
    ["generator/data/release-facts.ts", facts],
  ])
    files.set(file, await format(text, file));
  return files;
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  for (const [file, text] of await releaseDataFiles()) {
    await writeFile(join(root, file), text);
    process.stderr.write(`wrote ${file} (${text.length} bytes)\n`);
  }
}
