/**
 * The runtime's entry points (kubegen/runtime, /controller, /streams, /manifests) as ES modules
 * bundled with shared chunks: one copy of every runtime module across entries (a client made by
 * one entry is known to the others), and a handful of files to load instead of about twenty,
 * which is most of the runtime's import time (measured: 28 ms → 11 ms after undici).
 * Declarations stay tsc's, one per module. Dependencies stay external.
 *
 *   node --import tsx packaging/bundle-runtime.ts [OUTDIR]   (default dist/runtime; part of `npm run build`)
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
export const RUNTIME_ENTRIES = ["index", "controller/index", "streams/index", "manifests/index"];

/** Replaces the per-module JavaScript in `outdir` with the bundled entries and their chunks. */
export async function bundleRuntime(outdir = join(root, "dist/runtime")): Promise<void> {
  for (const entry of await readdir(outdir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".js")) await rm(join(entry.parentPath, entry.name));
  }
  await esbuild.build({
    entryPoints: RUNTIME_ENTRIES.map((e) => join(root, "runtime", `${e}.ts`)),
    outdir,
    outbase: join(root, "runtime"),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    chunkNames: "chunks/[name]-[hash]",
    logLevel: "warning",
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  await bundleRuntime(process.argv[2]);
