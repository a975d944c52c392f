/** Shared by the generator tests: reading an output tree, and running the CLI as a user would. */
import { execFile } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const run = promisify(execFile);

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

/** `kubegen generate --quiet ARGS` from the project root; a failing exit is a result, not a throw. */
export function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(
    process.execPath,
    ["--import", "tsx", join(root, "generator/cli.ts"), "generate", "--quiet", ...args],
    { cwd: root },
  ).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}
