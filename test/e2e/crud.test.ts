/** Create, read, update, delete on core and apps resources, with typed results and typed errors. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespacedDeployment,
  readNamespacedDeployment,
  readNamespacedDeploymentScale,
  replaceNamespacedDeployment,
  deleteNamespacedDeployment,
  type Deployment,
} from "../../generated/apps/v1/index.js";
import {
  createNamespacedConfigMap,
  createNamespacedSecret,
  createNamespacedService,
  deleteNamespacedConfigMap,
  deleteNamespacedSecret,
  listNamespacedConfigMap,
  readNamespacedConfigMap,
  readNamespacedSecret,
  readNamespacedService,
  replaceNamespacedConfigMap,
  type ConfigMap,
} from "../../generated/core/v1/index.js";
import {
  isAlreadyExists,
  isConflict,
  isInvalid,
  isNotFound,
  KubeError,
  type Client,
} from "../../runtime/index.js";
import { clientInFreshNamespace } from "./support.js";

describe("CRUD against the API server", () => {
  let client: Client;
  let ns: Awaited<ReturnType<typeof clientInFreshNamespace>>;

  beforeAll(async () => {
    // The namespace comes from the client, not from each call.
    ns = await clientInFreshNamespace("crud");
    client = ns.client;
  });
  afterAll(async () => {
    await ns?.cleanup();
  });

  it("creates a ConfigMap with 201 and reads, replaces and deletes it", async () => {
    const statuses: number[] = [];
    const created: ConfigMap = await createNamespacedConfigMap(
      client,
      { body: { metadata: { name: "settings", labels: { app: "demo" } }, data: { mode: "fast" } } },
      { onResponse: (r) => statuses.push(r.statusCode) },
    );
    expect(statuses).toEqual([201]);
    expect(created.metadata?.namespace).toBe(ns.namespace);
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.data).toEqual({ mode: "fast" });

    const read = await readNamespacedConfigMap(client, { name: "settings" });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    const replaced = await replaceNamespacedConfigMap(client, {
      name: "settings",
      body: { ...read, data: { mode: "safe" } },
    });
    expect(replaced.data).toEqual({ mode: "safe" });

    const listed = await listNamespacedConfigMap(client, { labelSelector: "app=demo" });
    expect(listed.items.map((c) => c.metadata?.name)).toEqual(["settings"]);

    await deleteNamespacedConfigMap(client, { name: "settings" });
    const gone = await readNamespacedConfigMap(client, { name: "settings" }).catch(
      (e: unknown) => e,
    );
    expect(gone).toBeInstanceOf(KubeError);
    expect(isNotFound(gone)).toBe(true);
    expect(gone).toMatchObject({
      code: 404,
      reason: "NotFound",
      verb: "GET",
      details: { name: "settings", kind: "configmaps" },
    });
    expect((gone as KubeError).path).toBe(`/api/v1/namespaces/${ns.namespace}/configmaps/settings`);
  });

  it("reports AlreadyExists and Conflict as typed errors", async () => {
    await createNamespacedConfigMap(client, { body: { metadata: { name: "once" } } });
    const again = await createNamespacedConfigMap(client, {
      body: { metadata: { name: "once" } },
    }).catch((e: unknown) => e);
    expect(isAlreadyExists(again)).toBe(true);
    expect(again).toMatchObject({ code: 409, reason: "AlreadyExists" });

    const current = await readNamespacedConfigMap(client, { name: "once" });
    await replaceNamespacedConfigMap(client, {
      name: "once",
      body: { ...current, data: { a: "1" } },
    });
    // The same resourceVersion a second time lost the race.
    const stale = await replaceNamespacedConfigMap(client, {
      name: "once",
      body: { ...current, data: { a: "2" } },
    }).catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    expect(isAlreadyExists(stale)).toBe(false);
    expect((stale as KubeError).message).toMatch(/the object has been modified/);
  });

  it("keeps the server's validation details on a 422", async () => {
    const bad = await createNamespacedConfigMap(client, {
      body: { metadata: { name: "Not_A_Valid_Name" } },
    }).catch((e: unknown) => e);
    expect(isInvalid(bad)).toBe(true);
    const causes = (bad as KubeError).details?.causes ?? [];
    expect(causes.some((c) => c.field === "metadata.name")).toBe(true);
  });

  it("handles Secrets, with base64 data and stringData", async () => {
    await createNamespacedSecret(client, {
      body: { metadata: { name: "creds" }, type: "Opaque", stringData: { password: "s3cr3t" } },
    });
    const secret = await readNamespacedSecret(client, { name: "creds" });
    expect(Buffer.from(secret.data!.password, "base64").toString()).toBe("s3cr3t");
    await deleteNamespacedSecret(client, { name: "creds" });
  });

  it("creates a Service with a cluster IP and int-or-string target ports", async () => {
    const svc = await createNamespacedService(client, {
      body: {
        metadata: { name: "web" },
        spec: {
          selector: { app: "web" },
          ports: [
            { name: "http", port: 80, targetPort: "http" },
            { name: "alt", port: 8080, targetPort: 8080 },
          ],
        },
      },
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\.0\.0\.\d+$/);
    const read = await readNamespacedService(client, { name: "web" });
    expect(read.spec?.ports?.map((p) => p.targetPort)).toEqual(["http", 8080]);
  });

  it("creates, scales and deletes a Deployment", async () => {
    const deployment: Deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [
              {
                name: "web",
                image: "nginx:1.27",
                resources: { limits: { cpu: "250m", memory: 134217728 } },
              },
            ],
          },
        },
      },
    };
    const created = await createNamespacedDeployment(client, { body: deployment });
    expect(created.spec?.template.spec?.containers[0].resources?.limits).toEqual({
      cpu: "250m",
      memory: "134217728",
    });
    const scale = await readNamespacedDeploymentScale(client, { name: "web" });
    expect(scale.spec?.replicas).toBe(2);
    const read = await readNamespacedDeployment(client, { name: "web" });
    read.spec!.replicas = 3;
    const updated = await replaceNamespacedDeployment(client, { name: "web", body: read });
    expect(updated.spec?.replicas).toBe(3);
    expect(updated.metadata?.generation).toBe(2);
    await deleteNamespacedDeployment(client, { name: "web" });
    await expect(readNamespacedDeployment(client, { name: "web" })).rejects.toSatisfy(isNotFound);
  });

  it("never lets a name reach another URL", async () => {
    await createNamespacedConfigMap(client, { body: { metadata: { name: "target" } } });
    // If the name were pasted into the path, this would address the ConfigMap "target".
    const escaped = await readNamespacedConfigMap(client, { name: "../configmaps/target" }).catch(
      (e: unknown) => e,
    );
    expect(isNotFound(escaped)).toBe(true);
    await expect(readNamespacedConfigMap(client, { name: ".." })).rejects.toThrow(/may not be/);
  });
});
