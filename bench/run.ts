/**
 * `npm run bench [-- --quick] [-- --no-rooms] [-- --only runtime,memory,cold,generate,typecheck,size]`
 *
 * kubegen next to raw undici and @kubernetes/client-node, in one run, against a local HTTPS server
 * in its own process. Prints the results and, when every section ran, writes BENCHMARKS.md and then
 * runs every room in bench/rooms/ (each rewrites only its own marked section; see bench/report.ts).
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { BENCHMARKS_MD, ROOT, roomSections } from "./report.js";
import { coldFindings, coldSection, type Cold } from "./sections/cold.js";
import { generateFindings, generateSection, type GenerateResults } from "./sections/generate.js";
import { memoryFindings, memorySection, type MemoryResults } from "./sections/memory.js";
import { runtimeFindings, runtimeSection, type RuntimeResults } from "./sections/runtime.js";
import { sizeFindings, sizeSection, type SizeResults } from "./sections/size.js";
import {
  typecheckFindings,
  typecheckSection,
  type TypecheckResults,
} from "./sections/typecheck.js";
import { KUBERNETES, SETTINGS, noRooms, only, podSize, quick, runs } from "./settings.js";
import { compile, ensureCert, machine, startServer } from "./setup.js";
import { WORK, fmt, progress, run, type Findings, type PerClient } from "./support.js";

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
  let mem: MemoryResults | undefined;
  let cold: PerClient<Cold> | undefined;
  let gen: GenerateResults | undefined;
  let tc: TypecheckResults | undefined;
  let size: SizeResults | undefined;
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

  const findings: Findings = { sections: [], verdicts: [], notes: [] };
  if (rt) runtimeFindings(rt, info, findings);
  if (mem) memoryFindings(mem, findings);
  if (cold) coldFindings(cold, findings);
  if (gen) generateFindings(gen, findings);
  if (tc) typecheckFindings(tc, findings);
  if (size) sizeFindings(size, info, findings);
  const { sections, verdicts, notes } = findings;

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
  const options = (await prettier.resolveConfig(BENCHMARKS_MD)) ?? {};
  // The rooms' marked sections (bench/rooms/) survive the rewrite; each room then re-measures its own.
  const kept = roomSections();
  const main = await prettier.format(md, { ...options, parser: "markdown" });
  writeFileSync(BENCHMARKS_MD, [main, ...kept].join("\n"));
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
