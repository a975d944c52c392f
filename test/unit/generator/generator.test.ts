import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { buildOutput } from "../../../generator/generate.js";
import { applyFixUps, FIXUPS } from "../../../generator/fixups.js";
import { sha256, type LoadedSpec } from "../../../generator/sources.js";
import { SpecError, parseSpec } from "../../../generator/spec.js";
import type { Operation } from "../../../generator/ir.js";
import { planQueries } from "../../../templates/operations.js";
import { miniSpec } from "./mini-spec.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");
const goldenDir = join(here, "golden");
// Golden files sit four folders below the project root, so this reaches runtime/ from them.
const RUNTIME = "../../../../runtime/index.js";
const run = promisify(execFile);

function loaded(spec: object = miniSpec(), version = "v1.99.0"): LoadedSpec {
  const text = JSON.stringify(spec, null, 2);
  return {
    text,
    provenance: { source: "file mini.json", kubernetesVersion: version, sha256: sha256(text) },
  };
}

async function readTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else out.set(full.slice(dir.length + 1), await readFile(full, "utf8"));
    }
  }
  await walk(dir);
  return out;
}

function cli(args: string[]) {
  return run(
    process.execPath,
    ["--import", "tsx", join(root, "generator/cli.ts"), "generate", "--quiet", ...args],
    {
      cwd: root,
    },
  ).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}

describe("generator on a small spec", () => {
  const result = buildOutput(loaded(), { runtime: RUNTIME });
  const file = (name: string) => {
    const text = result.files.get(name);
    if (text === undefined)
      throw new Error(`no ${name} in output: ${[...result.files.keys()].join(", ")}`);
    return text;
  };

  it("emits connect operations as stream functions in their own entry, with argv as string[]", () => {
    const streams = file("core/v1/streams/index.ts");
    expect(streams).toContain("export function execNamespacedPod(");
    expect(streams).toMatch(/command: string\[\];/);
    expect(streams).toContain("connectCoreV1GetNamespacedPodExec");
    expect(streams).toContain('from "../../../../../../../runtime/streams/index.js"');
    expect(streams).toMatch(/tty\?: boolean;/);
    // The group/version entry does not load the stream runtime.
    expect(file("core/v1/index.ts")).not.toContain("streams");
    expect(result.summary.connect).toEqual({ served: 1, functions: 1, unserved: [] });
  });

  it("matches the golden files exactly", async () => {
    if (process.env.UPDATE_GOLDEN) {
      await rm(goldenDir, { recursive: true, force: true });
      for (const [name, text] of result.files) {
        await mkdir(dirname(join(goldenDir, name)), { recursive: true });
        await writeFile(join(goldenDir, name), text);
      }
    }
    const golden = await readTree(goldenDir);
    expect([...result.files.keys()].sort()).toEqual([...golden.keys()].sort());
    for (const [name, text] of result.files) expect(text, name).toBe(golden.get(name));
  });

  it("lays out one folder per group/version with an index", () => {
    expect([...result.files.keys()].sort()).toEqual([
      "core/v1/index.ts",
      "core/v1/models.ts",
      "core/v1/operations.ts",
      "core/v1/permissions.ts",
      "core/v1/resources.ts",
      "core/v1/streams/index.ts",
      "events.k8s.io/v1/index.ts",
      "events.k8s.io/v1/models.ts",
      "events.k8s.io/v1/operations.ts",
      "events.k8s.io/v1/permissions.ts",
      "events.k8s.io/v1/resources.ts",
      "kubegen.json",
      "manifests.ts",
      "meta/v1/index.ts",
      "meta/v1/models.ts",
      "rbac.authorization.k8s.io/v1/index.ts",
      "rbac.authorization.k8s.io/v1/operations.ts",
      "rbac.authorization.k8s.io/v1/permissions.ts",
    ]);
    expect(file("core/v1/index.ts")).toContain('export * from "./operations.js";');
  });

  it("is deterministic and starts every file with the provenance header", () => {
    const again = buildOutput(loaded(), { runtime: RUNTIME });
    expect([...again.files]).toEqual([...result.files]);
    for (const [name, text] of result.files) {
      if (!name.endsWith(".ts")) continue;
      expect(text.split("\n").slice(0, 4), name).toEqual([
        "// Code generated by kubegen. DO NOT EDIT.",
        "// Source: file mini.json",
        "// Kubernetes version: v1.99.0",
        `// Spec sha256: ${loaded().provenance.sha256}`,
      ]);
    }
  });

  it("names operations without the group/version infix and skips deprecated watch paths", () => {
    const ops = file("core/v1/operations.ts");
    for (const name of [
      "listNamespacedPod",
      "watchNamespacedPod",
      "paginateNamespacedPod",
      "createNamespacedPod",
      "readNamespacedPod",
      "patchNamespacedPod",
      "deleteNamespacedPod",
      "readNamespacedPodLog",
    ]) {
      expect(ops).toMatch(new RegExp(`export function ${name}\\(`));
    }
    expect(ops).not.toMatch(/connect[A-Z]|watchNamespacedPodList|Exec/);
    expect(file("rbac.authorization.k8s.io/v1/operations.ts")).toContain(
      "export function getAPIResources(",
    );
    const reasons = Object.fromEntries(result.model.skipped.map((s) => [s.operationId, s.reason]));
    expect(reasons.connectCoreV1GetNamespacedPodExec).toBeUndefined();
    expect(reasons.watchCoreV1NamespacedPodList).toMatch(/deprecated watch/);
    expect(reasons.getCodeVersion).toMatch(/not a group\/version endpoint/);
  });

  it("types params: path required, namespace optional, query typed, body typed, response typed", () => {
    const ops = file("core/v1/operations.ts");
    expect(ops).toContain(
      "export interface ReadNamespacedPodParams {\n  /** name of the Pod */\n  name: string;\n",
    );
    expect(ops).toMatch(
      /export interface ListNamespacedPodParams \{[^}]*namespace\?: string;[^}]*limit\?: number;/s,
    );
    expect(ops).not.toMatch(/ListNamespacedPodParams \{[^}]*watch\?/s);
    expect(ops).toMatch(/CreateNamespacedPodParams \{[^}]*body: Pod;/s);
    expect(ops).toMatch(
      /DeleteNamespacedPodParams \{[^}]*dryRun\?: string\[\];[^}]*body\?: DeleteOptions;/s,
    );
    expect(ops).toContain("): Promise<Pod | Status> {");
    expect(ops).toContain("): Promise<string> {\n  return sendText(");
    // No required params: the params object itself is optional.
    expect(ops).toContain("params: ListNamespacedPodParams = {},");
    expect(ops).toMatch(/params: ReadNamespacedPodParams,\n/);
  });

  it("gives list operations typed watch and paginate forms, and no watch form where the list cannot watch", () => {
    const ops = file("core/v1/operations.ts");
    expect(ops).toContain("): AsyncIterable<WatchEvent<Pod>> {\n  return watch<Pod>(");
    expect(ops).toContain("): AsyncIterable<Pod> {\n  return paginate<Pod>(");
    expect(ops).toContain("export function paginateComponentStatus(");
    // core/v1 publishes /watch/ paths, and none for componentstatuses: the server cannot watch it.
    expect(ops).not.toContain("export function watchComponentStatus(");
    // events.k8s.io/v1 publishes no /watch/ paths at all (as CRD groups): its lists can be watched.
    expect(file("events.k8s.io/v1/operations.ts")).toContain(
      "export function watchEventForAllNamespaces(",
    );
  });

  it("types patches by patch type from the operation's consumes", () => {
    expect(file("core/v1/operations.ts")).toContain(
      'export type PatchNamespacedPodParams = WithPatch<\n  PatchNamespacedPodQuery,\n  Pod,\n  "apply" | "json" | "merge" | "strategic-merge"\n>;',
    );
  });

  it("writes models with literal apiVersion/kind, JSDoc, required fields and the Kubernetes scalar types", () => {
    const core = file("core/v1/models.ts");
    expect(core).toContain('  apiVersion?: "v1";\n');
    expect(core).toContain('  kind?: "Pod";\n');
    expect(core).toContain("A comment terminator *\\/ must not end the JSDoc.");
    expect(core).toMatch(/export interface PodSpec \{[^]*?containers: Container\[\];/);
    expect(core).toContain("  activeDeadlineSeconds?: number;\n");
    expect(core).toContain('  "x-custom-key"?: string;\n');
    expect(core).toContain("  overhead?: Record<string, Quantity>;\n");
    expect(core).toContain("  config?: RawExtension;\n");
    expect(core).toContain("  anything?: unknown;\n");
    expect(core).toContain("  surge?: number | string;\n");
    const meta = file("meta/v1/models.ts");
    expect(meta).toContain("export type Quantity = number | string;");
    expect(meta).toContain("export type IntOrString = number | string;");
    expect(meta).toContain("export type Time = string;");
    expect(meta).toContain("export type RawExtension = Record<string, unknown>;");
    for (const [name, text] of result.files) expect(text, name).not.toMatch(/\bany\b/);
  });

  it("resolves name clashes across groups through module paths and import aliases", () => {
    const events = file("events.k8s.io/v1/models.ts");
    expect(events).toContain(
      'import type { Event as CoreV1Event } from "../../core/v1/models.js";',
    );
    expect(events).toContain("export interface Event {");
    expect(events).toContain("  series?: CoreV1Event;\n");
    // The named fix-up: eventTime is optional and may be null.
    expect(events).toContain("  eventTime?: MicroTime | null;\n");
  });

  it("exports a resource registry per group/version", () => {
    const res = file("core/v1/resources.ts");
    expect(res).toContain('    kind: "Pod",\n    plural: "pods",\n    namespaced: true,\n');
    expect(res).toContain('    verbs: ["create", "delete", "get", "list", "patch", "watch"],\n');
    expect(res).toContain('    subresources: ["exec", "log"],\n');
  });

  it("emits files Prettier leaves unchanged", async () => {
    const options = (await prettier.resolveConfig(join(root, "package.json"))) ?? {};
    for (const [name, text] of result.files) {
      if (!name.endsWith(".ts")) continue;
      expect(await prettier.check(text, { ...options, filepath: name }), name).toBe(true);
    }
  });
});

describe("shared query parameters", () => {
  const param = (name: string, description = `the ${name}`) => ({
    name,
    description,
    type: { kind: "string" } as const,
    required: false,
  });
  const op = (name: string, ...queryParams: ReturnType<typeof param>[]) =>
    ({ name, queryParams }) as unknown as Operation;

  it("move word-for-word repeats used by three or more operations into one named interface", () => {
    const plan = planQueries([
      op("listA", param("limit"), param("pretty")),
      op("listB", param("limit"), param("pretty")),
      op("listC", param("limit"), param("pretty"), param("odd")),
      op("readA", param("pretty")),
      // Same name, other words: not the same parameter, so it stays with its operation.
      op("readB", param("pretty", "something else")),
    ]);
    expect(plan.shared.map((s) => [s.name, s.params.map((p) => p.name)])).toEqual([
      ["CommonQuery", ["pretty"]],
      ["ListQuery", ["limit", "pretty"]],
    ]);
    expect(plan.byOperation.get("listC")).toEqual({ base: "ListQuery", own: [param("odd")] });
    expect(plan.byOperation.get("readA")).toEqual({ base: "CommonQuery", own: [] });
    expect(plan.byOperation.get("readB")).toEqual({
      base: undefined,
      own: [param("pretty", "something else")],
    });
  });
});

describe("broken specs", () => {
  const build = (spec: object) => () => buildOutput(loaded(spec), { runtime: RUNTIME });

  it("reports invalid JSON with line and column", () => {
    expect(() => parseSpec('{\n  "swagger": "2.0",\n  "paths": {,\n}')).toThrow(
      /line 3, column \d+/,
    );
  });

  it("names the JSON pointer of a dangling $ref", () => {
    const spec = miniSpec();
    spec.definitions["io.k8s.api.core.v1.PodSpec"].properties!.containers.items = {
      $ref: "#/definitions/io.k8s.api.core.v1.Missing",
    };
    expect(build(spec)).toThrow(SpecError);
    expect(build(spec)).toThrow(
      '#/definitions/io.k8s.api.core.v1.PodSpec/properties/containers/items/$ref: dangling reference "#/definitions/io.k8s.api.core.v1.Missing"',
    );
  });

  it("names the JSON pointer of an unknown type", () => {
    const spec = miniSpec();
    spec.definitions["io.k8s.api.core.v1.Container"].properties!.name = { type: "strnig" };
    expect(build(spec)).toThrow(
      '#/definitions/io.k8s.api.core.v1.Container/properties/name/type: unknown type "strnig"',
    );
  });

  it("names the JSON pointer of a dangling parameter reference", () => {
    const spec = miniSpec();
    spec.paths["/api/v1/namespaces/{namespace}/pods"].get!.parameters![1] = {
      $ref: "#/parameters/nope",
    } as never;
    expect(build(spec)).toThrow(
      "#/paths/~1api~1v1~1namespaces~1{namespace}~1pods/get/parameters/1/$ref",
    );
  });

  it("rejects OpenAPI 3 documents with a clear message", () => {
    expect(() => parseSpec('{"openapi": "3.0.0", "paths": {}}')).toThrow(
      /#\/openapi: OpenAPI 3.0.0 is not supported/,
    );
  });
});

describe("fix-ups", () => {
  it("fail the run when upstream no longer needs them", () => {
    const spec = miniSpec();
    spec.definitions["io.k8s.api.events.v1.Event"].required = [];
    expect(() => applyFixUps(spec)).toThrow(/events-v1-event-time-nullable is no longer needed/);
  });

  it("are recorded in kubegen.json and skip specs without their target", () => {
    const result = buildOutput(loaded(), { runtime: RUNTIME });
    expect(JSON.parse(result.files.get("kubegen.json")!).fixups).toEqual([
      "events-v1-event-time-nullable",
    ]);
    expect(FIXUPS.map((f) => f.name)).toContain("json-schema-props-or-bool");
  });
});

describe("the generate command", () => {
  it("writes atomically, keeps the previous output on a broken spec, and --check reports drift", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kubegen-cli-"));
    try {
      const good = join(dir, "good.json");
      const broken = join(dir, "broken.json");
      const out = join(dir, "out");
      await writeFile(good, JSON.stringify(miniSpec()));
      const bad = miniSpec();
      bad.definitions["io.k8s.api.core.v1.Pod"].properties!.spec = {
        $ref: "#/definitions/nowhere",
      };
      await writeFile(broken, JSON.stringify(bad));

      const first = await cli(["--spec", good, "--out", out, "--runtime", "kubegen/runtime"]);
      expect(first.code, first.stderr).toBe(0);
      const before = await readTree(out);
      expect(before.get("core/v1/operations.ts")).toContain('from "kubegen/runtime";');

      const failed = await cli(["--spec", broken, "--out", out]);
      expect(failed.code).toBe(2);
      expect(failed.stderr).toContain(
        "broken spec: #/definitions/io.k8s.api.core.v1.Pod/properties/spec/$ref",
      );
      expect(await readTree(out)).toEqual(before);
      expect((await readdir(dir)).sort()).toEqual(["broken.json", "good.json", "out"]);

      const clean = await cli(["--spec", good, "--out", out, "--check"]);
      expect(clean.code, clean.stderr).toBe(0);
      await writeFile(join(out, "core/v1/models.ts"), "// edited\n");
      await writeFile(join(out, "core/v1/extra.ts"), "// stray\n");
      const drift = await cli(["--spec", good, "--out", out, "--check"]);
      expect(drift.code).toBe(1);
      expect(drift.stdout).toContain("changed  core/v1/models.ts");
      expect(drift.stdout).toContain("removed  core/v1/extra.ts");
      expect(await readFile(join(out, "core/v1/models.ts"), "utf8")).toBe("// edited\n");

      const again = await cli(["--spec", good, "--out", out]);
      expect(again.code).toBe(0);
      expect(await readTree(out)).toEqual(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("downloads a release from a configurable base URL and caches it", async () => {
    const { createServer } = await import("node:http");
    const dir = await mkdtemp(join(tmpdir(), "kubegen-release-"));
    const body = JSON.stringify(miniSpec());
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url!);
      if (req.url === "/v1.99.1/api/openapi-spec/swagger.json") res.end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const args = [
        "--kubernetes",
        "1.99.1",
        "--out",
        join(dir, "out"),
        "--cache-dir",
        join(dir, "cache"),
      ];
      const url = ["--release-url", `http://127.0.0.1:${port}/`];
      const first = await cli([...args, ...url]);
      expect(first.code, first.stderr).toBe(0);
      const meta = JSON.parse(await readFile(join(dir, "out/kubegen.json"), "utf8"));
      expect(meta).toMatchObject({
        release: "v1.99.1",
        kubernetesVersion: "v1.99.1",
        sha256: sha256(body),
      });
      expect(await readFile(join(dir, "cache/specs/v1.99.1/swagger.json"), "utf8")).toBe(body);
      // Cached now: the server is not asked again, and no source means "the pinned release".
      const second = await cli([
        "--out",
        join(dir, "out"),
        "--cache-dir",
        join(dir, "cache"),
        "--check",
      ]);
      expect(second.code, second.stderr).toBe(0);
      expect(seen).toEqual(["/v1.99.1/api/openapi-spec/swagger.json"]);
      const missing = await cli([
        "--kubernetes",
        "1.99.2",
        "--out",
        join(dir, "o2"),
        "--cache-dir",
        join(dir, "cache"),
        ...url,
      ]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/cannot obtain the spec of Kubernetes v1.99.2[^]*404/);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
