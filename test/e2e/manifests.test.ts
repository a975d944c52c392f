/** applyManifests / deleteManifests against a real API server: ordering, results, conflicts, deletion. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNamespacedDeployment } from "../../generated/apps/v1/index.js";
import {
  readNamespace,
  readNamespacedConfigMap,
  type ConfigMap,
} from "../../generated/core/v1/index.js";
import {
  applyManifests,
  deleteManifests,
  ManifestError,
  parseManifests,
  type ApplyResult,
  type DeleteResult,
} from "../../runtime/manifests/index.js";
import { isConflict, isInvalid, isNotFound, send, type Client } from "../../runtime/index.js";
import { adminClient, eventually, uniqueName } from "./support.js";

const namespace = uniqueName("manifests");
const group = `${uniqueName("m")}.kubegen.test`;

/**
 * The custom resource and the Namespace come before the CRD and the objects that live in the
 * Namespace, so only the ordering makes this apply work. Namespaced objects name no namespace.
 */
function manifest(color = "blue", replicas = 1): string {
  return `
apiVersion: ${group}/v1
kind: Widget
metadata:
  name: first
spec:
  size: 3
---
# an empty document is skipped but counted
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: { app: web }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: ${color}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: { type: integer }
---
apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
`;
}

function summary(results: (ApplyResult | DeleteResult)[]): string[] {
  return results.map((r) =>
    r.ok
      ? `${r.index} ${r.kind} ${r.namespace ?? "-"}/${r.name} ${r.action}`
      : `${r.index} ${r.kind} ${r.name} failed: ${r.error.message}`,
  );
}

function widgetPath(name: string): string {
  return `/apis/${group}/v1/namespaces/${namespace}/widgets/${name}`;
}

describe("manifests", () => {
  let client: Client;

  beforeAll(() => {
    // The client's default namespace is the one the manifest creates.
    client = adminClient({ namespace });
  });
  afterAll(async () => {
    await deleteManifests(client, manifest()).catch(() => {});
    await client.close();
  });

  it("applies a Namespace, a CRD, a custom resource, a Deployment, a Service and a ConfigMap in a working order", async () => {
    const results = await applyManifests(client, manifest(), { fieldManager: "deployer" });
    expect(summary(results)).toEqual([
      `0 Widget ${namespace}/first created`,
      `2 Deployment ${namespace}/web created`,
      `3 Service ${namespace}/web created`,
      `4 ConfigMap ${namespace}/settings created`,
      `5 CustomResourceDefinition -/widgets.${group} created`,
      `6 Namespace -/${namespace} created`,
    ]);
    expect(results[0].line).toBe(2);
    const widget = await send<{ spec: { size: number } }>(client, "GET", widgetPath("first"), {});
    expect(widget.spec.size).toBe(3);
    const cm = await readNamespacedConfigMap(client, { name: "settings" });
    expect(cm.data).toEqual({ color: "blue" });
    expect(cm.metadata?.managedFields?.map((f) => [f.manager, f.operation])).toEqual([
      ["deployer", "Apply"],
    ]);
  });

  it("re-applies the same manifest as unchanged, and the server keeps every resourceVersion", async () => {
    const before = await readNamespacedDeployment(client, { name: "web" });
    const results = await applyManifests(client, manifest(), { fieldManager: "deployer" });
    expect(results.map((r) => r.ok && r.action)).toEqual(Array(6).fill("unchanged"));
    // What server-side apply answers for a no-op: 200 and the stored object, resourceVersion untouched.
    const deployment = results[1].ok ? results[1].object : undefined;
    expect(deployment?.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    let statusCode = 0;
    const [cm] = parseManifests(manifest()).filter((m) => m.kind === "ConfigMap");
    const again = await send<ConfigMap>(
      client,
      "PATCH",
      `/api/v1/namespaces/${namespace}/configmaps/settings`,
      {
        body: { ...cm, metadata: { ...cm.metadata, namespace } },
        patchType: "apply",
        fieldManager: "deployer",
      },
      { onResponse: (r) => (statusCode = r.statusCode) },
    );
    expect(statusCode).toBe(200);
    expect(again.metadata?.resourceVersion).toBe(
      results[3].ok && results[3].object.metadata?.resourceVersion,
    );
  });

  it("reports a changed field as configured and leaves the rest unchanged", async () => {
    const results = await applyManifests(client, manifest("green", 2), {
      fieldManager: "deployer",
    });
    expect(summary(results)).toEqual([
      `0 Widget ${namespace}/first unchanged`,
      `2 Deployment ${namespace}/web configured`,
      `3 Service ${namespace}/web unchanged`,
      `4 ConfigMap ${namespace}/settings configured`,
      `5 CustomResourceDefinition -/widgets.${group} unchanged`,
      `6 Namespace -/${namespace} unchanged`,
    ]);
    expect((await readNamespacedDeployment(client, { name: "web" })).spec?.replicas).toBe(2);
  });

  it("dry-run reports what would change and persists nothing", async () => {
    const extra = `---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: dry }\ndata: { a: b }\n`;
    const results = await applyManifests(client, manifest("red", 2) + extra, {
      fieldManager: "deployer",
      dryRun: true,
    });
    expect(results.map((r) => r.ok && r.action)).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
      "configured",
      "unchanged",
      "unchanged",
      "created",
    ]);
    expect((await readNamespacedConfigMap(client, { name: "settings" })).data).toEqual({
      color: "green",
    });
    const missing = await readNamespacedConfigMap(client, { name: "dry" }).catch((e: unknown) => e);
    expect(isNotFound(missing)).toBe(true);
  });

  it("reports a conflict with another field manager unless force is set", async () => {
    const intruder = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { color: red }\n`;
    const taken = await applyManifests(client, intruder, { fieldManager: "intruder", force: true });
    expect(summary(taken)).toEqual([`0 ConfigMap ${namespace}/settings configured`]);

    const results = await applyManifests(client, manifest("green", 2), {
      fieldManager: "deployer",
    });
    const failed = results[3];
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed).toMatchObject({ index: 4, kind: "ConfigMap", name: "settings", namespace });
    expect(isConflict(failed.error)).toBe(true);
    expect(failed.error.message).toContain("intruder");
    // The conflict hides nothing else.
    expect(results.filter((r) => r.ok).map((r) => r.ok && r.action)).toEqual(
      Array(5).fill("unchanged"),
    );

    const forced = await applyManifests(client, manifest("green", 2), {
      fieldManager: "deployer",
      force: true,
    });
    expect(forced[3]).toMatchObject({ ok: true, action: "configured" });
    expect((await readNamespacedConfigMap(client, { name: "settings" })).data).toEqual({
      color: "green",
    });
  });

  it("reports each bad object with its document index and keeps applying the others", async () => {
    const text = `
apiVersion: nothing.kubegen.test/v1
kind: Nothing
metadata: { name: x }
---
apiVersion: v1
kind: Service
metadata: { name: broken }
spec: { ports: [{ port: 0 }] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: fine }
data: { ok: "yes" }
`;
    const results = await applyManifests(client, text);
    expect(results[0]).toMatchObject({ ok: false, index: 0, line: 2, kind: "Nothing" });
    expect(!results[0].ok && results[0].error).toBeInstanceOf(ManifestError);
    expect(!results[0].ok && results[0].error.message).toContain("no resource for kind Nothing");
    expect(results[1]).toMatchObject({ ok: false, index: 1, kind: "Service", name: "broken" });
    expect(!results[1].ok && isInvalid(results[1].error)).toBe(true);
    expect(results[2]).toMatchObject({ ok: true, index: 2, action: "created", namespace });
  });

  it("deletes with foreground propagation: objects wait for the garbage collector", async () => {
    const configMap = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: fine }\n`;
    const results = await deleteManifests(client, configMap, { propagationPolicy: "Foreground" });
    expect(summary(results)).toEqual([`0 ConfigMap ${namespace}/fine deleted`]);
    // No kube-controller-manager runs here, so the foregroundDeletion finalizer stays.
    const cm = await readNamespacedConfigMap(client, { name: "fine" });
    expect(cm.metadata?.deletionTimestamp).toBeDefined();
    expect(cm.metadata?.finalizers).toContain("foregroundDeletion");
  });

  it("deletes the whole manifest in reverse order with background propagation", async () => {
    const results = await deleteManifests(client, manifest());
    expect(summary(results)).toEqual([
      `0 Widget ${namespace}/first deleted`,
      `2 Deployment ${namespace}/web deleted`,
      `3 Service ${namespace}/web deleted`,
      `4 ConfigMap ${namespace}/settings deleted`,
      `5 CustomResourceDefinition -/widgets.${group} deleted`,
      `6 Namespace -/${namespace} deleted`,
    ]);
    for (const read of [
      () => readNamespacedDeployment(client, { name: "web" }),
      () => readNamespacedConfigMap(client, { name: "settings" }),
      () => send(client, "GET", widgetPath("first"), {}),
    ]) {
      expect(isNotFound(await read().catch((e: unknown) => e))).toBe(true);
    }
    await eventually("the CRD to be removed", async () => {
      const gone = await send(
        client,
        "GET",
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`,
        {},
      ).catch((e: unknown) => e);
      return isNotFound(gone) ? true : undefined;
    });
    // Namespaces finish terminating only with kube-controller-manager, which this cluster lacks.
    const ns = await readNamespace(client, { name: namespace });
    expect(ns.status?.phase).toBe("Terminating");

    const again = await deleteManifests(client, manifest());
    // The Widget's scope is unknown once its CRD is gone, so it keeps the namespace it was given (none).
    expect(summary(again)).toEqual([
      `0 Widget -/first absent`,
      `2 Deployment ${namespace}/web absent`,
      `3 Service ${namespace}/web absent`,
      `4 ConfigMap ${namespace}/settings absent`,
      `5 CustomResourceDefinition -/widgets.${group} absent`,
      // A terminating namespace accepts another delete.
      `6 Namespace -/${namespace} deleted`,
    ]);
  });
});
