/**
 * CRD generation: Gateway API v1.6.3 (standard and experimental channels) and cert-manager
 * v1.19.1 through `--crd`, read + generate (everything but the disk write), median of N runs,
 * wall and CPU time. The two YAML parsers are timed on the same files (the reason for js-yaml).
 * `node --import tsx bench/rooms/crds.ts [--quick]`
 */
import { readFile } from "node:fs/promises";
import { loadAll } from "js-yaml";
import { parseAllDocuments } from "yaml";
import { readBlockYaml } from "../../generator/block-yaml.js";
import { loadCrds } from "../../generator/crd.js";
import { crdOnlySpec, withCrdProvenance } from "../../generator/crd-source.js";
import { buildOutput } from "../../generator/generate.js";
import { CRD_SETS, crdSetDir } from "../../test/tools/crd-sets.js";
import { writeRoomSection } from "../report.js";

const runs = process.argv.includes("--quick") ? 5 : 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  await fn(); // warm-up: module loading and JIT
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

const rows: string[] = [];
const totals = { wall: 0, cpu: 0 };
const yamlRows: string[] = [];
for (const set of CRD_SETS) {
  const dir = await crdSetDir(set);
  let summary = "";
  const m = await measure(async () => {
    const loaded = await loadCrds([dir]);
    const result = buildOutput(withCrdProvenance(crdOnlySpec(), loaded, [set.name]), {
      runtime: "kubegen/runtime",
      crds: { loaded, paths: [set.name] },
    });
    const bytes = [...result.files.values()].reduce((n, t) => n + t.length, 0);
    summary = `${loaded.crds.length} CRDs, ${result.summary.operations} operations, ${result.summary.files} files, ${(bytes / 1e6).toFixed(2)} MB`;
  });
  if (set.name.startsWith("gateway")) {
    totals.wall += m.wall;
    totals.cpu += m.cpu;
  }
  rows.push(
    `| ${set.name} ${set.version} | ${summary} | ${m.wall.toFixed(0)} ms | ${m.cpu.toFixed(0)} ms |`,
  );

  const loaded = await loadCrds([dir]);
  const texts = await Promise.all(loaded.files.map((f) => readFile(f, "utf8")));
  const a = await measure(async () =>
    texts.forEach((t) => parseAllDocuments(t).map((d) => d.toJS())),
  );
  const b = await measure(async () => texts.forEach((t) => loadAll(t)));
  const c = await measure(async () => texts.forEach((t) => readBlockYaml(t) ?? loadAll(t)));
  const mb = texts.reduce((n, t) => n + t.length, 0) / 1e6;
  yamlRows.push(
    `| ${set.name} (${mb.toFixed(1)} MB YAML) | ${a.wall.toFixed(0)} ms | ${b.wall.toFixed(0)} ms (${(a.wall / b.wall).toFixed(1)}×) | ${c.wall.toFixed(0)} ms (${(a.wall / c.wall).toFixed(1)}×) |`,
  );
}

const md = `## CRDs (\`generate --crd\`)

Read + check + generate in memory (no disk write), median of ${runs} runs after a warm-up, one
process; CPU time is user + system of that process. \`node --import tsx bench/rooms/crds.ts\`.

| CRD set | output | wall | CPU |
| --- | --- | --- | --- |
${rows.join("\n")}
| **Gateway API standard + experimental** | | **${totals.wall.toFixed(0)} ms** | **${totals.cpu.toFixed(0)} ms** |

YAML parsing of the same files (why CRDs are read with js-yaml while kubeconfig keeps \`yaml\`):

| files | yaml 2 (parseAllDocuments) | js-yaml 5 (loadAll) | kubegen's CRD reader, js-yaml fallback |
| --- | --- | --- | --- |
${yamlRows.join("\n")}

Load average while measured: ${(await import("node:os")).loadavg()[0].toFixed(1)} on ${(await import("node:os")).cpus().length} CPUs.
`;
process.stdout.write(md);
await writeRoomSection("crds", md);
