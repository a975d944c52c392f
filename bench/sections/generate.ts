/** Generation: the whole CLI run, compiled and through tsx, and its phases in process. */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../report.js";
import { CACHE_DIR, KUBERNETES, SETTINGS } from "../settings.js";
import {
  JS,
  WORK,
  fmt,
  median,
  progress,
  run,
  runJson,
  table,
  verdict,
  type Findings,
} from "../support.js";

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

export async function generateSection() {
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

export type GenerateResults = Awaited<ReturnType<typeof generateSection>>;

export function generateFindings(gen: GenerateResults, { sections, verdicts }: Findings): void {
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
