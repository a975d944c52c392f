/**
 * A small operator on the real kube-apiserver: each labelled ConfigMap owns a Secret it controls.
 * Deleting or editing the Secret reaches the ConfigMap's reconcile through `watches` +
 * `controllerOwner`, which repairs it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespacedConfigMap,
  createNamespacedSecret,
  deleteNamespacedSecret,
  listNamespacedConfigMap,
  listNamespacedSecret,
  replaceNamespacedSecret,
  watchNamespacedConfigMap,
  watchNamespacedSecret,
  type ConfigMap,
  type Secret,
} from "../../generated/core/v1/index.js";
import { controller, controllerOwner, informer, watches } from "../../runtime/controller/index.js";
import type { Client } from "../../runtime/index.js";
import { adminClient, eventually, testNamespace, uniqueName } from "./support.js";

const decode = (secret: Secret | undefined) =>
  Buffer.from(secret?.data?.value ?? "", "base64").toString("utf8");

describe("controller with watches(controllerOwner) on kube-apiserver v1.36", () => {
  let client: Client;
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  beforeAll(async () => {
    client = adminClient();
    ns = await testNamespace(client, "owns");
  });
  afterAll(async () => {
    await ns?.remove();
    await client?.close();
  });

  it("repairs an owned Secret that was deleted or edited, and ignores Secrets it does not control", async () => {
    const app = uniqueName("app");
    const selector = { namespace: ns.name, labelSelector: `app=${app}` };
    const configMaps = informer(
      client,
      { list: listNamespacedConfigMap, watch: watchNamespacedConfigMap },
      selector,
    );
    const secrets = informer(
      client,
      { list: listNamespacedSecret, watch: watchNamespacedSecret },
      selector,
    );
    const reconciled: string[] = [];
    const reconcile = async (key: string) => {
      reconciled.push(key);
      const [namespace, name] = key.split("/");
      const owner = configMaps.store.get(namespace, name);
      if (!owner) return;
      const want = owner.data?.value ?? "";
      const secretName = `${name}-secret`;
      const have = secrets.store.get(namespace, secretName);
      if (have && decode(have) === want) return;
      const body: Secret = {
        metadata: {
          name: secretName,
          namespace,
          labels: { app },
          ownerReferences: [
            {
              apiVersion: "v1",
              kind: "ConfigMap",
              name,
              uid: owner.metadata!.uid!,
              controller: true,
            },
          ],
          ...(have && { resourceVersion: have.metadata!.resourceVersion }),
        },
        stringData: { value: want },
      };
      if (have) await replaceNamespacedSecret(client, { namespace, name: secretName, body });
      else await createNamespacedSecret(client, { namespace, body });
    };
    const c = controller<ConfigMap>({
      informer: configMaps,
      watches: [watches(secrets, controllerOwner({ apiVersion: "v1", kind: "ConfigMap" }))],
      reconcile,
    });
    try {
      await Promise.all([configMaps.synced, secrets.synced]);
      const owner = `${app}-config`;
      const key = `${ns.name}/${owner}`;
      await createNamespacedConfigMap(client, {
        namespace: ns.name,
        body: { metadata: { name: owner, labels: { app } }, data: { value: "one" } },
      });
      const read = () =>
        listNamespacedSecret(client, selector).then((l) =>
          l.items.find((s) => s.metadata?.name === `${owner}-secret`),
        );
      const first = await eventually("the owned Secret", async () =>
        decode(await read()) === "one" ? await read() : undefined,
      );
      expect(first!.metadata!.ownerReferences).toEqual([
        expect.objectContaining({ kind: "ConfigMap", name: owner, controller: true }),
      ]);

      // Deleted behind the controller's back: the Secret's delete event reconciles its owner.
      await deleteNamespacedSecret(client, { namespace: ns.name, name: `${owner}-secret` });
      const recreated = await eventually("the Secret recreated", async () => {
        const s = await read();
        return s && s.metadata!.uid !== first!.metadata!.uid ? s : undefined;
      });
      expect(decode(recreated)).toBe("one");

      // Edited behind its back: the update event reconciles the owner, which puts it back.
      await replaceNamespacedSecret(client, {
        namespace: ns.name,
        name: `${owner}-secret`,
        body: { ...recreated, stringData: { value: "tampered" }, data: undefined },
      });
      await eventually("the Secret repaired", async () => {
        const s = await read();
        return s &&
          decode(s) === "one" &&
          s.metadata!.resourceVersion !== recreated.metadata!.resourceVersion
          ? s
          : undefined;
      });

      // A Secret whose owner reference is not a controller reference queues nothing; one that
      // names another kind neither. Neither key may ever be reconciled.
      const before = reconciled.length;
      for (const [name, ref] of [
        [
          "not-controller",
          { apiVersion: "v1", kind: "ConfigMap", name: "stray", controller: false },
        ],
        [
          "other-kind",
          { apiVersion: "apps/v1", kind: "ConfigMap", name: "elsewhere", controller: true },
        ],
      ] as const) {
        await createNamespacedSecret(client, {
          namespace: ns.name,
          body: {
            metadata: {
              name: `${app}-${name}`,
              labels: { app },
              ownerReferences: [{ ...ref, uid: "00000000-0000-0000-0000-000000000000" }],
            },
          },
        });
      }
      await eventually("both Secrets in the informer", async () =>
        secrets.store.has(`${ns.name}/${app}-not-controller`) &&
        secrets.store.has(`${ns.name}/${app}-other-kind`)
          ? true
          : undefined,
      );
      // Any reconcile those events had queued would run right after them; the queue is empty.
      await new Promise((r) => setTimeout(r, 200));
      expect(c.queue.length).toBe(0);
      expect(reconciled.slice(before)).not.toContain(`${ns.name}/stray`);
      expect(reconciled.slice(before)).not.toContain(`${ns.name}/elsewhere`);
      expect(reconciled.every((k) => k === key)).toBe(true);
    } finally {
      await c.stop();
      await Promise.all([configMaps.stop(), secrets.stop()]);
    }
  });
});
