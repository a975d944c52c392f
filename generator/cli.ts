#!/usr/bin/env node
/** `kubegen generate [source] [--out DIR] [--check]`, `kubegen rbac …` */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildOutput, checkOutput, readMetadata, writeOutput } from "./generate.js";
import {
  fromCluster,
  fromFile,
  fromRelease,
  normalizeRelease,
  type LoadedSpec,
} from "./sources.js";
import { SpecError } from "./spec.js";
import { crdOnlySpec, loadCrds, withCrdProvenance } from "./crd-source.js";
import { diffMain } from "./diff-cli.js";
import { readCrdOpenApiV3, type OpenApiV3Overlay } from "./openapi-v3.js";
import { withOpenApiV3Provenance } from "./openapi-v3-source.js";
import { fromUrlSource } from "./openapi-v3-url.js";
import { clusterReader } from "./url-reader.js";

const USAGE = `Usage: kubegen generate [source] [options]
       kubegen rbac [--project tsconfig.json | FILES...] [options]   (kubegen rbac --help)
       kubegen diff --from A --to B [--json] [--fail-on removed]   (kubegen diff --help)

Sources (pick one; with none, regenerate OUT from the release recorded in OUT/kubegen.json):
  --spec FILE            a Swagger 2.0 document (.json or .json.gz)
  --url URL              the same, downloaded; or a server's OpenAPI v3: the index
                         (…/openapi/v3) or one group/version (…/openapi/v3/apis/apps/v1)
  --from-cluster         the current cluster's /openapi/v2 (kubeconfig or in-cluster config),
                         with /openapi/v3 for the group/versions its CRDs serve
  --kubernetes X.Y.Z     a Kubernetes release (cached, else fetched)
  --crd PATH             CustomResourceDefinitions: a YAML/JSON file (multi-document), a folder
                         or a glob; repeatable. Alone, or added to one of the sources above

Options:
  --out DIR              output folder (default: generated)
  --check                write nothing; exit 1 listing files that would change
  --runtime SPECIFIER    how generated code imports the runtime (default: kubegen/runtime;
                         a relative path is taken relative to OUT)
  --type-check-output    no // @ts-nocheck line in generated files: your tsc checks them too
                         (slower; they are type-checked when generated either way)
  --kubernetes-version V version to record for --spec/--url sources
  --context NAME         kubeconfig context for --from-cluster, or for --url (then read with
                         that context's CA and credentials, on its server only, and its
                         /version as --kubernetes-version)
  --kubeconfig FILE      kubeconfig file for --from-cluster, or for --url (as --context)
  --cache-dir DIR        where release specs are cached (default: .cache)
  --release-url URL      base URL of release trees (default: the upstream repository)
  --quiet                no progress on stderr
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "rbac") {
    // Loaded on demand: only `rbac` needs the TypeScript compiler (an optional peer dependency).
    const rbac = await import("./rbac/cli.js").catch(
      (error: { code?: string; message: string }) => {
        if (error.code === "ERR_MODULE_NOT_FOUND" && error.message.includes("'typescript'"))
          throw new UsageError(
            "kubegen rbac reads the program with TypeScript: npm install -D typescript",
          );
        throw error;
      },
    );
    return rbac.rbacMain(rest);
  }
  if (command === "diff") return diffMain(rest);
  if (command !== "generate") {
    process.stderr.write(USAGE);
    return command === "--help" || command === "-h" ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      spec: { type: "string" },
      url: { type: "string" },
      "from-cluster": { type: "boolean" },
      kubernetes: { type: "string" },
      crd: { type: "string", multiple: true },
      out: { type: "string", default: "generated" },
      check: { type: "boolean" },
      runtime: { type: "string" },
      "type-check-output": { type: "boolean" },
      "kubernetes-version": { type: "string" },
      context: { type: "string" },
      kubeconfig: { type: "string" },
      "cache-dir": { type: "string" },
      "release-url": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = performance.now();
  const progress = values.quiet ? () => {} : (m: string) => process.stderr.write(`kubegen: ${m}\n`);
  const outDir = resolve(values.out!);
  const previous = await readMetadata(outDir);
  const sources = [values.spec, values.url, values["from-cluster"], values.kubernetes].filter(
    (v) => v !== undefined,
  );
  if (sources.length > 1)
    throw new UsageError("give at most one of --spec, --url, --from-cluster, --kubernetes");

  const cacheDir = resolve(values["cache-dir"] ?? process.env.KUBEGEN_CACHE_DIR ?? ".cache");
  let release: string | undefined;
  let spec: LoadedSpec;
  let openApiV3: OpenApiV3Overlay | undefined;
  // With no source, a regeneration reuses the recorded CRD paths; a CRD-only output stays one.
  const crdPaths = values.crd ?? (sources.length === 0 ? previous?.crds : undefined);
  const crds = crdPaths ? { loaded: await loadCrds(crdPaths), paths: crdPaths } : undefined;
  for (const skipped of crds?.loaded.skipped ?? []) progress(`not a CRD, skipped: ${skipped}`);
  if (crds && sources.length === 0 && !previous?.release) spec = crdOnlySpec();
  else if (values.spec) spec = await fromFile(values.spec, values["kubernetes-version"]);
  else if (values.url) {
    // With a kubeconfig or context, --url reads as that context's client (CA, credentials).
    const reader =
      values.kubeconfig !== undefined || values.context !== undefined
        ? clusterReader({ kubeconfig: values.kubeconfig, context: values.context }, progress)
        : undefined;
    ({ spec, openApiV3 } = await fromUrlSource(
      values.url,
      progress,
      values["kubernetes-version"],
      reader,
    ));
  } else if (values["from-cluster"]) {
    const clusterOptions = { context: values.context, kubeconfig: values.kubeconfig };
    spec = await fromCluster(clusterOptions, progress);
    openApiV3 = await readCrdOpenApiV3(clusterOptions, progress);
    spec = withOpenApiV3Provenance(spec, openApiV3);
  } else {
    release = values.kubernetes ?? previous?.release;
    if (!release) {
      throw new UsageError(
        `no source given and ${values.out}/kubegen.json records no pinned release`,
      );
    }
    release = normalizeRelease(release);
    spec = await fromRelease(release, { cacheDir, releaseUrl: values["release-url"] }, progress);
  }

  progress(
    `parsing and emitting (${(spec.text.length / 1e6).toFixed(1)} MB, sha256 ${spec.provenance.sha256.slice(0, 12)})`,
  );
  const runtime = values.runtime ?? previous?.runtime ?? "kubegen/runtime";
  if (crds) spec = withCrdProvenance(spec, crds.loaded, crds.paths);
  const typeCheckOutput = values["type-check-output"] ?? previous?.typeCheckOutput ?? false;
  const result = buildOutput(spec, { runtime, typeCheckOutput, release, crds, openApiV3 });
  const { summary } = result;

  if (values.check) {
    const drift = await checkOutput(outDir, result);
    const lines = [
      ...drift.changed.map((f) => `changed  ${f}`),
      ...drift.added.map((f) => `added    ${f}`),
      ...drift.removed.map((f) => `removed  ${f}`),
    ];
    if (lines.length > 0) {
      process.stdout.write(`${lines.join("\n")}\n`);
      process.stderr.write(
        `kubegen: ${lines.length} file(s) in ${values.out} differ from ${spec.provenance.source}\n`,
      );
      return 1;
    }
    process.stderr.write(`kubegen: ${values.out} is up to date (${summary.files} files)\n`);
    return 0;
  }

  await writeOutput(outDir, result);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  process.stderr.write(
    `kubegen: ${summary.groupVersions} group/versions, ${summary.operations} operations, ` +
      `${summary.models} models, ${summary.files} files in ${seconds}s → ${values.out} ` +
      `(Kubernetes ${spec.provenance.kubernetesVersion})\n`,
  );
  const { connect } = summary;
  process.stderr.write(
    `kubegen: ${connect.served} connect operations as ${connect.functions} stream functions ` +
      `(<group>/<version>/streams)` +
      (connect.unserved.length > 0
        ? `; not served: ${connect.unserved.join(", ")}\n`
        : "; none left unserved\n"),
  );
  return 0;
}

class UsageError extends Error {}

const invokedDirectly =
  !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const e = error as Error;
      const what =
        e instanceof SpecError ? "broken spec" : e instanceof UsageError ? "usage" : "error";
      process.stderr.write(`kubegen: ${what}: ${e.message}\n`);
      if (e instanceof UsageError) process.stderr.write(USAGE);
      process.exit(2);
    },
  );
}
