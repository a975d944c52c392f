/** Informers against the real kube-apiserver: list modes, events, store = LIST, cluster-wide form, RBAC. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespacedConfigMap,
  deleteNamespacedConfigMap,
  listConfigMapForAllNamespaces,
  listNamespacedConfigMap,
  replaceNamespacedConfigMap,
  watchConfigMapForAllNamespaces,
  watchNamespacedConfigMap,
  type ConfigMap,
} from "../../generated/core/v1/index.js";
import {
  createNamespacedRole,
  createNamespacedRoleBinding,
} from "../../generated/rbac.authorization.k8s.io/v1/index.js";
import {
  informer,
  type InformerError,
  type InformerEvent,
} from "../../runtime/controller/index.js";
import { createClient, type Client } from "../../runtime/index.js";
import { useCluster } from "./cluster.js";
import { startChaosProxy } from "./chaos-proxy.js";
import { adminClient, eventually, testNamespace, uniqueName } from "./support.js";

const configMaps = { list: listNamespacedConfigMap, watch: watchNamespacedConfigMap };
const summary = (e: InformerEvent<ConfigMap>) =>
  `${e.type}:${e.object.metadata!.name}${e.type === "delete" && e.finalStateUnknown ? ":unknown" : ""}`;

describe("informer on kube-apiserver v1.36", () => {
  let client: Client;
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  beforeAll(async () => {
    client = adminClient();
    ns = await testNamespace(client, "informer");
  });
  afterAll(async () => {
    await ns?.remove();
    await client?.close();
  });

  for (const mode of ["auto", "paginate"] as const) {
    it(`syncs (${mode}) and delivers add, update and delete; the store equals a LIST`, async () => {
      const label = uniqueName("set");
      for (let i = 0; i < 30; i++) {
        await createNamespacedConfigMap(client, {
          namespace: ns.name,
          body: {
            metadata: { name: `${label}-${i}`, labels: { set: label } },
            data: { i: String(i) },
          },
        });
      }
      const events: string[] = [];
      const errors: InformerError[] = [];
      const inf = informer(client, configMaps, {
        namespace: ns.name,
        labelSelector: `set=${label}`,
        initialList: mode,
        pageSize: 7,
        onError: (e) => errors.push(e),
        transform: (cm) => ({ ...cm, metadata: { ...cm.metadata, managedFields: undefined } }),
      });
      inf.on("add", (cm) => events.push(`add:${cm.metadata!.name}`));
      inf.on("update", (_old, cm) => events.push(`update:${cm.metadata!.name}`));
      inf.on("delete", (cm, unknown) =>
        events.push(`delete:${cm.metadata!.name}${unknown ? ":unknown" : ""}`),
      );
      await inf.synced;
      // kube-apiserver 1.36 serves streaming lists (WatchList): auto never needs the fallback.
      expect(inf.listMode).toBe(mode === "auto" ? "stream" : "paginate");
      expect(inf.store.size).toBe(30);
      expect(events).toHaveLength(30);
      expect(inf.store.get(ns.name, `${label}-3`)?.metadata?.managedFields).toBeUndefined();

      const updated = await replaceNamespacedConfigMap(client, {
        namespace: ns.name,
        name: `${label}-0`,
        body: { ...inf.store.get(ns.name, `${label}-0`)!, data: { i: "changed" } },
      });
      await deleteNamespacedConfigMap(client, { namespace: ns.name, name: `${label}-1` });
      await createNamespacedConfigMap(client, {
        namespace: ns.name,
        body: { metadata: { name: `${label}-new`, labels: { set: label } } },
      });
      await eventually(
        "three watch events",
        async () => (events.length >= 33 ? true : undefined),
        15_000,
      );
      expect(events.slice(30)).toEqual([
        `update:${label}-0`,
        `delete:${label}-1`,
        `add:${label}-new`,
      ]);
      expect(inf.store.get(ns.name, `${label}-0`)?.metadata?.resourceVersion).toBe(
        updated.metadata!.resourceVersion,
      );

      const list = await listNamespacedConfigMap(client, {
        namespace: ns.name,
        labelSelector: `set=${label}`,
      });
      const fromList = Object.fromEntries(
        list.items.map((cm) => [cm.metadata!.name, cm.metadata!.resourceVersion]),
      );
      const fromStore = Object.fromEntries(
        inf.store.list().map((cm) => [cm.metadata!.name, cm.metadata!.resourceVersion]),
      );
      expect(fromStore).toEqual(fromList);
      expect(errors).toEqual([]);
      await inf.stop();
    });
  }

  it("closes and resumes a watch whose connection went silent (no FIN, no RST)", async () => {
    const cluster = useCluster();
    const { hostname, port } = new URL(cluster.server);
    const proxy = await startChaosProxy({ host: hostname, port: Number(port) });
    const viaProxy = createClient({
      server: proxy.url,
      token: cluster.adminToken,
      ca: cluster.caPem,
    });
    const label = uniqueName("silent");
    const errors: InformerError[] = [];
    const inf = informer(viaProxy, configMaps, {
      namespace: ns.name,
      labelSelector: `set=${label}`,
      watchIdleTimeoutMs: 2_000,
      backoff: { initialMs: 100, maxMs: 200 },
      onError: (e) => errors.push(e),
    });
    let lastAddAt = 0;
    inf.on("add", () => (lastAddAt = Date.now()));
    try {
      await inf.synced;
      // Keep the watch busy past the idle limit first: events reset the watchdog.
      for (let i = 0; i < 5; i++) {
        await createNamespacedConfigMap(client, {
          namespace: ns.name,
          body: { metadata: { name: `${label}-${i}`, labels: { set: label } } },
        });
        await new Promise((r) => setTimeout(r, 600));
      }
      await eventually("five adds", async () => (inf.store.size === 5 ? true : undefined), 10_000);
      expect(errors).toEqual([]);
      const watchesBefore = inf.stats.watches;
      expect(proxy.blackHoleAll()).toBeGreaterThan(0);
      const lastEventAt = lastAddAt;
      await createNamespacedConfigMap(client, {
        namespace: ns.name,
        body: { metadata: { name: `${label}-after`, labels: { set: label } } },
      });
      await eventually(
        "the object created while the link was silent",
        async () => (inf.store.get(ns.name, `${label}-after`) ? true : undefined),
        15_000,
      );
      // The watchdog counts from the last thing that arrived, not from the partition.
      const recoveredMs = lastAddAt - lastEventAt;
      expect(recoveredMs).toBeGreaterThanOrEqual(1_900);
      expect(recoveredMs).toBeLessThan(6_000);
      expect(inf.stats.watches).toBeGreaterThan(watchesBefore);
      expect(errors.map((e) => e.message).join("\n")).toMatch(
        /nothing arrived for 2000 ms; the connection is presumed dead/,
      );
    } finally {
      await inf.stop();
      await viaProxy.close();
      await proxy.close();
    }
  });

  it("works cluster-wide (listConfigMapForAllNamespaces) with an index by namespace", async () => {
    const label = uniqueName("wide");
    const other = await testNamespace(client, "informer-other");
    try {
      for (const namespace of [ns.name, other.name]) {
        await createNamespacedConfigMap(client, {
          namespace,
          body: { metadata: { name: label, labels: { wide: label } } },
        });
      }
      const inf = informer(
        client,
        { list: listConfigMapForAllNamespaces, watch: watchConfigMapForAllNamespaces },
        { labelSelector: `wide=${label}` },
      );
      const seen: InformerEvent<ConfigMap>[] = [];
      const iterating = (async () => {
        for await (const e of inf.events()) {
          seen.push(e);
          if (seen.length === 3) break;
        }
      })();
      await inf.synced;
      expect(inf.store.byIndex("namespace", other.name).map((cm) => cm.metadata!.name)).toEqual([
        label,
      ]);
      await deleteNamespacedConfigMap(client, { namespace: other.name, name: label });
      await iterating;
      expect(seen.map(summary).sort()).toEqual([`add:${label}`, `add:${label}`, `delete:${label}`]);
      expect(inf.store.byIndex("namespace", other.name)).toEqual([]);
      await inf.stop();
    } finally {
      await other.remove();
    }
  });

  it("a user allowed to list but not watch gets one clear error naming the verb, not a retry storm", async () => {
    const user = uniqueName("reader");
    await createNamespacedRole(client, {
      namespace: ns.name,
      body: {
        metadata: { name: user },
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["list", "get"] }],
      },
    });
    await createNamespacedRoleBinding(client, {
      namespace: ns.name,
      body: {
        metadata: { name: user },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: user },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
      },
    });
    // The admin impersonates the reader: the apiserver's real authorizer answers.
    const headers = { "Impersonate-User": user };
    await eventually("the reader can list", async () =>
      (await listNamespacedConfigMap(client, { namespace: ns.name }, { headers }))
        ? true
        : undefined,
    );
    for (const initialList of ["auto", "paginate"] as const) {
      const errors: InformerError[] = [];
      const inf = informer(client, configMaps, {
        namespace: ns.name,
        headers,
        initialList,
        onError: (e) => errors.push(e),
      });
      await new Promise((r) => setTimeout(r, 2000));
      await inf.stop();
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(
        /refused to watch \(403 Forbidden\): RBAC must allow the verb "watch"/,
      );
      expect(errors[0].message).toContain(`cannot watch resource "configmaps"`);
      expect(inf.stats.watches).toBe(1);
      expect(inf.health.lastError).toBe(errors[0]);
    }
  });
});
