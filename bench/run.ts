/**
 * `npm run bench [-- --quick] [-- --no-rooms] [-- --only runtime,memory,cold,generate,typecheck,size]`
 *
 * kubegen next to raw undici and @kubernetes/client-node, in one run, against a local HTTPS server
 * in its own process. Prints the results and, when every section ran, writes BENCHMARKS.md and then
 * runs every room in bench/rooms/ (each rewrites only its own marked section; see bench/report.ts).
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { bundleRuntime } from "../packaging/bundle-runtime.js";
import * as esbuild from "esbuild";
import { CLIENTS, type ClientName } from "./clients.js";
import { roomSections } from "./report.js";
import { makePod } from "./fixtures.js";
import type { Job, ListResult, MemoryResult, Scenario, Throughput } from "./worker.js";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const WORK = join(ROOT, "bench", ".work");
const JS = join(WORK, "js");
const SECTIONS = ["runtime", "memory", "cold", "generate", "typecheck", "size"] as const;
type Section = (typeof SECTIONS)[number];

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
/** Rewrites the main part only; the rooms' sections stay as they are. */
const noRooms = argv.includes("--no-rooms");
const onlyAt = argv.findIndex((a) => a === "--only" || a.startsWith("--only="));
const onlyValue =
  onlyAt === -1
    ? undefined
    : argv[onlyAt].startsWith("--only=")
      ? argv[onlyAt].slice(7)
      : argv[onlyAt + 1];
const only = onlyValue === undefined ? undefined : new Set(onlyValue.split(","));
for (const s of only ?? [])
  if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section ${s}`);
const runs = (s: Section) => !only || only.has(s);

const SETTINGS = quick
  ? {
      runtimeReps: 2,
      durationMs: 600,
      warmMs: 200,
      listRepeats: 3,
      memReps: 1,
      coldReps: 5,
      genReps: 3,
      tscReps: 3,
    }
  : {
      runtimeReps: 5,
      durationMs: 1200,
      warmMs: 300,
      listRepeats: 5,
      memReps: 3,
      coldReps: 21,
      genReps: 5,
      tscReps: 5,
    };
const LIST_PODS = 5_000;
const PAGINATE_PODS = 50_000;
const WATCH_EVENTS = 50_000;
const PAGE_SIZE = 500;
/** kubegen's default page size; a run at PAGE_SIZE shows the growth follows the page size. */
const SMALL_PAGE = 100;
const KUBERNETES = "1.36.3";
const podSize = JSON.stringify(makePod(1)).length;
const CACHE_DIR = process.env.KUBEGEN_CACHE_DIR ?? join(ROOT, ".cache");

const LABEL: Record<ClientName, string> = {
  undici: "raw undici",
  kubegen: "kubegen",
  "client-node": "client-node",
};

// ───────────────────────────── helpers ─────────────────────────────

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Rotates the client order each repetition so no client always runs first or last. */
function rotated<T>(xs: readonly T[], r: number): T[] {
  return xs.map((_, i) => xs[(i + r) % xs.length]);
}

/** A child's environment: no inherited loader flags, so every measured process runs plain node. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

interface Ran {
  stdout: string;
  wallMs: number;
}

function run(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Ran> {
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

async function runJson<T>(
  args: string[],
  env: Record<string, string> = {},
): Promise<T & { wallMs: number }> {
  const { stdout, wallMs } = await run(args, env);
  const last = stdout.trim().split("\n").pop() ?? "";
  return { ...(JSON.parse(last) as T), wallMs };
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "–";
const ratio = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "–");
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function table(header: string[], rows: string[][]): string {
  const align = header.map((_, i) => (i === 0 ? "---" : "---:"));
  return [header, align, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

function packageVersion(name: string, from = ROOT): string {
  const dir = packageDir(name, from);
  return dir
    ? (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version
    : "absent";
}

function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

// ───────────────────────────── setup ─────────────────────────────

function machine() {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
  } catch {
    // Not a checkout.
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    nproc: os.availableParallelism(),
    cpu: model,
    ramGb: os.totalmem() / 1024 ** 3,
    node: process.version,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    loadStart: os.loadavg(),
    commit,
    versions: {
      undici: packageVersion("undici"),
      yaml: packageVersion("yaml"),
      clientNode: packageVersion("@kubernetes/client-node"),
      clientNodeUndici: packageVersion(
        "undici",
        packageDir("@kubernetes/client-node", ROOT) ?? ROOT,
      ),
      typescript: packageVersion("typescript"),
      esbuild: esbuild.version,
    },
  };
}

/** RSA 2048, as kubeadm issues for API servers; the client verifies it against this self-signed cert. */
function ensureCert(): { cert: string; key: string } {
  const cert = join(WORK, "cert.pem");
  const key = join(WORK, "key.pem");
  if (!existsSync(cert) || !existsSync(key)) {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "3650",
        "-subj",
        "/CN=kubegen-bench",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: "ignore" },
    );
  }
  return { cert, key };
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => join(ROOT, dir, f));
}

/**
 * Measured processes run compiled JavaScript, as an installed package would: one module per file
 * (what tsc emits), then the runtime's entries bundled exactly as `npm run build` ships them
 * (packaging/bundle-runtime.ts). Layout mirrors the repository.
 */
async function compile(): Promise<void> {
  const bench = ["fixtures", "clients", "worker", "server", "cold-start", "gen-phases"].map((f) =>
    join(ROOT, "bench", `${f}.ts`),
  );
  await esbuild.build({
    entryPoints: [
      ...tsFiles("runtime"),
      ...tsFiles("generator"),
      ...tsFiles("templates"),
      ...tsFiles("generated"),
      ...bench,
    ],
    outdir: JS,
    outbase: ROOT,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "error",
  });
  await bundleRuntime(join(JS, "runtime"));
}

function startServer(cert: string, key: string): Promise<{ server: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(JS, "bench/server.js"), cert, key], {
      env: childEnv(),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c;
      const nl = out.indexOf("\n");
      if (nl !== -1)
        resolve({
          server: `https://127.0.0.1:${(JSON.parse(out.slice(0, nl)) as { port: number }).port}`,
          child,
        });
    });
    child.on("exit", (code) => reject(new Error(`test server exited ${code}`)));
  });
}

// ───────────────────────────── sections ─────────────────────────────

type PerClient<T> = Record<ClientName, T[]>;
const perClient = <T>(): PerClient<T> => ({ undici: [], kubegen: [], "client-node": [] });

function job(client: ClientName, mode: Job["mode"], server: string, caFile: string): Job {
  return {
    client,
    mode,
    server,
    caFile,
    durationMs: SETTINGS.durationMs,
    warmMs: SETTINGS.warmMs,
    listRepeats: SETTINGS.listRepeats,
    watchEvents: WATCH_EVENTS,
    listPods: LIST_PODS,
    paginatePods: PAGINATE_PODS,
    pageSize: PAGE_SIZE,
  };
}

interface RuntimeResults {
  getSeq: PerClient<Throughput>;
  get32: PerClient<Throughput>;
  create: PerClient<Throughput>;
  watch: PerClient<Throughput>;
  list: PerClient<ListResult>;
}

/** Scenario by scenario, repetition by repetition, client by client: neighbours in time share the machine's mood. */
async function runtimeSection(server: string, caFile: string): Promise<RuntimeResults> {
  const out: RuntimeResults = {
    getSeq: perClient(),
    get32: perClient(),
    create: perClient(),
    watch: perClient(),
    list: perClient(),
  };
  for (const scenario of Object.keys(out) as Scenario[]) {
    for (let r = 0; r < SETTINGS.runtimeReps; r++) {
      progress(`${scenario} ${r + 1}/${SETTINGS.runtimeReps}`);
      for (const client of rotated(CLIENTS, r)) {
        const j = job(client, scenario, server, caFile);
        const result = await runJson<Throughput & ListResult>([join(JS, "bench/worker.js")], {
          BENCH_JOB: JSON.stringify(j),
        });
        (out[scenario][client] as unknown[]).push(result);
      }
    }
  }
  return out;
}

async function memorySection(server: string, caFile: string) {
  const list = perClient<MemoryResult>();
  const paginate = perClient<MemoryResult>();
  const paginateSmall = perClient<MemoryResult>();
  const plan = [
    ["mem-list", PAGE_SIZE, list],
    ["mem-paginate", PAGE_SIZE, paginate],
    ["mem-paginate", SMALL_PAGE, paginateSmall],
  ] as const;
  for (let r = 0; r < SETTINGS.memReps; r++) {
    for (const client of rotated(CLIENTS, r)) {
      progress(`memory ${r + 1}/${SETTINGS.memReps}: ${client}`);
      for (const [mode, pageSize, into] of plan) {
        const j = { ...job(client, mode, server, caFile), pageSize };
        into[client].push(
          await runJson<MemoryResult>([join(JS, "bench/worker.js")], {
            BENCH_JOB: JSON.stringify(j),
          }),
        );
      }
    }
  }
  return { list, paginate, paginateSmall };
}

interface Cold {
  importMs: number;
  totalMs: number;
  sinceProcessStartMs: number;
  wallMs: number;
}

async function coldSection(server: string, caFile: string): Promise<PerClient<Cold>> {
  const out = perClient<Cold>();
  const once = (client: ClientName) =>
    runJson<Cold>([join(JS, "bench/cold-start.js")], {
      BENCH_COLD: JSON.stringify({ client, server, caFile }),
    });
  // Unmeasured: fills the file cache for each client's modules.
  for (const client of CLIENTS) await once(client);
  for (let r = 0; r < SETTINGS.coldReps; r++) {
    progress(`cold start ${r + 1}/${SETTINGS.coldReps}`);
    for (const client of rotated(CLIENTS, r)) out[client].push(await once(client));
  }
  return out;
}

function sameTree(a: string, b: string): { same: number; differ: string[] } {
  const files = (root: string) =>
    readdirSync(root, { recursive: true, encoding: "utf8" })
      .filter((f) => statSync(join(root, f)).isFile())
      .sort();
  const fa = files(a);
  const fb = new Set(files(b));
  const differ: string[] = [];
  let same = 0;
  for (const f of fa) {
    if (fb.has(f) && readFileSync(join(a, f)).equals(readFileSync(join(b, f)))) same++;
    else differ.push(f);
    fb.delete(f);
  }
  return { same, differ: [...differ, ...fb] };
}

async function generateSection() {
  const cacheDir = CACHE_DIR;
  const outDir = join(WORK, "gen-out");
  const cliArgs = [
    "generate",
    "--kubernetes",
    KUBERNETES,
    "--cache-dir",
    cacheDir,
    "--out",
    outDir,
    "--runtime",
    "../runtime/index.js",
    "--quiet",
  ];
  const compiledCli = [join(JS, "generator/cli.js"), ...cliArgs];
  const tsxCli = ["--import", "tsx", "generator/cli.ts", ...cliArgs];
  progress("generation: warm-up (and spec cache)");
  await run(compiledCli);
  const identical = sameTree(outDir, join(ROOT, "generated"));
  const compiled: number[] = [];
  const viaTsx: number[] = [];
  const phases: {
    phases: Record<string, number>;
    totalMs: number;
    sinceProcessStartMs: number;
    wallMs: number;
  }[] = [];
  for (let r = 0; r < SETTINGS.genReps; r++) {
    progress(`generation ${r + 1}/${SETTINGS.genReps}`);
    compiled.push((await run(compiledCli)).wallMs);
    viaTsx.push((await run(tsxCli)).wallMs);
    phases.push(await runJson([join(JS, "bench/gen-phases.js"), cacheDir, outDir, KUBERNETES]));
  }
  return { compiled, viaTsx, phases, identical };
}

const APPS: { client: ClientName; file: string }[] = [
  { client: "undici", file: "undici" },
  { client: "kubegen", file: "kubegen" },
  { client: "client-node", file: "client-node" },
];

const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

/**
 * bench/apps/kubegen.ts as it sits in an application: the generated tree in the project (.ts, generated
 * with `--runtime kubegen/runtime`), the runtime from the installed package (.d.ts, which skipLibCheck skips).
 * Returns the tsconfig to check.
 */
async function installedLayout(): Promise<string> {
  const dir = join(WORK, "installed");
  rmSync(dir, { recursive: true, force: true });
  const pkg = join(dir, "node_modules", "kubegen");
  mkdirSync(pkg, { recursive: true });
  const rootConfig = relative(dir, join(ROOT, "tsconfig.json"));
  const runtimeDir = relative(dir, join(ROOT, "runtime"));
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({
      name: "kubegen",
      type: "module",
      exports: {
        "./runtime": { types: "./dist/runtime/index.d.ts", default: "./dist/runtime/index.js" },
      },
    }),
  );
  writeFileSync(
    join(dir, "tsconfig.decl.json"),
    JSON.stringify({
      extends: rootConfig,
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        rootDir: runtimeDir,
        outDir: "node_modules/kubegen/dist/runtime",
      },
      // `kubegen/runtime` only: the other entry points (manifests, streams, controller) live in
      // subfolders, and manifests imports the generated kind index.
      include: [join(runtimeDir, "*.ts")],
      exclude: [],
    }),
  );
  await run([TSC, "-p", join(dir, "tsconfig.decl.json")]);
  await run([
    join(JS, "generator/cli.js"),
    "generate",
    "--kubernetes",
    KUBERNETES,
    "--cache-dir",
    CACHE_DIR,
    "--out",
    join(dir, "generated"),
    "--runtime",
    "kubegen/runtime",
    "--quiet",
  ]);
  const app = readFileSync(join(ROOT, "bench/apps/kubegen.ts"), "utf8")
    .replace('"../../runtime/index.js"', '"kubegen/runtime"')
    .replaceAll('"../../generated/', '"./generated/');
  writeFileSync(join(dir, "app.ts"), app);
  // The application's own package scope: without it, the repository's package.json (named
  // kubegen) is the nearest one, and `kubegen/runtime` resolves to the repository's dist/ by
  // self-reference instead of to node_modules/kubegen.
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "app", private: true, type: "module" }),
  );
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ extends: rootConfig, include: [], files: ["app.ts"] }),
  );
  return join(dir, "tsconfig.json");
}

interface CheckTarget {
  key: string;
  label: string;
  /** tsc arguments; the timed runs check (`--noEmit`, or `-b` for a project with references). */
  args: string[];
}

const noEmit = (project: string) => ["--noEmit", "-p", project];

async function typecheckSection() {
  progress("tsc: installed layout for the kubegen app");
  const checks: CheckTarget[] = [
    {
      key: "undici",
      label: "raw undici (`bench/apps/undici.ts`)",
      args: noEmit("bench/apps/tsconfig.undici.json"),
    },
    {
      key: "kubegen",
      label: "kubegen, installed layout (generated .ts + runtime .d.ts)",
      args: noEmit(await installedLayout()),
    },
    {
      key: "kubegen-repo",
      label:
        "kubegen, repository layout (`bench/apps/kubegen.ts`, `tsc -b`: runtime referenced, its declarations up to date)",
      args: ["-b", "bench/apps/tsconfig.kubegen.json"],
    },
    {
      key: "runtime-decl",
      label: "runtime declarations after a runtime change (`tsc -b --force tsconfig.runtime.json`)",
      args: ["-b", "--force", "tsconfig.runtime.json"],
    },
    {
      key: "client-node",
      label: "client-node (`bench/apps/client-node.ts`)",
      args: noEmit("bench/apps/tsconfig.client-node.json"),
    },
  ];
  const times: Record<string, number[]> = {};
  const diag: Record<string, { files: number; lines: number; check: number }> = {};
  // The runtime's declarations are (re)built first, so the repository layout's `tsc -b` finds them
  // up to date, as it does once a runtime change has been built.
  const runtimeFirst = (list: CheckTarget[]) => [
    ...list.filter((c) => c.key === "runtime-decl"),
    ...list.filter((c) => c.key !== "runtime-decl"),
  ];
  for (const c of runtimeFirst(checks)) {
    const { stdout } = await run([TSC, ...c.args, "--extendedDiagnostics"]);
    const num = (label: string) =>
      Number(new RegExp(`^${label}:\\s+([\\d.]+)`, "m").exec(stdout)?.[1] ?? NaN);
    diag[c.key] = {
      files: num("Files"),
      lines: num("Lines of TypeScript"),
      check: num("Check time"),
    };
    times[c.key] = [];
  }
  for (let r = 0; r < SETTINGS.tscReps; r++) {
    progress(`tsc ${r + 1}/${SETTINGS.tscReps}`);
    for (const c of runtimeFirst(rotated(checks, r)))
      times[c.key].push((await run([TSC, ...c.args])).wallMs);
  }
  return { checks, times, diag };
}

interface Bundle {
  minBytes: number;
  gzBytes: number;
  byInput: Record<string, number>;
}

async function bundle(entry: string, external: string[] = []): Promise<Bundle> {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  const byInput: Record<string, number> = {};
  for (const [input, info] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
    const area = input.startsWith("node_modules/")
      ? input
          .split("/")
          .slice(1, input.split("/")[1].startsWith("@") ? 3 : 2)
          .join("/")
      : input.split("/")[0];
    byInput[area] = (byInput[area] ?? 0) + info.bytesInOutput;
  }
  return {
    minBytes: file.contents.length,
    gzBytes: gzipSync(file.contents, { level: 9 }).length,
    byInput,
  };
}

function dirBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = dirBytes(full);
      bytes += sub.bytes;
      files += sub.files;
    } else if (entry.isFile()) {
      bytes += statSync(full).size;
      files++;
    }
  }
  return { bytes, files };
}

/** Packages installed for `names` and everything they depend on (nested copies included), and their size. */
function footprint(names: string[]): { packages: number; bytes: number; files: number } {
  const seen = new Set<string>();
  const queue = names.map((n) => packageDir(n, ROOT)).filter((d): d is string => !!d);
  while (queue.length) {
    const dir = queue.pop()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const found = packageDir(dep, dir);
      if (found) queue.push(found);
    }
  }
  let bytes = 0;
  let files = 0;
  for (const dir of seen) {
    const s = dirBytes(dir);
    bytes += s.bytes;
    files += s.files;
  }
  return { packages: seen.size, bytes, files };
}

async function sizeSection() {
  progress("bundles and installed sizes");
  const app = (f: string) => join(ROOT, "bench/apps", `${f}.ts`);
  const full = {} as Record<ClientName, Bundle>;
  for (const a of APPS) full[a.client] = await bundle(app(a.file));
  const own = await bundle(app("kubegen"), ["undici", "yaml"]);
  const ownWithYaml = await bundle(app("kubegen"), ["undici"]);
  return {
    full,
    own,
    ownWithYaml,
    installed: {
      kubegenDeps: footprint(["undici", "yaml"]),
      clientNode: footprint(["@kubernetes/client-node"]),
    },
  };
}

// ───────────────────────────── report ─────────────────────────────

interface Verdict {
  target: string;
  value: string;
  met: boolean;
  detail: string;
}

function verdict(
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

async function main(): Promise<void> {
  const started = performance.now();
  mkdirSync(WORK, { recursive: true });
  const info = machine();
  const { cert, key } = ensureCert();
  progress("compiling runtime, generated tree, generator and bench scripts (esbuild)");
  await compile();
  const { server, child } = await startServer(cert, key);
  progress(`test server ${server} (pid ${child.pid})`);

  let rt: RuntimeResults | undefined;
  let mem: Awaited<ReturnType<typeof memorySection>> | undefined;
  let cold: PerClient<Cold> | undefined;
  let gen: Awaited<ReturnType<typeof generateSection>> | undefined;
  let tc: Awaited<ReturnType<typeof typecheckSection>> | undefined;
  let size: Awaited<ReturnType<typeof sizeSection>> | undefined;
  try {
    if (runs("runtime")) rt = await runtimeSection(server, cert);
    if (runs("memory")) mem = await memorySection(server, cert);
    if (runs("cold")) cold = await coldSection(server, cert);
  } finally {
    child.kill("SIGTERM");
  }
  if (runs("generate")) gen = await generateSection();
  if (runs("typecheck")) tc = await typecheckSection();
  if (runs("size")) size = await sizeSection();
  const loadEnd = os.loadavg();
  const minutes = (performance.now() - started) / 60_000;
  writeFileSync(
    join(WORK, "results.json"),
    JSON.stringify({ info, settings: SETTINGS, rt, mem, cold, gen, tc, size }, null, 2),
  );

  const sections: string[] = [];
  const verdicts: Verdict[] = [];
  const notes: string[] = [];

  if (rt) {
    const tput: [string, PerClient<Throughput>, string][] = [
      ["GET one pod, sequential", rt.getSeq, "ops/s"],
      ["GET one pod, 32 in flight", rt.get32, "ops/s"],
      [`Watch ${fmt(WATCH_EVENTS)} events`, rt.watch, "events/s"],
      ["Create pod, sequential", rt.create, "ops/s"],
    ];
    const rows: string[][] = [];
    for (const [name, results, unit] of tput) {
      const ops = (c: ClientName) => median(results[c].map((r) => r.opsPerSec));
      const cpu = (c: ClientName) => median(results[c].map((r) => r.cpuUsPerOp));
      for (const c of CLIENTS) {
        const conns = results[c].reduce((n, r) => n + r.connections, 0);
        const reqs = results[c].reduce((n, r) => n + r.ops, 0);
        rows.push([
          c === "undici" ? `**${name}**` : "",
          LABEL[c],
          `${fmt(ops(c))} ${unit}`,
          c === "undici" ? "1.00×" : ratio(ops("undici") / ops(c)),
          fmt(cpu(c)),
          c === "undici" ? "1.00×" : ratio(cpu(c) / cpu("undici")),
          fmt(median(results[c].map((r) => r.serverCpuUsPerOp))),
          fmt((conns / reqs) * 1000, unit === "events/s" ? 2 : 0),
        ]);
        if (c === "kubegen") {
          const v = verdict(
            `kubegen ≤ 1.15× raw undici: ${name}`,
            ops("undici") / ops(c),
            1.15,
            (n) => n.toFixed(3),
            "×",
          );
          verdicts.push({
            ...v,
            detail: `${v.detail} (client CPU per operation: ${ratio(cpu(c) / cpu("undici"))})`,
          });
        }
        if (
          c === "client-node" &&
          conns / reqs > 0.5 &&
          unit !== "events/s" &&
          !notes.some((n) => n.includes("TLS connection"))
        ) {
          notes.push(
            `client-node ${info.versions.clientNode} opened about one TLS connection per request (column "conn./1k req"): ` +
              "with a CA configured, `KubeConfig.applySecurityAuthentication` builds a new undici Agent for every call, so every " +
              "request pays a TCP + TLS handshake, on the client and on the server (server CPU column).",
          );
        }
      }
    }
    const listMs = (c: ClientName) => median(rt!.list[c].map((r) => r.ms));
    const listCpu = (c: ClientName) => median(rt!.list[c].map((r) => r.cpuMs));
    for (const c of CLIENTS) {
      rows.push([
        c === "undici" ? `**List ${fmt(LIST_PODS)} pods, pages of ${PAGE_SIZE}**` : "",
        LABEL[c],
        `${fmt(listMs(c))} ms`,
        c === "undici" ? "1.00×" : ratio(listMs(c) / listMs("undici")),
        `${fmt(listCpu(c))} ms`,
        c === "undici" ? "1.00×" : ratio(listCpu(c) / listCpu("undici")),
        "",
        "",
      ]);
    }
    const lv = verdict(
      `kubegen ≤ 1.15× raw undici: list ${fmt(LIST_PODS)} pods (time)`,
      listMs("kubegen") / listMs("undici"),
      1.15,
      (n) => n.toFixed(3),
      "×",
    );
    verdicts.push({
      ...lv,
      detail: `${lv.detail} (client CPU: ${ratio(listCpu("kubegen") / listCpu("undici"))})`,
    });
    sections.push(
      `### Runtime (median of ${SETTINGS.runtimeReps} runs, a fresh process per client, scenario and run)\n\n` +
        "Ratio: cost relative to raw undici (raw ops/s ÷ client ops/s, or client time ÷ raw time); above 1 is slower. " +
        "CPU: the client process's user+system CPU per operation (µs) or per list (ms), which other load on the machine disturbs less than wall time; " +
        "server CPU: the test server's, per operation. conn./1k req: TLS connections the server accepted per 1 000 requests after warm-up.\n\n" +
        table(
          [
            "scenario",
            "client",
            "median",
            "ratio",
            "CPU µs/op",
            "CPU ratio",
            "server CPU µs/op",
            "conn./1k req",
          ],
          rows,
        ),
    );
  }

  if (mem) {
    const rows: string[][] = [];
    const listGrowth = (c: ClientName) => median(mem!.list[c].map((m) => m.rssGrowthMb));
    for (const c of CLIENTS) {
      const l = mem.list[c];
      const p = mem.paginate[c];
      const small = mem.paginateSmall[c];
      rows.push([
        LABEL[c],
        `${fmt(listGrowth(c), 1)} MB`,
        c === "undici" ? "1.00×" : ratio(listGrowth(c) / listGrowth("undici")),
        `${fmt(median(l.map((m) => m.heapRetainedMb)), 1)} MB`,
        `${fmt(median(p.map((m) => m.rssGrowthMb)), 1)} MB`,
        `${fmt(Math.max(...p.map((m) => m.rssGrowthMb)), 1)} MB`,
        `${fmt(median(p.map((m) => m.ms)))} ms`,
        `${fmt(median(small.map((m) => m.rssGrowthMb)), 1)} MB`,
      ]);
    }
    // The target is about the iterator as shipped: runtime/paginate.ts pages by SMALL_PAGE by default.
    const worst = Math.max(...mem.paginateSmall.kubegen.map((m) => m.rssGrowthMb));
    verdicts.push(
      verdict(
        `kubegen ≤ 1.15× raw undici: list ${fmt(LIST_PODS)} pods (peak RSS growth)`,
        listGrowth("kubegen") / listGrowth("undici"),
        1.15,
        (n) => n.toFixed(3),
        "×",
      ),
    );
    verdicts.push(
      verdict(
        `paginate ${fmt(PAGINATE_PODS)} pods, default page size (${SMALL_PAGE}): RSS growth < 64 MB (worst run)`,
        worst,
        64,
        (n) => n.toFixed(1),
        " MB",
      ),
    );
    const rawGrowth = median(mem.paginate.undici.map((m) => m.rssGrowthMb));
    if (rawGrowth >= 64) {
      notes.push(
        `Paginating ${fmt(PAGINATE_PODS)} pods in pages of ${PAGE_SIZE} grows RSS by ${fmt(rawGrowth, 1)} MB with raw undici too: ` +
          `one page is ${fmt((podSize * PAGE_SIZE) / 1024 / 1024, 1)} MB of JSON plus its parsed objects, and V8 lets several pages of garbage ` +
          `accumulate before a major GC. The growth follows the page size ` +
          `(pages of ${SMALL_PAGE}: kubegen ${fmt(median(mem.paginateSmall.kubegen.map((m) => m.rssGrowthMb)), 1)} MB).`,
      );
    }
    sections.push(
      `### Memory (fresh process per client and run; median of ${SETTINGS.memReps}, paginate also worst)\n\n` +
        `List: ${fmt(LIST_PODS)} pods in pages of ${PAGE_SIZE}, all kept in an array. Paginate: ${fmt(PAGINATE_PODS)} pods through ` +
        "an iterator (kubegen: `paginateNamespacedPod`; the others: a `continue` loop yielding one page at a time), nothing kept. " +
        "Growth is peak RSS (sampled, and the process's maxRSS) above the RSS just before the scenario, after one warm-up call. " +
        `The last column paginates the same ${fmt(PAGINATE_PODS)} pods in pages of ${SMALL_PAGE}.\n\n` +
        table(
          [
            "client",
            "list: peak RSS growth",
            "ratio",
            "list: heap retained",
            `paginate ${PAGE_SIZE}/page: RSS growth`,
            "worst",
            "time",
            `paginate ${SMALL_PAGE}/page: RSS growth`,
          ],
          rows,
        ),
    );
  }

  if (cold) {
    const total = (c: ClientName) => median(cold![c].map((x) => x.totalMs));
    const rows = CLIENTS.map((c) => [
      LABEL[c],
      `${fmt(median(cold![c].map((x) => x.importMs)), 1)} ms`,
      `${fmt(total(c), 1)} ms`,
      c === "undici"
        ? "–"
        : `${total(c) - total("undici") >= 0 ? "+" : ""}${fmt(total(c) - total("undici"), 1)} ms`,
      `${fmt(median(cold![c].map((x) => x.wallMs)), 0)} ms`,
    ]);
    verdicts.push(
      verdict(
        "import + first call ≤ raw undici + 50 ms",
        total("kubegen") - total("undici"),
        50,
        (n) => n.toFixed(1),
        " ms",
      ),
    );
    sections.push(
      `### Cold start (fresh node process each, compiled JavaScript, median of ${SETTINGS.coldReps})\n\n` +
        "Import: dynamic import of the client's modules. Import + first call: until the first GET of a pod has been parsed " +
        "(includes the TCP + TLS handshake). Process wall: spawn to exit, including node's own startup.\n\n" +
        table(["client", "import", "import + first call", "vs raw undici", "process wall"], rows),
    );
  }

  if (gen) {
    const phaseNames = Object.keys(gen.phases[0].phases);
    const rows = [
      [
        "CLI, compiled JavaScript (`kubegen generate`), process wall",
        `${fmt(median(gen.compiled))} ms`,
      ],
      ["CLI via tsx (`npm run generate`), process wall", `${fmt(median(gen.viaTsx))} ms`],
      ...phaseNames.map((p) => [
        `phase: ${p}`,
        `${fmt(median(gen.phases.map((x) => x.phases[p])))} ms`,
      ]),
      ["phases total (in process)", `${fmt(median(gen.phases.map((x) => x.totalMs)))} ms`],
    ];
    verdicts.push(
      verdict(
        "full generation ≤ 3 s (compiled CLI, wall)",
        median(gen.compiled) / 1000,
        3,
        (n) => n.toFixed(2),
        " s",
      ),
    );
    const same =
      gen.identical.differ.length === 0
        ? `identical to \`generated/\` (${gen.identical.same} files)`
        : `differs from \`generated/\` in ${gen.identical.differ.length} file(s), e.g. ${gen.identical.differ.slice(0, 3).join(", ")}`;
    sections.push(
      `### Generation: Kubernetes v${KUBERNETES} spec, end to end (median of ${SETTINGS.genReps})\n\n` +
        `Load (read + sha256), parse (+ fix-ups), model, emit, write (atomic). Output ${same}.\n\n` +
        table(["measure", "median"], rows),
    );
  }

  if (tc) {
    const t = (key: string) => median(tc!.times[key]);
    const rows = tc.checks.map(({ key, label }) => [
      label,
      `${fmt(t(key))} ms`,
      key === "undici" ? "1.00×" : ratio(t(key) / t("undici")),
      fmt(tc!.diag[key]?.files ?? NaN),
      fmt(tc!.diag[key]?.lines ?? NaN),
      `${fmt((tc!.diag[key]?.check ?? NaN) * 1000)} ms`,
    ]);
    verdicts.push(
      verdict(
        "app type-check ≤ 1.2× raw-undici app (installed layout)",
        t("kubegen") / t("undici"),
        1.2,
        (n) => n.toFixed(3),
        "×",
      ),
    );
    verdicts.push(
      verdict(
        "app type-check ≤ 1.2× raw-undici app (repository layout)",
        t("kubegen-repo") / t("undici"),
        1.2,
        (n) => n.toFixed(3),
        "×",
      ),
    );
    sections.push(
      `### Type-check of a small app that lists pods (\`tsc --noEmit\` or \`tsc -b\`, process wall, median of ${SETTINGS.tscReps})\n\n` +
        "Same compiler options as the project (strict, NodeNext, skipLibCheck). The kubegen app imports the generated " +
        "`core/v1` module, which imports the runtime. Installed layout: as in an application, the generated tree is " +
        "project source (.ts) made with `--runtime kubegen/runtime`, and the runtime comes from the package as .d.ts. " +
        "Repository layout: `generated/` imports `../runtime/index.js`; the app's project references the runtime's " +
        "composite project (`tsconfig.runtime.json`), so `tsc -b` checks the generated tree and the app against the " +
        "runtime's declarations (`.cache/tsc/runtime`) and checks the runtime's bodies only when they change " +
        "(the next row: that rebuild alone). " +
        "Files and lines of TypeScript (.ts, not .d.ts) come from `--extendedDiagnostics`.\n\n" +
        table(["app", "tsc", "ratio", "files", "lines of .ts", "check phase"], rows),
    );
  }

  if (size) {
    const rows = APPS.map(({ client: c, file }) => [
      `${LABEL[c]} (\`bench/apps/${file}.ts\`)`,
      kb(size!.full[c].minBytes),
      kb(size!.full[c].gzBytes),
    ]);
    const area = (b: Bundle, name: string) => kb(b.byInput[name] ?? 0);
    const own = size.own;
    verdicts.push(
      verdict(
        "kubegen own code ≤ 15 KB gzipped",
        own.gzBytes / 1024,
        15,
        (n) => n.toFixed(1),
        " KB",
      ),
    );
    const inst = size.installed;
    sections.push(
      "### Size\n\n" +
        "esbuild bundle of each app: minified, ESM, platform node; gzip level 9.\n\n" +
        table(["app bundle", "minified", "gzipped"], rows) +
        "\n\n" +
        table(
          ["kubegen's own code in its app bundle", "minified", "gzipped"],
          [
            [
              "undici and yaml external (runtime + used generated functions + the app)",
              kb(own.minBytes),
              kb(own.gzBytes),
            ],
            ["  of which runtime/", area(own, "runtime"), ""],
            ["  of which generated/", area(own, "generated"), ""],
            [
              "undici external, yaml bundled",
              kb(size.ownWithYaml.minBytes),
              kb(size.ownWithYaml.gzBytes),
            ],
          ],
        ) +
        "\n\n" +
        table(
          ["installed (node_modules, dependencies included)", "packages", "files", "size"],
          [
            [
              "kubegen runtime dependencies: undici + yaml",
              fmt(inst.kubegenDeps.packages),
              fmt(inst.kubegenDeps.files),
              mb(inst.kubegenDeps.bytes),
            ],
            [
              `@kubernetes/client-node ${info.versions.clientNode} and its dependencies`,
              fmt(inst.clientNode.packages),
              fmt(inst.clientNode.files),
              mb(inst.clientNode.bytes),
            ],
          ],
        ),
    );
  }

  const verdictLines = verdicts.map(
    (v) => `- ${v.met ? "**met**" : "**MISSED**"}: ${v.target}: ${v.value} — ${v.detail}`,
  );
  const results = [
    ...sections,
    "### Targets\n\n" + verdictLines.join("\n"),
    ...(notes.length ? ["### Notes\n\n" + notes.map((n) => `- ${n}`).join("\n")] : []),
  ].join("\n\n");
  process.stdout.write(
    `\n${results}\n\n(bench took ${minutes.toFixed(1)} min; raw results in bench/.work/results.json)\n`,
  );

  if (only) {
    progress("--only given: BENCHMARKS.md left as it was");
    return;
  }
  const md = `# Benchmarks

kubegen next to raw undici and @kubernetes/client-node, measured in the same run of \`npm run bench\`${quick ? " (**--quick**: fewer repetitions)" : ""}.

## Machine

| | |
| --- | --- |
| date | ${info.date} |
| CPU | ${info.cpu}, ${info.nproc} logical CPUs (\`nproc\`) |
| RAM | ${info.ramGb.toFixed(1)} GiB |
| OS | ${info.kernel} |
| Node.js | ${info.node} |
| load average (1/5/15 min) at start / end | ${info.loadStart.map((l) => l.toFixed(2)).join(" ")} / ${loadEnd.map((l) => l.toFixed(2)).join(" ")} |
| kubegen commit | ${info.commit} (working tree as found) |
| undici / yaml | ${info.versions.undici} / ${info.versions.yaml} |
| @kubernetes/client-node | ${info.versions.clientNode}, with undici ${info.versions.clientNodeUndici} (npm \`overrides\`: its own undici 8 needs Node ≥ 22.19) |
| TypeScript / esbuild | ${info.versions.typescript} / ${info.versions.esbuild} |
| run time | ${minutes.toFixed(1)} min |

The machine may be shared: a load average above the CPU count means other processes competed for the CPUs, which
lowers wall-clock figures for all three clients; the CPU-per-operation columns are steadier.

## Reproduce

\`\`\`sh
npm ci
npm run bench              # full run (under 10 minutes); rewrites BENCHMARKS.md
npm run bench -- --quick   # fewer repetitions
npm run bench -- --only runtime,cold   # chosen sections only (runtime, memory, cold, generate, typecheck, size); prints, writes nothing
\`\`\`

Needs \`openssl\` (a self-signed RSA 2048 certificate for 127.0.0.1 is made once in \`bench/.work/\`) and the
Kubernetes v${KUBERNETES} spec in \`.cache/specs/v${KUBERNETES}/swagger.json\` (fetched by the generator when missing).
Every run's raw figures are kept in \`bench/.work/results.json\`.

## Method

- **Server** (\`bench/server.ts\`): HTTPS on 127.0.0.1 in its own process, serving pre-serialized objects: pods of
  ${fmt(podSize / 1024, 1)} KB with managedFields (\`bench/fixtures.ts\`), lists paged with \`limit\`/\`continue\` tokens,
  watch streams of ADDED events, 201 answers to creates. Each client verifies the server's certificate with a CA and
  sends a bearer token.
- **Clients** (\`bench/clients.ts\`): raw undici — \`request()\` with a keep-alive \`Agent\` and \`JSON.parse\`;
  kubegen — \`createClient({ server, token, ca })\` and the generated \`readNamespacedPod\`, \`listNamespacedPod\`,
  \`paginateNamespacedPod\`, \`watchNamespacedPod\`, \`createNamespacedPod\`; client-node — \`KubeConfig\` +
  \`CoreV1Api\` and \`Watch\`. Every scenario reads \`metadata.name\` of every object.
- **Processes**: each measurement runs in a fresh node process per client (\`bench/worker.ts\`,
  \`bench/cold-start.ts\`, compiled to JavaScript with esbuild, no loader), clients in rotating order; figures are
  medians over the runs. Throughput scenarios warm up for ${SETTINGS.warmMs} ms, then run for ${SETTINGS.durationMs} ms.
- **Generation** and **type-check** are timed as whole processes; **size** uses esbuild's bundler.

## Results

${results}
`;
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(join(ROOT, "BENCHMARKS.md"))) ?? {};
  // The rooms' marked sections (bench/rooms/) survive the rewrite; each room then re-measures its own.
  const kept = roomSections();
  const main = await prettier.format(md, { ...options, parser: "markdown" });
  writeFileSync(join(ROOT, "BENCHMARKS.md"), [main, ...kept].join("\n"));
  progress("wrote BENCHMARKS.md");
  if (noRooms) return;
  for (const room of readdirSync(join(ROOT, "bench", "rooms"))
    .filter((f) => f.endsWith(".ts"))
    .sort()) {
    progress(`room ${room}`);
    // Rooms run under tsx and print their own progress; run() rejects with their stderr on failure.
    const ran = await run([
      "--import",
      "tsx",
      join("bench", "rooms", room),
      ...(quick ? ["--quick"] : []),
    ]);
    process.stdout.write(ran.stdout);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
