/** `kubegen generate` as a user runs it, from the project root, for the unit and e2e tests. */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);

/**
 * `kubegen generate --quiet ARGS` from the project root (`quiet: false` keeps the progress lines
 * on stderr; `env` replaces the environment); a failing exit is a result, not a throw.
 */
export function cli(
  args: string[],
  { env = process.env, quiet = true }: { env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(
    process.execPath,
    [
      "--import",
      "tsx",
      join(root, "generator/cli.ts"),
      "generate",
      ...(quiet ? ["--quiet"] : []),
      ...args,
    ],
    { cwd: root, env },
  ).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}
