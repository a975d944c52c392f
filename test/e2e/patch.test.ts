/** The four patch types, each with its content type, against a real server. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespacedDeployment,
  patchNamespacedDeployment,
  readNamespacedDeployment,
} from "../../generated/apps/v1/index.js";
import {
  createNamespacedConfigMap,
  patchNamespacedConfigMap,
} from "../../generated/core/v1/index.js";
import { isConflict, KubeError, type Client } from "../../runtime/index.js";
import { clientInFreshNamespace } from "./support.js";

describe("patches", () => {
  let client: Client;
  let ns: Awaited<ReturnType<typeof clientInFreshNamespace>>;

  beforeAll(async () => {
    // The namespace comes from the client, not from each call.
    ns = await clientInFreshNamespace("patch");
    client = ns.client;
    await createNamespacedDeployment(client, {
      body: {
        metadata: { name: "app", labels: { tier: "backend" } },
        spec: {
          selector: { matchLabels: { app: "app" } },
          template: {
            metadata: { labels: { app: "app" } },
            spec: {
              containers: [
                { name: "main", image: "busybox:1", env: [{ name: "A", value: "1" }] },
                { name: "sidecar", image: "busybox:1" },
              ],
            },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await ns?.cleanup();
  });

  it("applies a JSON patch (RFC 6902)", async () => {
    const patched = await patchNamespacedDeployment(client, {
      name: "app",
      patchType: "json",
      body: [
        { op: "test", path: "/metadata/labels/tier", value: "backend" },
        { op: "add", path: "/metadata/labels/json", value: "yes" },
      ],
    });
    expect(patched.metadata?.labels).toEqual({ tier: "backend", json: "yes" });
    const failed = await patchNamespacedDeployment(client, {
      name: "app",
      patchType: "json",
      body: [{ op: "test", path: "/metadata/labels/tier", value: "frontend" }],
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(KubeError);
    expect((failed as KubeError).code).toBe(422);
  });

  it("applies a merge patch (RFC 7386): lists are replaced whole", async () => {
    const cm = await createNamespacedConfigMap(client, {
      body: { metadata: { name: "merge" }, data: { a: "1", b: "2" } },
    });
    expect(cm.data).toEqual({ a: "1", b: "2" });
    const patched = await patchNamespacedConfigMap(client, {
      name: "merge",
      patchType: "merge",
      body: { data: { b: null as unknown as string, c: "3" } },
    });
    expect(patched.data).toEqual({ a: "1", c: "3" });
  });

  it("applies a strategic merge patch: containers merge by name", async () => {
    const patched = await patchNamespacedDeployment(client, {
      name: "app",
      patchType: "strategic-merge",
      body: {
        spec: {
          template: { spec: { containers: [{ name: "main", env: [{ name: "B", value: "2" }] }] } },
        },
      },
    });
    const containers = patched.spec!.template.spec!.containers;
    expect(containers.map((c) => c.name)).toEqual(["main", "sidecar"]);
    expect(containers[0].env).toEqual([
      { name: "B", value: "2" },
      { name: "A", value: "1" },
    ]);
    expect(containers[0].image).toBe("busybox:1");
  });

  it("server-side applies with a field manager, conflicts without force, and takes over with force", async () => {
    const applied = await patchNamespacedDeployment(client, {
      name: "app",
      patchType: "apply",
      fieldManager: "team-a",
      body: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "app", labels: { owner: "team-a" } },
      },
    });
    expect(applied.metadata?.labels?.owner).toBe("team-a");
    expect(
      applied.metadata?.managedFields?.some(
        (f) => f.manager === "team-a" && f.operation === "Apply",
      ),
    ).toBe(true);

    const conflict = await patchNamespacedDeployment(client, {
      name: "app",
      patchType: "apply",
      fieldManager: "team-b",
      body: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "app", labels: { owner: "team-b" } },
      },
    }).catch((e: unknown) => e);
    expect(isConflict(conflict)).toBe(true);
    expect((conflict as KubeError).details?.causes?.[0]?.field).toBe(".metadata.labels.owner");

    const forced = await patchNamespacedDeployment(client, {
      name: "app",
      patchType: "apply",
      fieldManager: "team-b",
      force: true,
      body: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "app", labels: { owner: "team-b" } },
      },
    });
    expect(forced.metadata?.labels?.owner).toBe("team-b");
    const read = await readNamespacedDeployment(client, { name: "app" });
    expect(read.metadata?.labels).toMatchObject({ tier: "backend", json: "yes", owner: "team-b" });
  });
});
