/** Stream tests: a fake kubelet registered as a Node, a fresh namespace, pods bound to that Node. */
import {
  createNamespacedPod,
  deleteNamespacedPod,
  type Container,
} from "../../generated/core/v1/index.js";
import type { Client } from "../../runtime/index.js";
import { startFakeKubelet, type FakeKubelet } from "../cluster/fake-kubelet.js";
import { useCluster } from "./cluster.js";
import { clientInFreshNamespace, uniqueName } from "./support.js";

export interface StreamsFixture {
  client: Client;
  namespace: string;
  kubelet: FakeKubelet;
  /** A pod bound to the fake kubelet's Node, with containers `main` (+ `extra` names). */
  pod(prefix: string, extraContainers?: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

export async function streamsFixture(prefix: string): Promise<StreamsFixture> {
  const { client, namespace, cleanup } = await clientInFreshNamespace(prefix);
  const kubelet = await startFakeKubelet(useCluster(), uniqueName("node"));
  const pods: string[] = [];
  return {
    client,
    namespace,
    kubelet,
    async pod(podPrefix, extra = []) {
      const name = uniqueName(podPrefix);
      const containers: Container[] = ["main", ...extra].map((c) => ({
        name: c,
        image: "busybox",
      }));
      await createNamespacedPod(client, {
        body: { metadata: { name }, spec: { nodeName: kubelet.nodeName, containers } },
      });
      pods.push(name);
      return name;
    },
    async cleanup() {
      // A bound pod would otherwise wait for a kubelet to confirm its deletion.
      for (const name of pods) {
        await deleteNamespacedPod(client, { name, gracePeriodSeconds: 0 }).catch(() => {});
      }
      await kubelet.stop();
      await cleanup();
    },
  };
}
