// The whole loop for a CRD: install it, generate a client from the live cluster's /openapi/v2,
// type-check the output, then drive the custom resource through the freshly generated functions.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCustomResourceDefinition,
  deleteCustomResourceDefinition,
  readCustomResourceDefinition,
  type CustomResourceDefinition,
} from "../../generated/apiextensions.k8s.io/v1/index.js";
import {
  createClient,
  discoverGroups,
  discoverResources,
  isInvalid,
  isNotFound,
  KubeError,
  sendText,
  type CallOptions,
  type Client,
  type PaginateOptions,
  type ResourceInfo,
  type WatchEvent,
  type WatchOptions,
} from "../../runtime/index.js";
import { useCluster } from "./cluster.js";
import { adminClient, eventually, testNamespace } from "./support.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RUNTIME = path.join(ROOT, "runtime/index.js");

const group = `e2e${randomBytes(4).toString("hex")}.kubegen.test`;
const plural = "crontabs";
const crdName = `${plural}.${group}`;

const crd: CustomResourceDefinition = {
  metadata: { name: crdName },
  spec: {
    group,
    scope: "Namespaced",
    names: { plural, singular: "crontab", kind: "CronTab", listKind: "CronTabList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["cronSpec"],
                properties: {
                  cronSpec: { type: "string" },
                  replicas: { type: "integer" },
                  paused: { type: "boolean" },
                  port: { "x-kubernetes-int-or-string": true },
                  tags: { type: "array", items: { type: "string" } },
                  labels: { type: "object", additionalProperties: { type: "string" } },
                },
              },
            },
          },
        },
      },
    ],
  },
};

/** The shape the generated module should have; the tsc step below checks the real types. */
interface CronTab {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
  spec?: {
    cronSpec: string;
    replicas?: number;
    paused?: boolean;
    port?: number | string;
    tags?: string[];
    labels?: Record<string, string>;
  };
}
interface CronTabModule {
  resources: readonly ResourceInfo[];
  createNamespacedCronTab(
    client: Client,
    params: { namespace?: string; body: CronTab },
  ): Promise<CronTab>;
  readNamespacedCronTab(
    client: Client,
    params: { namespace?: string; name: string },
  ): Promise<CronTab>;
  patchNamespacedCronTab(
    client: Client,
    params: { namespace?: string; name: string; patchType: "merge" | "json"; body: unknown },
  ): Promise<CronTab>;
  listNamespacedCronTab(
    client: Client,
    params: { namespace?: string; labelSelector?: string },
  ): Promise<{ kind?: string; items: CronTab[] }>;
  paginateNamespacedCronTab(
    client: Client,
    params: { namespace?: string },
    options?: PaginateOptions,
  ): AsyncIterable<CronTab>;
  deleteNamespacedCronTab(
    client: Client,
    params: { namespace?: string; name: string },
    options?: CallOptions,
  ): Promise<unknown>;
  watchNamespacedCronTab?(
    client: Client,
    params: { namespace?: string; resourceVersion?: string },
    options?: WatchOptions,
  ): AsyncIterable<WatchEvent<CronTab>>;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    proc.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    proc.on("error", reject);
    proc.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("generate --from-cluster with a CRD installed", () => {
  const cluster = useCluster();
  const admin = adminClient();
  let namespace: Awaited<ReturnType<typeof testNamespace>> | undefined;
  let client: Client | undefined;
  let crdCreated = false;
  let dir: string;
  let out: string;
  let moduleDir: string;
  let generation: Run;

  beforeAll(async () => {
    namespace = await testNamespace(admin, "e2e-gen");
    await createCustomResourceDefinition(admin, { body: crd });
    crdCreated = true;
    await eventually("the CRD to be Established", async () => {
      const { status } = await readCustomResourceDefinition(admin, { name: crdName });
      return (
        status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ||
        undefined
      );
    });
    // The aggregated OpenAPI document is rebuilt asynchronously after the CRD is established.
    await eventually(
      "the CRD in /openapi/v2",
      async () => {
        const text = await sendText(
          admin,
          "GET",
          "/openapi/v2",
          {},
          { headers: { accept: "application/json" } },
        );
        const spec = JSON.parse(text) as { paths: Record<string, unknown> };
        return spec.paths[`/apis/${group}/v1/namespaces/{namespace}/${plural}`] ? true : undefined;
      },
      60_000,
    );

    dir = await realpath(await mkdtemp(path.join(tmpdir(), "kubegen-e2e-gen-")));
    out = path.join(dir, "out");
    moduleDir = path.join(out, group, "v1");
    // Under NodeNext, tsc treats the output as ES modules only below a "type": "module" package.
    await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
    generation = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "generator/cli.ts",
        "generate",
        "--from-cluster",
        "--kubeconfig",
        cluster.kubeconfigPath,
        "--out",
        out,
        // So the tsc step below checks the generated code itself, not only its use.
        "--type-check-output",
        // Relative to OUT: the output imports this checkout's runtime, not a published one.
        "--runtime",
        path.relative(out, RUNTIME),
      ],
      ROOT,
    );
  });

  afterAll(async () => {
    if (crdCreated) {
      await deleteCustomResourceDefinition(admin, { name: crdName }).catch(() => {});
      // Wait until the group is gone from discovery, so later files never see it half-removed.
      await eventually("the CRD's group to leave discovery", async () =>
        (await discoverGroups(admin)).some((g) => g.name === group) ? undefined : true,
      ).catch(() => {});
    }
    await namespace?.remove();
    await client?.close();
    await admin.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const generated = async (): Promise<CronTabModule> => {
    if (generation.code !== 0) throw new Error(`generation failed:\n${generation.stderr}`);
    return (await import(path.join(moduleDir, "index.ts"))) as CronTabModule;
  };

  it("the CLI reads the cluster through --kubeconfig and writes a module for the CRD's group", async () => {
    expect(generation.code, generation.stderr).toBe(0);
    expect(generation.stderr).toContain(
      `reading /openapi/v2 from ${cluster.server} (kubeconfig ${cluster.kubeconfigPath}`,
    );
    expect(generation.stderr).toMatch(
      /^kubegen: \d+ group\/versions, \d+ operations, \d+ models, \d+ files in [\d.]+s → .+ \(Kubernetes v1\.36\.3\)$/m,
    );
    const meta = JSON.parse(await readFile(path.join(out, "kubegen.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(meta).toMatchObject({
      // CRD group/versions come from /openapi/v3, which keeps what v2 drops.
      source: expect.stringMatching(
        new RegExp(`^cluster ${cluster.server} \\+ /openapi/v3 \\(\\d+ CRD group/versions\\)$`),
      ),
      kubernetesVersion: "v1.36.3",
      typeCheckOutput: true,
    });
    const { resources } = await generated();
    expect(resources).toEqual([
      expect.objectContaining({ group, version: "v1", kind: "CronTab", plural, namespaced: true }),
    ]);
  });

  it("the output type-checks together with the runtime", async () => {
    // A consumer of the module: valid objects compile, invalid ones must not.
    const usage = path.join(dir, "usage.ts");
    const importOf = (file: string) => `./${path.relative(dir, file).replace(/\.ts$/, ".js")}`;
    await writeFile(
      usage,
      [
        `import type { Client } from ${JSON.stringify(path.relative(dir, RUNTIME))};`,
        `import { createNamespacedCronTab, patchNamespacedCronTab, type CronTab } from ${JSON.stringify(importOf(path.join(moduleDir, "index.ts")))};`,
        `declare const client: Client;`,
        `const full: CronTab = { apiVersion: ${JSON.stringify(`${group}/v1`)}, kind: "CronTab", metadata: { name: "a" }, spec: { cronSpec: "* * * * *", replicas: 1, paused: false, port: 80, tags: ["x"], labels: { a: "b" } } };`,
        `const named: CronTab = { spec: { cronSpec: "* * * * *", port: "http" } };`,
        `// @ts-expect-error cronSpec is required`,
        `const noCronSpec: CronTab = { spec: { replicas: 1 } };`,
        `// @ts-expect-error apiVersion is the CRD's group/version`,
        `const otherVersion: CronTab = { apiVersion: "other/v1" };`,
        `// @ts-expect-error replicas is an integer`,
        `const stringReplicas: CronTab = { spec: { cronSpec: "x", replicas: "1" } };`,
        `export const created: Promise<CronTab> = createNamespacedCronTab(client, { namespace: "n", body: full });`,
        `export const patched: Promise<CronTab> = patchNamespacedCronTab(client, { name: "a", patchType: "merge", body: { spec: { replicas: 2 } } });`,
        `export const all = [full, named, noCronSpec, otherVersion, stringReplicas];`,
        ``,
      ].join("\n"),
    );
    const tsconfig = path.join(dir, "tsconfig.json");
    await writeFile(
      tsconfig,
      JSON.stringify({
        extends: path.join(ROOT, "tsconfig.json"),
        compilerOptions: { typeRoots: [path.join(ROOT, "node_modules/@types")] },
        include: [`${out}/**/*.ts`, usage, path.join(ROOT, "runtime")],
        exclude: [],
      }),
    );
    const tsc = await run(
      process.execPath,
      [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", tsconfig, "--listFiles"],
      dir,
    );
    const errors = tsc.stdout.split("\n").filter((l) => l.includes("error TS"));
    expect(errors).toEqual([]);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
    const files = tsc.stdout.split("\n");
    expect(files).toContain(path.join(moduleDir, "operations.ts"));
    expect(files).toContain(usage);
    expect(files).toContain(path.join(out, "core/v1/operations.ts"));
  }, 180_000);

  it("the model pins apiVersion and kind and keeps required fields required", async () => {
    const models = await readFile(path.join(moduleDir, "models.ts"), "utf8");
    expect(models).toMatch(/export interface CronTab \{/);
    expect(models).toContain(`apiVersion?: ${JSON.stringify(`${group}/v1`)};`);
    expect(models).toContain(`kind?: "CronTab";`);
    expect(models).toContain(`kind?: "CronTabList";`);
    expect(models).toMatch(/^\s+cronSpec: string;$/m);
    expect(models).toMatch(/^\s+replicas\?: number;$/m);
    expect(models).toMatch(/^\s+paused\?: boolean;$/m);
    expect(models).toMatch(/^\s+tags\?: string\[\];$/m);
    expect(models).toMatch(/^\s+labels\?: Record<string, string>;$/m);
  });

  it("the model types an x-kubernetes-int-or-string field as number | string", async () => {
    const models = await readFile(path.join(moduleDir, "models.ts"), "utf8");
    expect(/^\s+port\?: (.*);$/m.exec(models)?.[1]).toBe("number | string");
  });

  it("creates, reads, patches, lists, paginates and deletes custom resources", async () => {
    const m = await generated();
    // The namespace comes from the client, as it would for an application's own resources.
    client = createClient({
      server: cluster.server,
      token: cluster.adminToken,
      ca: cluster.caPem,
      namespace: namespace!.name,
    });

    const a = await m.createNamespacedCronTab(client, {
      body: {
        apiVersion: `${group}/v1`,
        kind: "CronTab",
        metadata: { name: "a" },
        spec: {
          cronSpec: "*/5 * * * *",
          replicas: 1,
          port: "http",
          tags: ["x"],
          labels: { team: "e2e" },
        },
      },
    });
    expect(a).toMatchObject({
      apiVersion: `${group}/v1`,
      kind: "CronTab",
      metadata: { name: "a", namespace: namespace!.name },
      spec: { cronSpec: "*/5 * * * *", replicas: 1, port: "http" },
    });
    const b = await m.createNamespacedCronTab(client, {
      namespace: namespace!.name,
      body: {
        apiVersion: `${group}/v1`,
        kind: "CronTab",
        metadata: { name: "b" },
        spec: { cronSpec: "0 * * * *", port: 8080 },
      },
    });
    // int-or-string keeps whichever type was sent.
    expect(b.spec?.port).toBe(8080);

    const read = await m.readNamespacedCronTab(client, { name: "a" });
    expect(read.metadata?.uid).toBe(a.metadata?.uid);

    const merged = await m.patchNamespacedCronTab(client, {
      name: "a",
      patchType: "merge",
      body: { spec: { replicas: 3, port: 9090 } },
    });
    expect(merged.spec).toMatchObject({
      cronSpec: "*/5 * * * *",
      replicas: 3,
      port: 9090,
      tags: ["x"],
    });
    expect(merged.metadata?.resourceVersion).not.toBe(a.metadata?.resourceVersion);

    const jsonPatched = await m.patchNamespacedCronTab(client, {
      name: "a",
      patchType: "json",
      body: [{ op: "replace", path: "/spec/cronSpec", value: "0 0 * * *" }],
    });
    expect(jsonPatched.spec?.cronSpec).toBe("0 0 * * *");

    const list = await m.listNamespacedCronTab(client, {});
    expect(list.kind).toBe("CronTabList");
    expect(list.items.map((i) => i.metadata?.name).sort()).toEqual(["a", "b"]);

    let pages = 0;
    const paged: string[] = [];
    for await (const item of m.paginateNamespacedCronTab(
      client,
      {},
      { pageSize: 1, onResponse: () => pages++ },
    )) {
      paged.push(item.metadata!.name!);
    }
    expect(paged.sort()).toEqual(["a", "b"]);
    expect(pages).toBeGreaterThanOrEqual(2);

    await m.deleteNamespacedCronTab(client, { name: "a" });
    const gone = await m.readNamespacedCronTab(client, { name: "a" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(gone).toBeInstanceOf(KubeError);
    expect(isNotFound(gone), String(gone)).toBe(true);
    expect((await m.listNamespacedCronTab(client, {})).items.map((i) => i.metadata?.name)).toEqual([
      "b",
    ]);
  });

  it("the server enforces the schema's required field", async () => {
    const m = await generated();
    const error = await m
      .createNamespacedCronTab(admin, {
        namespace: namespace!.name,
        body: {
          apiVersion: `${group}/v1`,
          kind: "CronTab",
          metadata: { name: "bad" },
          spec: { replicas: 1 } as CronTab["spec"],
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isInvalid(error), String(error)).toBe(true);
  });

  it("generates a watch function and registry verbs matching what the server serves", async () => {
    const m = await generated();
    const [served] = (await discoverResources(admin)).filter((r) => r.group === group);
    expect(served).toBeDefined();
    expect([...m.resources[0].verbs].sort()).toEqual([...served.verbs].sort());
    expect(typeof m.watchNamespacedCronTab).toBe("function");

    const controller = new AbortController();
    const deadline = setTimeout(
      () => controller.abort(new Error("no ADDED event within 15 s")),
      15_000,
    );
    const events = m.watchNamespacedCronTab!(client!, {}, { signal: controller.signal });
    const first = (async () => {
      for await (const event of events) {
        if (event.type === "ADDED" && event.object.metadata?.name === "watched") return event;
      }
      return undefined;
    })();
    await m.createNamespacedCronTab(client!, {
      body: {
        apiVersion: `${group}/v1`,
        kind: "CronTab",
        metadata: { name: "watched" },
        spec: { cronSpec: "* * * * *" },
      },
    });
    const event = await first.finally(() => clearTimeout(deadline));
    controller.abort();
    expect(event?.object.spec?.cronSpec).toBe("* * * * *");
  });
});
