/**
 * The generator against real Kubernetes specs: every release in ../shared/specs, the pinned
 * release behind generated/, and the newest release. Each output must type-check under --strict.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as prettier from "prettier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildOutput,
  checkOutput,
  readMetadata,
  writeOutput,
  type GenerateResult,
} from "../../../generator/generate.js";
import { moduleOfPath } from "../../../generator/model.js";
import { fromFile, fromRelease } from "../../../generator/sources.js";
import { parseSpec } from "../../../generator/spec.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const sharedSpecs = join(root, "../shared/specs");
// Outside the project: TypeScript skips dot-folders such as .cache even when included explicitly.
const outRoot = join(tmpdir(), `kubegen-upstream-${process.pid}`);
const runtimeFrom = (out: string) => relative(out, join(root, "runtime/index.js"));
const cacheDir = join(root, ".cache");
const run = promisify(execFile);
/** The newest Kubernetes release; it must generate too. */
const NEWEST = "1.37.2";

const versions = existsSync(sharedSpecs)
  ? readdirSync(sharedSpecs)
      .filter((v) => /^v1\.\d+$/.test(v))
      .sort()
  : [];

/** Operations a spec has that must become functions: group/version endpoints, minus connect and deprecated watch. */
function expectedOperations(text: string): Map<string, string[]> {
  const spec = parseSpec(text);
  const byModule = new Map<string, string[]>();
  for (const [path, item] of Object.entries(spec.paths)) {
    const mod = moduleOfPath(path);
    for (const method of ["get", "put", "post", "delete", "patch"] as const) {
      const op = item[method];
      if (!op || !mod) continue;
      const action = op["x-kubernetes-action"];
      if (action === "connect" || action === "watch" || action === "watchlist") continue;
      byModule.set(mod.key, [...(byModule.get(mod.key) ?? []), op.operationId!]);
    }
  }
  return byModule;
}

function exportedFunctions(result: GenerateResult, moduleKey: string): string[] {
  const text = result.files.get(`${moduleKey}/operations.ts`) ?? "";
  return [...text.matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]);
}

describe("upstream specs", () => {
  const outputs: string[] = [];

  it("finds the shared specs (CI always has them)", () => {
    if (process.env.CI) expect(versions.length).toBeGreaterThanOrEqual(9);
  });

  for (const version of versions) {
    it(`generates ${version} with a function for every operation`, async () => {
      const spec = await fromFile(join(sharedSpecs, version, "swagger.json"), `${version}.0`);
      const out = join(outRoot, version);
      const result = buildOutput(spec, { runtime: runtimeFrom(out), typeCheckOutput: true });
      const expected = expectedOperations(spec.text);
      let total = 0;
      for (const [mod, ids] of expected) {
        const functions = exportedFunctions(result, mod);
        const ops = result.model.modules.find((m) => m.key === mod)!.operations;
        expect(ops.map((o) => o.operationId).sort(), `${version} ${mod}`).toEqual([...ids].sort());
        for (const op of ops) expect(functions, `${version} ${op.operationId}`).toContain(op.name);
        total += ids.length;
      }
      expect(result.summary.operations).toBe(total);
      await writeOutput(out, result);
      outputs.push(out);
    });
  }

  it(`generates the newest release (${NEWEST})`, async () => {
    const spec = await fromRelease(NEWEST, { cacheDir }, () => {});
    const out = join(outRoot, `v${NEWEST}`);
    const result = buildOutput(spec, { runtime: runtimeFrom(out), typeCheckOutput: true });
    expect(result.summary.operations).toBeGreaterThan(800);
    await writeOutput(out, result);
    outputs.push(out);
  }, 300_000);

  it("type-checks every output under tsc --strict", async () => {
    expect(outputs.length).toBe(versions.length + 1);
    const tsconfig = join(outRoot, "tsconfig.json");
    await writeFile(
      tsconfig,
      JSON.stringify({
        extends: join(root, "tsconfig.json"),
        compilerOptions: {
          noEmit: true,
          strict: true,
          typeRoots: [join(root, "node_modules/@types")],
        },
        include: [...outputs.map((o) => `${o}/**/*.ts`), join(root, "runtime")],
        exclude: [],
      }),
    );
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    const result = await run(process.execPath, [tsc, "-p", tsconfig, "--listFiles"], {
      cwd: root,
      maxBuffer: 64 << 20,
    }).catch((e: { stdout: string }) => e);
    const lines = result.stdout.trim().split("\n");
    const errors = lines.filter((l) => !l.startsWith("/"));
    expect(errors.slice(0, 20)).toEqual([]);
    // Every output's operations file was part of the program (guards against an empty include).
    for (const out of outputs) expect(lines).toContain(join(out, "core/v1/operations.ts"));
  }, 600_000);
});

describe("the committed generated/ client", () => {
  let result: GenerateResult;

  beforeAll(async () => {
    const meta = await readMetadata(join(root, "generated"));
    expect(meta?.release).toMatch(/^v1\.36\.\d+$/);
    const spec = await fromRelease(meta!.release!, { cacheDir }, () => {});
    result = buildOutput(spec, { runtime: meta!.runtime, release: meta!.release });
  }, 300_000);

  it("regenerates to identical bytes", async () => {
    expect(await checkOutput(join(root, "generated"), result)).toEqual({
      changed: [],
      added: [],
      removed: [],
    });
  });

  it("declares shared query parameters once per group/version", () => {
    const ops = result.files.get("core/v1/operations.ts")!;
    expect(ops).toContain("export interface ListQuery {");
    expect(ops).toContain("export interface ListNamespacedPodParams extends ListQuery {");
    expect(ops).toContain("export interface CreateNamespacedPodParams extends WriteQuery {");
    expect(ops).toContain("export interface PatchNamespacedPodQuery extends PatchQuery {");
    // Each parameter's documentation appears once, not once per operation.
    expect(ops.match(/fieldValidation instructs the server/g)?.length).toBeLessThanOrEqual(3);
  });

  it("is formatted as Prettier would format it", async () => {
    const options = (await prettier.resolveConfig(join(root, "package.json"))) ?? {};
    for (const name of [
      "core/v1/operations.ts",
      "core/v1/models.ts",
      "apps/v1/operations.ts",
      "apiextensions.k8s.io/v1/models.ts",
    ]) {
      expect(
        await prettier.check(result.files.get(name)!, { ...options, filepath: name }),
        name,
      ).toBe(true);
    }
  }, 120_000);
});

beforeAll(async () => {
  await mkdir(outRoot, { recursive: true });
  // Generated code is ESM, as in any project that consumes it.
  await writeFile(join(outRoot, "package.json"), '{ "type": "module" }\n');
});
afterAll(async () => {
  if (!process.env.KEEP) await rm(outRoot, { recursive: true, force: true });
});
