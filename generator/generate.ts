/** The pipeline: spec text → parse → fix up → model → emit → write (or check). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { emit, type FileSet } from "./emit.js";
import { addCrds, type CrdLoadResult } from "./crd.js";
import { applyFixUps } from "./fixups.js";
import { applyOpenApiV3, type OpenApiV3Overlay } from "./openapi-v3.js";
import { applyReleaseData } from "./release-data.js";
import type { ApiModel } from "./ir.js";
import { buildModel } from "./model.js";
import { parseSpec } from "./spec.js";
import type { LoadedSpec } from "./sources.js";
import { diffOutput, writeAtomically, type Drift } from "./write.js";

/** Metadata kept beside the output, so `generate` with no source can reproduce it. */
export const METADATA_FILE = "kubegen.json";

export interface OutputMetadata {
  source: string;
  kubernetesVersion: string;
  sha256: string;
  /** Set when the output came from a release, which is then the pinned release. */
  release?: string;
  runtime: string;
  /** `--type-check-output`: files without `// @ts-nocheck`. */
  typeCheckOutput?: boolean;
  fixups: string[];
  /** `--crd` paths, as given, when the output includes custom resources. */
  crds?: string[];
}

export interface GenerateResult {
  model: ApiModel;
  files: FileSet;
  summary: {
    groupVersions: number;
    operations: number;
    models: number;
    files: number;
    /** Connect operations served by stream functions, and those with no stream runtime. */
    connect: { served: number; functions: number; unserved: string[] };
  };
  timings: Record<"parse" | "model" | "emit", number>;
}

export interface BuildOptions {
  runtime: string;
  /** Leave out the `// @ts-nocheck` line (see `EmitOptions`). */
  typeCheckOutput?: boolean;
  /** Recorded in the metadata when the spec is a release's. */
  release?: string;
  /** OpenAPI v3 documents of a cluster's CRD group/versions, replacing their v2 form. */
  openApiV3?: OpenApiV3Overlay;
  /** Custom resources to add (`--crd`), and the paths they were read from. */
  crds?: { loaded: CrdLoadResult; paths: string[] };
}

/** Everything up to, not including, the disk: deterministic for the same spec and options. */
export function buildOutput(spec: LoadedSpec, options: BuildOptions): GenerateResult {
  const t0 = performance.now();
  const parsed = parseSpec(spec.text);
  // v3 documents first: from `--url …/openapi/v3` they are the whole spec, fix-ups included.
  if (options.openApiV3) applyOpenApiV3(parsed, options.openApiV3);
  const fixups = applyFixUps(parsed);
  if (options.crds) addCrds(parsed, options.crds.loaded.crds);
  fixups.push(...applyReleaseData(parsed, spec.provenance.kubernetesVersion));
  const t1 = performance.now();
  const model = buildModel(parsed, spec.provenance, { discoveredVerbs: spec.discoveredVerbs });
  const t2 = performance.now();
  const files = emit(model, { runtime: options.runtime, typeCheckOutput: options.typeCheckOutput });
  const metadata: OutputMetadata = {
    source: spec.provenance.source,
    kubernetesVersion: spec.provenance.kubernetesVersion,
    sha256: spec.provenance.sha256,
    ...(options.release ? { release: options.release } : {}),
    runtime: options.runtime,
    ...(options.typeCheckOutput ? { typeCheckOutput: true } : {}),
    fixups,
    ...(options.crds ? { crds: options.crds.paths } : {}),
  };
  files.set(METADATA_FILE, JSON.stringify(metadata, null, 2) + "\n");
  const t3 = performance.now();
  return {
    model,
    files,
    summary: {
      groupVersions: model.modules.filter((m) => m.operations.length > 0).length,
      operations: model.modules.reduce((n, m) => n + m.operations.length, 0),
      models: model.definitions.size,
      files: files.size,
      connect: {
        served: model.modules.reduce(
          (n, m) => n + m.connect.reduce((k, c) => k + c.operationIds.length, 0),
          0,
        ),
        functions: model.modules.reduce((n, m) => n + m.connect.length, 0),
        unserved: model.skipped
          .filter((s) => s.reason.startsWith("connect"))
          .map((s) => s.operationId),
      },
    },
    timings: { parse: t1 - t0, model: t2 - t1, emit: t3 - t2 },
  };
}

export async function readMetadata(outDir: string): Promise<OutputMetadata | undefined> {
  try {
    return JSON.parse(await readFile(join(outDir, METADATA_FILE), "utf8")) as OutputMetadata;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export async function writeOutput(outDir: string, result: GenerateResult): Promise<void> {
  await writeAtomically(outDir, result.files);
}

export async function checkOutput(outDir: string, result: GenerateResult): Promise<Drift> {
  return diffOutput(outDir, result.files);
}
