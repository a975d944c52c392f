/**
 * One generation of the full spec in a fresh process, timed per phase: load (read + sha256),
 * parse (+ fix-ups), model, emit, write. Args: CACHE_DIR OUT_DIR VERSION.
 */
import { buildOutput, writeOutput } from "../generator/generate.js";
import { fromRelease } from "../generator/sources.js";

const [cacheDir, outDir, version] = process.argv.slice(2);
if (!cacheDir || !outDir || !version)
  throw new Error("usage: gen-phases CACHE_DIR OUT_DIR VERSION");
const t0 = performance.now();
const spec = await fromRelease(version, { cacheDir }, () => {});
const t1 = performance.now();
const result = buildOutput(spec, {
  runtime: "../runtime/index.js",
  release: spec.provenance.kubernetesVersion,
});
const t2 = performance.now();
await writeOutput(outDir, result);
const t3 = performance.now();
const phases = { load: t1 - t0, ...result.timings, write: t3 - t2 };
process.stdout.write(
  `${JSON.stringify({ phases, totalMs: t3 - t0, sinceProcessStartMs: t3, files: result.summary.files })}\n`,
);
