/**
 * `kubegen rbac` cost: the sample program (test/fixtures/rbac-app) and kubegen's own test/ tree,
 * each analyzed in a fresh process (as the CLI runs), split into loading the TypeScript program
 * and the analysis; and loading the same sample through a ts-morph Project instead.
 *
 *   node --import tsx bench/rooms/rbac.ts [--quick]
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, writeRoomSection } from "../report.js";

const self = fileURLToPath(import.meta.url);
const SAMPLE = join(ROOT, "test/fixtures/rbac-app/app.ts");

function testTree(dir = join(ROOT, "test")): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name.startsWith("out") ? [] : testTree(full);
    return full.endsWith(".ts") && !full.endsWith(".d.ts") ? [full] : [];
  });
}

interface Sample {
  files: number;
  lines: number;
  loadMs: number;
  analyzeMs: number;
  /** From process start: Node, tsx, the TypeScript compiler's own module, load and analysis. */
  processMs: number;
  /** CPU time of the whole process (user + system): what the wall time is on an idle machine. */
  cpuMs: number;
  /** CPU time of load + analysis alone. */
  analysisCpuMs: number;
}

function cpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function child(mode: string): Promise<void> {
  if (mode === "plain") {
    // The same program through ts.createProgram, every file read (no skipping).
    const t0 = performance.now();
    const { ts } = await import("../../generator/rbac/typescript.js");
    const program = ts.createProgram([SAMPLE], {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: [],
    });
    program.getTypeChecker();
    const sample: Sample = {
      files: program.getSourceFiles().length,
      lines: 0,
      loadMs: performance.now() - t0,
      analyzeMs: 0,
      processMs: performance.now(),
      cpuMs: cpu(),
      analysisCpuMs: 0,
    };
    process.stdout.write(JSON.stringify(sample));
    return;
  }
  if (mode === "ts-morph") {
    const t0 = performance.now();
    const { Project, ts } = await import("ts-morph");
    const project = new Project({
      compilerOptions: {
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        types: [],
      },
    });
    project.addSourceFileAtPath(SAMPLE);
    const program = project.getProgram().compilerObject;
    program.getTypeChecker();
    const loadMs = performance.now() - t0;
    const sample: Sample = {
      files: program.getSourceFiles().length,
      lines: 0,
      loadMs,
      analyzeMs: 0,
      processMs: performance.now(),
      cpuMs: cpu(),
      analysisCpuMs: 0,
    };
    process.stdout.write(JSON.stringify(sample));
    return;
  }
  const { analyze } = await import("../../generator/rbac/analyze.js");
  const files = mode === "sample" ? [SAMPLE] : testTree();
  const before = cpu();
  const { stats } = analyze({ files, root: ROOT });
  const analysisCpuMs = cpu() - before;
  process.stdout.write(
    JSON.stringify({ ...stats, processMs: performance.now(), cpuMs: cpu(), analysisCpuMs }),
  );
}

function measure(mode: string, runs: number): Sample {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ["--import", "tsx", self, "--child", mode], {
      cwd: ROOT,
      encoding: "utf8",
    });
    samples.push(JSON.parse(out) as Sample);
  }
  const median = (pick: (s: Sample) => number) =>
    samples.map(pick).sort((a, b) => a - b)[Math.floor(runs / 2)];
  return {
    files: samples[0].files,
    lines: samples[0].lines,
    loadMs: median((s) => s.loadMs),
    analyzeMs: median((s) => s.analyzeMs),
    processMs: median((s) => s.processMs),
    cpuMs: median((s) => s.cpuMs),
    analysisCpuMs: median((s) => s.analysisCpuMs),
  };
}

async function main(): Promise<void> {
  const at = process.argv.indexOf("--child");
  if (at !== -1) return child(process.argv[at + 1]);
  const runs = process.argv.includes("--quick") ? 1 : 3;
  const sample = measure("sample", runs);
  const tree = measure("tree", runs);
  const morph = measure("ts-morph", runs);
  const plain = measure("plain", runs);
  const ms = (n: number) => `${Math.round(n)} ms`;
  const perK = (s: Sample) => ((s.loadMs + s.analyzeMs) / (s.lines / 1000)).toFixed(0);
  const row = (name: string, s: Sample) =>
    `| ${name} | ${s.files} | ${s.lines} | ${ms(s.loadMs)} | ${ms(s.analyzeMs)} | ${ms(s.analysisCpuMs)} | ${ms(s.processMs)} | ${ms(s.cpuMs)} | ${perK(s)} ms | ${Math.round((100 * s.loadMs) / (s.loadMs + s.analyzeMs))} % |`;
  const markdown = [
    "## kubegen rbac",
    "",
    `Median of ${runs} fresh processes each (\`node --import tsx bench/rooms/rbac.ts\`), load`,
    `average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores at the start. _Files_ and`,
    "_lines_ are the program's own files (generated code and the runtime are loaded but not",
    "analyzed); _process_ counts from Node's start (tsx and the TypeScript compiler's module",
    "included); _per 1 000 lines_ is (load + analysis) / lines, wall time. On a shared machine the",
    "CPU columns are closer to what an idle machine shows.",
    "",
    "| program | files | lines | load program | analysis | load + analysis CPU | process | process CPU | per 1 000 lines | load share |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    row("sample (test/fixtures/rbac-app)", sample),
    row("kubegen test/ tree", tree),
    "",
    "Loading the sample's TypeScript program (with the compiler module) every file read, in",
    `a fresh process: through a ts-morph \`Project\` ${ms(morph.loadMs)}, through`,
    `\`ts.createProgram\` ${ms(plain.loadMs)}; \`kubegen rbac\` skips other packages' declarations`,
    `and generated model files: ${ms(sample.loadMs)} (without the compiler module's own load).`,
    "",
  ].join("\n");
  process.stdout.write(`${markdown}\n`);
  await writeRoomSection("rbac", markdown);
}

await main();
