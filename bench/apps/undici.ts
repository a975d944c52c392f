/** The same app with raw undici: hand-written types, explicit server, token and CA. */
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";

interface Pod {
  metadata?: { name?: string };
  spec?: { containers: { name: string }[] };
  status?: { phase?: string; containerStatuses?: { ready: boolean }[] };
}
interface PodList {
  items: Pod[];
}

function describe(pod: Pod): string {
  const ready = pod.status?.containerStatuses?.filter((c) => c.ready).length ?? 0;
  const total = pod.spec?.containers.length ?? 0;
  return `${pod.metadata?.name}\t${ready}/${total}\t${pod.status?.phase ?? "Unknown"}`;
}

const server = process.env.KUBE_SERVER ?? "https://127.0.0.1:6443";
const namespace = process.env.KUBE_NAMESPACE ?? "default";
const dispatcher = new Agent({
  connect: { ca: readFileSync(process.env.KUBE_CA_FILE ?? "ca.crt") },
});
const res = await request(
  `${server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?limit=500`,
  {
    dispatcher,
    headers: {
      accept: "application/json",
      authorization: `Bearer ${process.env.KUBE_TOKEN ?? ""}`,
    },
  },
);
if (res.statusCode !== 200)
  throw new Error(`list pods: ${res.statusCode} ${await res.body.text()}`);
const list = (await res.body.json()) as PodList;
for (const pod of list.items) console.log(describe(pod));
await dispatcher.close();
