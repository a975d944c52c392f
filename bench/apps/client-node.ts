/** The same app with @kubernetes/client-node. */
import { CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";

function describe(pod: V1Pod): string {
  const ready = pod.status?.containerStatuses?.filter((c) => c.ready).length ?? 0;
  const total = pod.spec?.containers.length ?? 0;
  return `${pod.metadata?.name}\t${ready}/${total}\t${pod.status?.phase ?? "Unknown"}`;
}

const kc = new KubeConfig();
kc.loadFromDefault();
const api = kc.makeApiClient(CoreV1Api);
const list = await api.listNamespacedPod({
  namespace: kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default",
  limit: 500,
});
for (const pod of list.items) console.log(describe(pod));
