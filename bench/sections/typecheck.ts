/** Type-check: tsc on a small app per client, kubegen's in the installed and the repository layout. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../report.js";
import { CACHE_DIR, KUBERNETES, SETTINGS } from "../settings.js";
import {
  JS,
  WORK,
  fmt,
  median,
  progress,
  ratio,
  rotated,
  run,
  table,
  verdict,
  type Findings,
} from "../support.js";

const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

/**
 * bench/apps/kubegen.ts as it sits in an application: the generated tree in the project (.ts, generated
 * with `--runtime kubegen/runtime`), the runtime from the installed package (.d.ts, which skipLibCheck skips).
 * With `typeCheckOutput`, generated without `// @ts-nocheck`. Returns the tsconfig to check.
 */
async function installedLayout(typeCheckOutput = false): Promise<string> {
  const dir = join(WORK, typeCheckOutput ? "installed-checked" : "installed");
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
    ...(typeCheckOutput ? ["--type-check-output"] : []),
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

export async function typecheckSection() {
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
      key: "kubegen-checked",
      label:
        "kubegen, installed layout, generated with `--type-check-output` (tsc checks the generated bodies too)",
      args: noEmit(await installedLayout(true)),
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

export type TypecheckResults = Awaited<ReturnType<typeof typecheckSection>>;

export function typecheckFindings(tc: TypecheckResults, { sections, verdicts }: Findings): void {
  const t = (key: string) => median(tc.times[key]);
  const rows = tc.checks.map(({ key, label }) => [
    label,
    `${fmt(t(key))} ms`,
    key === "undici" ? "1.00×" : ratio(t(key) / t("undici")),
    fmt(tc.diag[key]?.files ?? NaN),
    fmt(tc.diag[key]?.lines ?? NaN),
    `${fmt((tc.diag[key]?.check ?? NaN) * 1000)} ms`,
  ]);
  for (const [layout, key] of [
    ["installed layout", "kubegen"],
    ["repository layout", "kubegen-repo"],
  ])
    verdicts.push(
      verdict(
        `app type-check ≤ 1.2× raw-undici app (${layout})`,
        t(key) / t("undici"),
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
      "Generated files start with `// @ts-nocheck` (the generator's own tests type-check them), so tsc checks " +
      "how the app uses them, not their bodies; the `--type-check-output` row shows the cost without that line. " +
      "Files and lines of TypeScript (.ts, not .d.ts) come from `--extendedDiagnostics`.\n\n" +
      table(["app", "tsc", "ratio", "files", "lines of .ts", "check phase"], rows),
  );
}
