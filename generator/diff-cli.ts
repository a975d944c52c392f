/** `kubegen diff --from A --to B [--json] [--fail-on removed]` */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadCrds } from "./crd.js";
import { crdOnlySpec, withCrdProvenance } from "./crd-source.js";
import { FAIL_ON, diffModels, diffText, failsOn } from "./diff.js";
import { buildOutput, readMetadata } from "./generate.js";
import type { ApiModel } from "./ir.js";
import { fromFile, fromRelease, normalizeRelease, type LoadedSpec } from "./sources.js";

export const DIFF_USAGE = `Usage: kubegen diff --from A --to B [options]

A and B are each one of:
  1.35.4                 a Kubernetes release (cached, else fetched, like generate --kubernetes)
  DIR                    an output folder: its kubegen.json says which release and CRDs it holds
  FILE.json[.gz]         a Swagger 2.0 spec file
  PATH                   CRD files: a YAML/JSON file, a folder or a glob (as generate --crd)

Options:
  --json                 machine-readable output
  --fail-on KINDS        exit 1 when a change of these kinds exists: removed, changed,
                         deprecated, added, any (comma-separated)
  --cache-dir DIR        where release specs are cached (default: .cache)
`;

const RELEASE = /^v?\d+\.\d+\.\d+$/;

async function modelOf(input: string, cacheDir: string): Promise<ApiModel> {
  const build = (
    spec: LoadedSpec,
    crdPaths?: string[],
    loaded?: Awaited<ReturnType<typeof loadCrds>>,
  ) =>
    buildOutput(loaded ? withCrdProvenance(spec, loaded, crdPaths!) : spec, {
      runtime: "kubegen/runtime",
      crds: loaded ? { loaded, paths: crdPaths! } : undefined,
    }).model;
  if (RELEASE.test(input))
    return build(await fromRelease(normalizeRelease(input), { cacheDir }, () => {}));
  const info = await stat(input).catch(() => undefined);
  if (info?.isDirectory()) {
    const meta = await readMetadata(resolve(input));
    if (meta) {
      const base = meta.release
        ? await fromRelease(meta.release, { cacheDir }, () => {})
        : meta.crds
          ? crdOnlySpec()
          : undefined;
      if (!base)
        throw new Error(
          `${input}/kubegen.json records neither a release nor CRDs (${meta.source})`,
        );
      if (!meta.crds) return build(base);
      return build(base, meta.crds, await loadCrds(meta.crds));
    }
  }
  if (info?.isFile() && /\.json(\.gz)?$/.test(input)) {
    const spec = await fromFile(input);
    // A CRD list can be JSON too; a spec names its Swagger version (often at the end).
    if (/"swagger"\s*:\s*"2\.0"/.test(spec.text.slice(0, 4096) + spec.text.slice(-4096)))
      return build(spec);
  }
  return build(crdOnlySpec(), [input], await loadCrds([input]));
}

export async function diffMain(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      from: { type: "string" },
      to: { type: "string" },
      json: { type: "boolean" },
      "fail-on": { type: "string" },
      "cache-dir": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(DIFF_USAGE);
    return 0;
  }
  if (!values.from || !values.to) {
    process.stderr.write(`kubegen: usage: diff needs --from and --to\n${DIFF_USAGE}`);
    return 2;
  }
  const failOn = values["fail-on"]?.split(",").map((s) => s.trim()) ?? [];
  const unknown = failOn.filter((k) => !(FAIL_ON as readonly string[]).includes(k));
  if (unknown.length) {
    process.stderr.write(
      `kubegen: usage: --fail-on takes ${FAIL_ON.join(", ")}, not ${unknown.join(", ")}\n`,
    );
    return 2;
  }
  const cacheDir = resolve(values["cache-dir"] ?? process.env.KUBEGEN_CACHE_DIR ?? ".cache");
  const [before, after] = await Promise.all([
    modelOf(values.from, cacheDir),
    modelOf(values.to, cacheDir),
  ]);
  const diff = diffModels(before, after);
  process.stdout.write(values.json ? JSON.stringify(diff, null, 2) + "\n" : diffText(diff));
  return failsOn(diff, failOn) ? 1 : 0;
}
