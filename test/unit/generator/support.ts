/** Shared by the generator tests: reading an output tree, and running the CLI as a user would. */
import { readFile, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Every file under `dir`, by path relative to it. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else out.set(full.slice(dir.length + 1), await readFile(full, "utf8"));
    }
  }
  await walk(dir);
  return out;
}

export { cli } from "../../tools/kubegen-cli.js";
