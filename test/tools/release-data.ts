/**
 * Writes the data files the generator reads for the pinned release (generator/data/):
 * the CRD base (operations, parameters and shared definitions for custom resources).
 * `node --import tsx test/tools/release-data.ts` rewrites them; the unit test
 * test/unit/generator/release-data.test.ts fails when they differ from what this would write.
 */
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crdBaseModule, extractCrdBase } from "../../generator/crd-base.js";
import { fromRelease } from "../../generator/sources.js";
import { parseSpec } from "../../generator/spec.js";

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
  return new Map([["generator/data/crd-base.ts", crdBaseModule(extractCrdBase(parsed, release))]]);
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  for (const [file, text] of await releaseDataFiles()) {
    await writeFile(join(root, file), text);
    process.stderr.write(`wrote ${file} (${text.length} bytes)\n`);
  }
}
