/**
 * One informer measurement in a fresh process (run by informer.ts with --expose-gc):
 *   node --expose-gc --import tsx bench/rooms/informer-worker.ts CLIENT SCENARIO SERVER CAFILE
 * CLIENT: floor | kubegen-stream | kubegen-paginate | client-node
 * SCENARIO: sync (10 000 pods) | rate (1 000 pods, then 50 000 MODIFIED) | big (100 000 pods, then a forced relist)
 * Prints one JSON line.
 */
import { readFileSync } from "node:fs";
import { TOKEN } from "../fixtures.js";

const [client, scenario, server, caFile] = process.argv.slice(2);
const ca = readFileSync(caFile, "utf8");
const PAGE = 500;
/** Namespaces of this process alone: the server counts watches per namespace. */
const RUN = `-run${process.pid}`;
type Pod = { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

interface Runner {
  /** Resolves once the initial list is in the cache. */
  synced: Promise<void>;
  size(): number;
  onUpdate(fn: () => void): void;
  /** Resolves after the next completed relist. */
  relisted(): Promise<void>;
  stop(): Promise<void>;
}

async function floor(namespace: string): Promise<Runner> {
  const { Agent, request } = await import("undici");
  const dispatcher = new Agent({ connect: { ca } });
  const headers = { authorization: `Bearer ${TOKEN}`, accept: "application/json" };
  const base = `${server}/api/v1/namespaces/${namespace}/pods`;
  let map = new Map<string, Pod>();
  let update = () => {};
  let relistDone: () => void = () => {};
  const abort = new AbortController();
  const list = async () => {
    const next = new Map<string, Pod>();
    let token: string | undefined;
    let rv: string | undefined;
    do {
      const res = await request(
        `${base}?limit=${PAGE}${token ? `&continue=${encodeURIComponent(token)}` : ""}`,
        { dispatcher, headers },
      );
      const page = JSON.parse(await res.body.text()) as {
        items: Pod[];
        metadata: { continue?: string; resourceVersion: string };
      };
      for (const p of page.items) next.set(`${p.metadata!.namespace}/${p.metadata!.name}`, p);
      rv ??= page.metadata.resourceVersion;
      token = page.metadata.continue;
    } while (token);
    map = next;
    return rv!;
  };
  const watch = async (rv: string) => {
    while (!abort.signal.aborted) {
      const res = await request(`${base}?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`, {
        dispatcher,
        headers,
        signal: abort.signal,
      });
      let pending = "";
      let gone = false;
      for await (const chunk of res.body) {
        pending += chunk.toString();
        let nl: number;
        while ((nl = pending.indexOf("\n")) !== -1) {
          const event = JSON.parse(pending.slice(0, nl)) as {
            type: string;
            object: Pod & { code?: number };
          };
          pending = pending.slice(nl + 1);
          if (event.type === "ERROR") {
            gone = event.object.code === 410;
            continue;
          }
          const p = event.object;
          if (event.type === "DELETED") map.delete(`${p.metadata!.namespace}/${p.metadata!.name}`);
          else if (event.type !== "BOOKMARK") {
            map.set(`${p.metadata!.namespace}/${p.metadata!.name}`, p);
            update();
          }
          if (p.metadata?.resourceVersion) rv = p.metadata.resourceVersion;
        }
      }
      if (gone) {
        rv = await list();
        relistDone();
      }
    }
  };
  const synced = list().then((rv) => void watch(rv).catch(() => {}));
  return {
    synced,
    size: () => map.size,
    onUpdate: (fn) => (update = fn),
    relisted: () => new Promise((r) => (relistDone = r)),
    stop: async () => {
      abort.abort();
      await dispatcher.close().catch(() => {});
    },
  };
}

async function kubegen(namespace: string, mode: "stream" | "paginate"): Promise<Runner> {
  const { createClient } = await import("../../runtime/index.js");
  const { informer } = await import("../../runtime/controller/index.js");
  const { listNamespacedPod, watchNamespacedPod } =
    await import("../../generated/core/v1/index.js");
  const c = createClient({ server, token: TOKEN, ca });
  const inf = informer(
    c,
    { list: listNamespacedPod, watch: watchNamespacedPod },
    { namespace, initialList: mode, pageSize: PAGE },
  );
  return {
    synced: inf.synced,
    size: () => inf.store.size,
    onUpdate: (fn) => void inf.on("update", fn),
    relisted: async () => {
      const lists = inf.stats.lists;
      while (!(inf.stats.lists > lists && inf.health.state === "watching"))
        await new Promise((r) => setTimeout(r, 5));
    },
    stop: async () => {
      await inf.stop();
      await c.close();
    },
  };
}

async function clientNode(namespace: string): Promise<Runner> {
  const k8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: "bench", server, caData: Buffer.from(ca).toString("base64"), skipTLSVerify: false },
    ],
    users: [{ name: "bench", token: TOKEN }],
    contexts: [{ name: "bench", cluster: "bench", user: "bench", namespace }],
    currentContext: "bench",
  });
  const api = kc.makeApiClient(k8s.CoreV1Api);
  // As client-node documents it: the list function lists the namespace (no pagination).
  const inf = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/pods`, () =>
    api.listNamespacedPod({ namespace }),
  );
  let failure: unknown;
  inf.on("error", (e: unknown) => (failure = e));
  return {
    synced: inf.start().then(() => {
      if (failure) throw failure;
    }),
    size: () => inf.list().length,
    onUpdate: (fn) => inf.on("update", fn),
    relisted: () => new Promise(() => {}),
    stop: () => inf.stop(),
  };
}

function make(namespace: string): Promise<Runner> {
  if (client === "floor") return floor(namespace);
  if (client === "kubegen-stream") return kubegen(namespace, "stream");
  if (client === "kubegen-paginate") return kubegen(namespace, "paginate");
  if (client === "client-node") return clientNode(namespace);
  throw new Error(`unknown client ${client}`);
}

const gc = () => {
  (globalThis as { gc?: () => void }).gc!();
  (globalThis as { gc?: () => void }).gc!();
};
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);

async function main(): Promise<Record<string, unknown>> {
  // Load the client's code before the baseline, so the baseline holds the same for everyone.
  await (await make("sync-0")).stop().catch(() => {});
  gc();
  const base = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage.rss() };
  peak = base.rss;
  if (scenario === "sync") {
    const t0 = performance.now();
    const r = await make(`sync-10000${RUN}`);
    await r.synced;
    const syncMs = performance.now() - t0;
    if (r.size() !== 10_000) throw new Error(`synced ${r.size()} pods`);
    gc();
    const heapMb = mb(process.memoryUsage().heapUsed - base.heap);
    const rssMb = mb(process.memoryUsage.rss() - base.rss);
    return { syncMs, heapMb, rssMb, peakRssMb: mb(peak - base.rss), size: r.size() };
  }
  if (scenario === "rate") {
    const EVENTS = 50_000;
    const r = await make(`rate-1000-${EVENTS}${RUN}`);
    let seen = 0;
    let first = 0;
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    r.onUpdate(() => {
      if (seen++ === 0) first = performance.now();
      if (seen === EVENTS) done();
    });
    await r.synced;
    await all;
    const ms = performance.now() - first;
    return { events: seen, ms, perSecond: Math.round((EVENTS / ms) * 1000) };
  }
  if (scenario === "big") {
    const t0 = performance.now();
    const r = await make(`relist-100000${RUN}`);
    const relisted = r.relisted();
    try {
      await r.synced;
    } catch (error) {
      return { error: String(error).slice(0, 200), peakRssMb: mb(peak - base.rss) };
    }
    const syncMs = performance.now() - t0;
    const syncPeak = peak;
    peak = process.memoryUsage.rss();
    await relisted;
    const relistPeak = peak;
    gc();
    return {
      syncMs,
      size: r.size(),
      syncPeakRssMb: mb(syncPeak - base.rss),
      relistPeakRssMb: mb(relistPeak - base.rss),
      afterRssMb: mb(process.memoryUsage.rss() - base.rss),
    };
  }
  throw new Error(`unknown scenario ${scenario}`);
}

main().then(
  (result) => {
    clearInterval(sampler);
    process.stdout.write(`${JSON.stringify({ client, scenario, ...result })}\n`);
    process.exit(0);
  },
  (error) => {
    process.stdout.write(
      `${JSON.stringify({ client, scenario, error: String(error).slice(0, 300) })}\n`,
    );
    process.exit(0);
  },
);
