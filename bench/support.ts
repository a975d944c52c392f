/** What the sections of `npm run bench` share: child processes, statistics and the report's pieces. */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ClientName } from "./clients.js";
import { ROOT } from "./report.js";

export const WORK = join(ROOT, "bench", ".work");
export const JS = join(WORK, "js");

export const LABEL: Record<ClientName, string> = {
  undici: "raw undici",
  kubegen: "kubegen",
  "client-node": "client-node",
};

export type PerClient<T> = Record<ClientName, T[]>;
export const perClient = <T>(): PerClient<T> => ({ undici: [], kubegen: [], "client-node": [] });

export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Rotates the client order each repetition so no client always runs first or last. */
export function rotated<T>(xs: readonly T[], r: number): T[] {
  return xs.map((_, i) => xs[(i + r) % xs.length]);
}

/** A child's environment: no inherited loader flags, so every measured process runs plain node. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

interface Ran {
  stdout: string;
  wallMs: number;
}

export function run(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd,
      env: childEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - t0;
      if (code === 0) resolve({ stdout, wallMs });
      else reject(new Error(`node ${args.join(" ")} exited ${code}\n${stderr.slice(-2000)}`));
    });
  });
}

export async function runJson<T>(
  args: string[],
  env: Record<string, string> = {},
): Promise<T & { wallMs: number }> {
  const { stdout, wallMs } = await run(args, env);
  const last = stdout.trim().split("\n").pop() ?? "";
  return { ...(JSON.parse(last) as T), wallMs };
}

export function packageVersion(name: string, from = ROOT): string {
  const dir = packageDir(name, from);
  return dir
    ? (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version
    : "absent";
}

export function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "–";
export const ratio = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "–");
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function table(header: string[], rows: string[][]): string {
  const align = header.map((_, i) => (i === 0 ? "---" : "---:"));
  return [header, align, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

export interface Verdict {
  target: string;
  value: string;
  met: boolean;
  detail: string;
}

export function verdict(
  target: string,
  value: number,
  limit: number,
  show: (n: number) => string,
  unit = "",
): Verdict {
  const met = value <= limit;
  const detail = met
    ? `met, ${show(limit - value)}${unit} to spare`
    : `missed by ${show(value - limit)}${unit} (${fmt(((value - limit) / limit) * 100, 1)}% over)`;
  return { target, value: `${show(value)}${unit}`, met, detail };
}

/** The Results part of BENCHMARKS.md, which each section that ran adds to in turn. */
export interface Findings {
  sections: string[];
  verdicts: Verdict[];
  notes: string[];
}
