/** A small app that lists pods with kubegen: the generated functions and types plus the runtime. */
import { createClient } from "../../runtime/index.js";
import { listNamespacedPod, type Pod } from "../../generated/core/v1/index.js";

function describe(pod: Pod): string {
  const ready = pod.status?.containerStatuses?.filter((c) => c.ready).length ?? 0;
  const total = pod.spec?.containers.length ?? 0;
  return `${pod.metadata?.name}\t${ready}/${total}\t${pod.status?.phase ?? "Unknown"}`;
}

const client = createClient();
const list = await listNamespacedPod(client, { limit: 500 });
for (const pod of list.items) console.log(describe(pod));
await client.close();
