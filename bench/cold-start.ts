/**
 * One cold start: import a client and make its first call (GET one pod), in a fresh process.
 * Run as compiled JavaScript (no loader), with BENCH_COLD = {"client","server","caFile"}.
 */
import { readFileSync } from "node:fs";
import { NAMESPACE, TOKEN } from "./fixtures.js";
import type { ClientName } from "./clients.js";

const t0 = performance.now();
const job = JSON.parse(process.env.BENCH_COLD ?? "{}") as {
  client: ClientName;
  server: string;
  caFile: string;
};
const ca = readFileSync(job.caFile, "utf8");
let imported = 0;
let call: () => Promise<unknown>;
switch (job.client) {
  case "undici": {
    const { Agent, request } = await import("undici");
    imported = performance.now();
    const dispatcher = new Agent({ connect: { ca } });
    const url = `${job.server}/api/v1/namespaces/${NAMESPACE}/pods/first`;
    const headers = { accept: "application/json", authorization: `Bearer ${TOKEN}` };
    call = async () => JSON.parse(await (await request(url, { dispatcher, headers })).body.text());
    break;
  }
  case "kubegen": {
    const [{ createClient }, { readNamespacedPod }] = await Promise.all([
      import("../runtime/index.js"),
      import("../generated/core/v1/index.js"),
    ]);
    imported = performance.now();
    const client = createClient({ server: job.server, token: TOKEN, ca, namespace: NAMESPACE });
    call = () => readNamespacedPod(client, { name: "first" });
    break;
  }
  case "client-node": {
    const k8s = await import("@kubernetes/client-node");
    imported = performance.now();
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: "b",
          server: job.server,
          caData: Buffer.from(ca).toString("base64"),
          skipTLSVerify: false,
        },
      ],
      users: [{ name: "b", token: TOKEN }],
      contexts: [{ name: "b", cluster: "b", user: "b", namespace: NAMESPACE }],
      currentContext: "b",
    });
    const api = kc.makeApiClient(k8s.CoreV1Api);
    call = () => api.readNamespacedPod({ name: "first", namespace: NAMESPACE });
    break;
  }
}
const pod = (await call()) as { metadata?: { name?: string } };
const t2 = performance.now();
if (!pod.metadata?.name) throw new Error("first call returned no pod");
process.stdout.write(
  `${JSON.stringify({ importMs: imported - t0, totalMs: t2 - t0, sinceProcessStartMs: t2 })}\n`,
);
process.exit(0);
