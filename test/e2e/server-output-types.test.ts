// What the real API server sends must type-check against the generated models: 18 lists from
// the test cluster (objects created as a new user would, objects the server creates itself, and
// Gateway API custom resources), each written as an object literal typed as the generated list
// type and compiled with tsc --strict (object literals also reject fields the types lack).
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadAll } from "js-yaml";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CustomResourceDefinition } from "../../generated/apiextensions.k8s.io/v1/index.js";
import { createNamespacedDeployment } from "../../generated/apps/v1/index.js";
import { createNamespacedCronJob } from "../../generated/batch/v1/index.js";
import {
  createNamespacedEvent,
  createNamespacedPod,
  createNamespacedService,
} from "../../generated/core/v1/index.js";
import { loadCrds } from "../../generator/crd.js";
import { crdOnlySpec, withCrdProvenance } from "../../generator/crd-source.js";
import { buildOutput } from "../../generator/generate.js";
import { send, sendText, type Client } from "../../runtime/index.js";
import { CRD_SETS, crdSetDir } from "../tools/crd-sets.js";
import { installCrds, removeCrds, ROOT, tscStrict } from "./crd-support.js";
import { adminClient, testNamespace } from "./support.js";

const GATEWAY_KINDS = new Set(["GatewayClass", "Gateway", "HTTPRoute"]);

describe("server output type-checks against the generated models", () => {
  let admin: Client;
  let ns: { name: string; remove(): Promise<void> };
  let dir: string;
  const installed: string[] = [];

  beforeAll(async () => {
    admin = adminClient();
    ns = await testNamespace(admin, "e2e-output");
    dir = await realpath(await mkdtemp(path.join(tmpdir(), "kubegen-e2e-output-")));
    await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));

    // Gateway API types from --crd, and the CRDs installed.
    const set = CRD_SETS.find((s) => s.name === "gateway-api-standard")!;
    const loaded = await loadCrds([await crdSetDir(set)]);
    loaded.crds = loaded.crds.filter((c) => GATEWAY_KINDS.has(c.kind));
    const out = path.join(dir, "gateway");
    const result = buildOutput(withCrdProvenance(crdOnlySpec(), loaded, [set.name]), {
      runtime: path.relative(out, path.join(ROOT, "runtime/index.js")),
      typeCheckOutput: true,
      crds: { loaded, paths: [set.name] },
    });
    for (const [name, text] of result.files) {
      await mkdir(path.dirname(path.join(out, name)), { recursive: true });
      await writeFile(path.join(out, name), text);
    }
    const docs: CustomResourceDefinition[] = [];
    for (const file of loaded.files)
      for (const doc of loadAll(await readFile(file, "utf8")) as CustomResourceDefinition[])
        if (doc?.kind === "CustomResourceDefinition" && GATEWAY_KINDS.has(doc.spec.names.kind))
          docs.push(doc);
    installed.push(...(await installCrds(admin, docs)));

    // Objects as a new user writes them: the server defaults the rest.
    const namespace = ns.name;
    const labels = { app: "web" };
    const container = { name: "web", image: "nginx:1.27" };
    await createNamespacedDeployment(admin, {
      namespace,
      body: {
        metadata: { name: "web" },
        spec: {
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [container] } },
        },
      },
    });
    await createNamespacedPod(admin, {
      namespace,
      body: { metadata: { name: "web-0", labels }, spec: { containers: [container] } },
    });
    await createNamespacedService(admin, {
      namespace,
      body: { metadata: { name: "web" }, spec: { selector: labels, ports: [{ port: 80 }] } },
    });
    await createNamespacedCronJob(admin, {
      namespace,
      body: {
        metadata: { name: "nightly" },
        spec: {
          schedule: "0 3 * * *",
          jobTemplate: {
            spec: { template: { spec: { restartPolicy: "Never", containers: [container] } } },
          },
        },
      },
    });
    await createNamespacedEvent(admin, {
      namespace,
      body: {
        metadata: { name: "web-0.started" },
        involvedObject: { kind: "Pod", name: "web-0", namespace },
        reason: "Started",
        message: "started",
        type: "Normal",
      },
    });
    const gv = "gateway.networking.k8s.io/v1";
    const cr = async (plural: string, body: object, namespaced = true) =>
      send(admin, "POST", `/apis/${gv}${namespaced ? `/namespaces/${namespace}` : ""}/${plural}`, {
        body,
      });
    await cr(
      "gatewayclasses",
      {
        apiVersion: gv,
        kind: "GatewayClass",
        metadata: { name: `gc-${namespace}` },
        spec: { controllerName: "example.com/gw" },
      },
      false,
    );
    await cr("gateways", {
      apiVersion: gv,
      kind: "Gateway",
      metadata: { name: "gw" },
      spec: { gatewayClassName: "gc", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
    });
    await cr("httproutes", {
      apiVersion: gv,
      kind: "HTTPRoute",
      metadata: { name: "route" },
      spec: { parentRefs: [{ name: "gw" }], rules: [{ backendRefs: [{ name: "web", port: 80 }] }] },
    });
  }, 120_000);

  afterAll(async () => {
    await removeCrds(admin, installed);
    await ns?.remove();
    await admin?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 240_000);

  it("18 lists, from the built-in groups and Gateway API, compile as typed literals", async () => {
    const n = ns.name;
    const generated = path.relative(dir, path.join(ROOT, "generated"));
    const lists: [string, string, string][] = [
      [
        `/apis/apps/v1/namespaces/${n}/deployments`,
        `${generated}/apps/v1/index.js`,
        "DeploymentList",
      ],
      [
        `/apis/apps/v1/namespaces/${n}/replicasets`,
        `${generated}/apps/v1/index.js`,
        "ReplicaSetList",
      ],
      [`/api/v1/namespaces/${n}/pods`, `${generated}/core/v1/index.js`, "PodList"],
      ["/api/v1/services", `${generated}/core/v1/index.js`, "ServiceList"],
      [`/apis/batch/v1/namespaces/${n}/cronjobs`, `${generated}/batch/v1/index.js`, "CronJobList"],
      [`/api/v1/namespaces/${n}/events`, `${generated}/core/v1/index.js`, "EventList"],
      [
        `/apis/events.k8s.io/v1/namespaces/${n}/events`,
        `${generated}/events.k8s.io/v1/index.js`,
        "EventList",
      ],
      [
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        `${generated}/rbac.authorization.k8s.io/v1/index.js`,
        "ClusterRoleList",
      ],
      [
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        `${generated}/rbac.authorization.k8s.io/v1/index.js`,
        "ClusterRoleBindingList",
      ],
      [
        "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas",
        `${generated}/flowcontrol.apiserver.k8s.io/v1/index.js`,
        "FlowSchemaList",
      ],
      [
        "/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations",
        `${generated}/flowcontrol.apiserver.k8s.io/v1/index.js`,
        "PriorityLevelConfigurationList",
      ],
      [
        "/apis/apiregistration.k8s.io/v1/apiservices",
        `${generated}/apiregistration.k8s.io/v1/index.js`,
        "APIServiceList",
      ],
      [
        "/apis/coordination.k8s.io/v1/leases",
        `${generated}/coordination.k8s.io/v1/index.js`,
        "LeaseList",
      ],
      ["/api/v1/namespaces", `${generated}/core/v1/index.js`, "NamespaceList"],
      [
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        `${generated}/apiextensions.k8s.io/v1/index.js`,
        "CustomResourceDefinitionList",
      ],
      [
        "/apis/gateway.networking.k8s.io/v1/gatewayclasses",
        "./gateway/gateway.networking.k8s.io/v1/index.js",
        "GatewayClassList",
      ],
      [
        `/apis/gateway.networking.k8s.io/v1/namespaces/${n}/gateways`,
        "./gateway/gateway.networking.k8s.io/v1/index.js",
        "GatewayList",
      ],
      [
        `/apis/gateway.networking.k8s.io/v1/namespaces/${n}/httproutes`,
        "./gateway/gateway.networking.k8s.io/v1/index.js",
        "HTTPRouteList",
      ],
    ];
    const lines: string[] = [];
    const seen: Record<string, number> = {};
    for (const [i, [url, module, type]] of lists.entries()) {
      const text = await sendText(admin, "GET", url, {}, {});
      const body = JSON.parse(text) as { items: unknown[] };
      seen[url] = body.items.length;
      lines.push(`import type { ${type} as L${i} } from ${JSON.stringify(module)};`);
      lines.push(`export const list${i}: L${i} = ${JSON.stringify(body, null, 1)};`);
    }
    // The lists hold what the issue names: defaulted objects, server-made ones, null fields.
    expect(seen[`/apis/apps/v1/namespaces/${n}/deployments`]).toBe(1);
    expect(seen["/apis/rbac.authorization.k8s.io/v1/clusterroles"]).toBeGreaterThan(40);
    expect(seen["/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas"]).toBeGreaterThan(5);
    expect(seen["/apis/apiregistration.k8s.io/v1/apiservices"]).toBeGreaterThan(10);
    expect(seen["/apis/coordination.k8s.io/v1/leases"]).toBeGreaterThan(0);
    expect(seen[`/apis/gateway.networking.k8s.io/v1/namespaces/${n}/httproutes`]).toBe(1);
    expect(lines.join("\n")).toContain('"firstTimestamp": null');
    expect(lines.join("\n")).toContain('"deprecatedFirstTimestamp": null');
    expect(lines.join("\n")).toContain('"rules": null');

    await writeFile(path.join(dir, "lists.ts"), lines.join("\n") + "\n");
    const result = await tscStrict(dir, ["lists.ts"]);
    expect(result.out).toBe("");
    expect(result.code).toBe(0);
  }, 120_000);
});
