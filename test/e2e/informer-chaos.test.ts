/**
 * Informers under faults on a cluster of the test's own: at least 10 000 ConfigMap mutations in
 * several namespaces while kube-apiserver is killed and restarted (same port, same etcd), etcd is
 * compacted so that resumes get 410 Gone, and a TCP proxy cuts and stalls the informers'
 * connections. At the end every store equals a fresh LIST and every event history is sound.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespace,
  createNamespacedConfigMap,
  deleteNamespacedConfigMap,
  listConfigMapForAllNamespaces,
  listNamespacedConfigMap,
  patchNamespacedConfigMap,
  watchConfigMapForAllNamespaces,
  watchNamespacedConfigMap,
  type ConfigMap,
} from "../../generated/core/v1/index.js";
import { informer, type Informer, type InformerEvent } from "../../runtime/controller/index.js";
import { createClient, isAlreadyExists, isNotFound, type Client } from "../../runtime/index.js";
import { startCluster, type Cluster } from "../cluster/server.js";
import { startChaosProxy, type ChaosProxy } from "./chaos-proxy.js";

const NAMESPACES = 4;
const NAMES_PER_NAMESPACE = 150;
const MIN_MUTATIONS = Number(process.env.KUBEGEN_CHAOS_MUTATIONS ?? 10_000);
const WRITERS = 12;
const LABEL = "kubegen-chaos";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Recorded {
  type: InformerEvent<ConfigMap>["type"];
  key: string;
  uid: string;
  rv: bigint;
  unknown: boolean;
}

/** Compacts etcd's whole history up to its current revision through etcd's own HTTP API. */
async function compactEtcd(etcdUrl: string): Promise<number> {
  const range = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: "POST",
    body: JSON.stringify({ key: Buffer.from("/").toString("base64"), count_only: true }),
  });
  const revision = Number(
    ((await range.json()) as { header: { revision: string } }).header.revision,
  );
  const res = await fetch(`${etcdUrl}/v3/kv/compaction`, {
    method: "POST",
    body: JSON.stringify({ revision: String(revision), physical: true }),
  });
  if (!res.ok) throw new Error(`etcd compaction failed: ${res.status} ${await res.text()}`);
  return revision;
}

describe("informer chaos", () => {
  let cluster: Cluster;
  let proxy: ChaosProxy;
  beforeAll(async () => {
    // ConfigMaps bypass the watch cache, so a resume from a compacted revision reaches etcd and
    // gets a real 410 (the cache would otherwise serve it from memory).
    cluster = await startCluster({ apiserverArgs: ["--watch-cache-sizes=configmaps#0"] });
    proxy = await startChaosProxy({
      host: "127.0.0.1",
      port: Number(new URL(cluster.server).port),
    });
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await cluster?.stop();
  });

  it("keeps every store equal to a fresh LIST through restarts, compactions, cuts and stalls", async () => {
    const t0 = Date.now();
    const direct = (): Client =>
      createClient({
        server: cluster.server,
        token: cluster.adminToken,
        ca: cluster.caPem,
        retry: false,
        timeoutMs: 5000,
      });
    const writerClient = direct();
    const viaProxy = createClient({
      server: proxy.url,
      token: cluster.adminToken,
      ca: cluster.caPem,
      // Lists through the proxy are retried by the informer itself.
      retry: false,
      timeoutMs: 10_000,
    });
    const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `chaos-${i}`);
    for (const name of namespaces)
      await createNamespace(writerClient, { body: { metadata: { name } } });

    // --- informers: one streaming (auto) per namespace, one paginated cluster-wide ---------------
    const histories = new Map<Informer<ConfigMap>, Recorded[]>();
    const record = (inf: Informer<ConfigMap>) => {
      const list: Recorded[] = [];
      histories.set(inf, list);
      const push = (e: InformerEvent<ConfigMap>) => {
        const m = e.object.metadata!;
        list.push({
          type: e.type,
          key: `${m.namespace}/${m.name}`,
          uid: m.uid!,
          rv: BigInt(m.resourceVersion!),
          unknown: e.type === "delete" && e.finalStateUnknown,
        });
      };
      inf.on("add", (object) => push({ type: "add", object }));
      inf.on("update", (old, object) => push({ type: "update", object, old }));
      inf.on("delete", (object, finalStateUnknown) =>
        push({ type: "delete", object, finalStateUnknown }),
      );
      return inf;
    };
    const errors: string[] = [];
    const common = {
      labelSelector: `app=${LABEL}`,
      backoff: { initialMs: 100, maxMs: 2000 },
      onError: (e: Error) => errors.push(e.message),
    };
    const informers: Informer<ConfigMap>[] = [
      ...namespaces.map((namespace) =>
        record(
          informer(
            viaProxy,
            { list: listNamespacedConfigMap, watch: watchNamespacedConfigMap },
            { ...common, namespace },
          ),
        ),
      ),
      record(
        informer(
          viaProxy,
          { list: listConfigMapForAllNamespaces, watch: watchConfigMapForAllNamespaces },
          { ...common, initialList: "paginate", pageSize: 50 },
        ),
      ),
    ];
    await Promise.all(informers.map((i) => i.synced));

    // --- writers: creates, updates and deletes over a fixed pool of names -----------------------
    let mutations = 0;
    let writeFailures = 0;
    const deletedUids = new Set<string>();
    const existing = new Set<string>(); // keys, as far as the writers know
    let writing = true;
    const writer = async (w: number) => {
      let n = 0;
      while (writing) {
        const namespace = namespaces[(w + n++) % NAMESPACES];
        const name = `cm-${Math.floor(Math.random() * NAMES_PER_NAMESPACE)}`;
        const key = `${namespace}/${name}`;
        try {
          if (!existing.has(key)) {
            await createNamespacedConfigMap(writerClient, {
              namespace,
              body: { metadata: { name, labels: { app: LABEL } }, data: { n: "0" } },
            });
            existing.add(key);
          } else if (Math.random() < 0.3) {
            existing.delete(key);
            // The answer names the uid deleted, whichever incarnation of the name that was.
            const status = await deleteNamespacedConfigMap(writerClient, { namespace, name });
            if (status.details?.uid) deletedUids.add(status.details.uid);
          } else {
            await patchNamespacedConfigMap(writerClient, {
              namespace,
              name,
              patchType: "merge",
              body: { data: { n: String(n), w: String(w) } },
            });
          }
          mutations++;
        } catch (error) {
          // The apiserver is down, or another writer got there first: the pool's truth is the server's.
          writeFailures++;
          if (isAlreadyExists(error)) existing.add(key);
          if (isNotFound(error)) existing.delete(key);
          if (!isAlreadyExists(error) && !isNotFound(error)) await sleep(100);
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));

    // --- faults --------------------------------------------------------------------------------
    let restarts = 0;
    let compactions = 0;
    let cuts = 0;
    let stalls = 0;
    const plan = [
      "cut",
      "stall",
      "compact",
      "restart",
      "cut",
      "compact",
      "stall",
      "restart",
      "cut",
      "compact",
      "restart",
      "stall",
      "cut",
    ] as const;
    for (const step of plan) {
      await sleep(1500);
      if (step === "cut") cuts += proxy.cutAll() > 0 ? 1 : 0;
      if (step === "stall") stalls += (await proxy.stallAll(2000)) > 0 ? 1 : 0;
      if (step === "compact") {
        // Hold the informers' streams, let writes move on, compact, then cut: every watch has
        // to resume from a revision etcd no longer has.
        const held = proxy.stallAll(1000);
        await sleep(300);
        await compactEtcd(cluster.etcdUrl);
        compactions++;
        proxy.cutAll();
        await held;
      }
      if (step === "restart") {
        await cluster.restartApiserver({ downMs: 500 });
        restarts++;
      }
    }
    // Until the writers reach their count, keep cutting and stalling.
    for (let k = 0; mutations < MIN_MUTATIONS; k++) {
      await sleep(1500);
      if (k % 2 === 0) cuts += proxy.cutAll() > 0 ? 1 : 0;
      else stalls += (await proxy.stallAll(1000)) > 0 ? 1 : 0;
    }
    writing = false;
    await Promise.all(writers);
    const writesDone = Date.now();

    // --- convergence: every store equals a fresh LIST ------------------------------------------
    const fresh = async (inf: Informer<ConfigMap>, i: number) => {
      const list =
        i < NAMESPACES
          ? await listNamespacedConfigMap(writerClient, {
              namespace: namespaces[i],
              labelSelector: `app=${LABEL}`,
            })
          : await listConfigMapForAllNamespaces(writerClient, { labelSelector: `app=${LABEL}` });
      const want = list.items
        .map((c) => `${c.metadata!.namespace}/${c.metadata!.name}@${c.metadata!.resourceVersion}`)
        .sort();
      const have = inf.store
        .list()
        .map((c) => `${c.metadata!.namespace}/${c.metadata!.name}@${c.metadata!.resourceVersion}`)
        .sort();
      return { want, have };
    };
    const deadline = Date.now() + 60_000;
    for (;;) {
      const results = await Promise.all(informers.map(fresh));
      if (results.every((r) => JSON.stringify(r.want) === JSON.stringify(r.have))) break;
      if (Date.now() > deadline) {
        for (const r of results) expect(r.have).toEqual(r.want);
      }
      await sleep(500);
    }
    const converged = Date.now();
    await Promise.all(informers.map((i) => i.stop()));

    // --- histories ----------------------------------------------------------------------------
    let events = 0;
    let relistDeletes = 0;
    for (const [inf, history] of histories) {
      events += history.length;
      const byUid = new Map<string, Recorded[]>();
      const lastByKey = new Map<string, Recorded>();
      for (const e of history) {
        let list = byUid.get(e.uid);
        if (!list) byUid.set(e.uid, (list = []));
        list.push(e);
        // Per name: an add only at the start or after a delete.
        const last = lastByKey.get(e.key);
        if (e.type === "add" && last && last.type !== "delete") {
          throw new Error(
            `${inf.name}: ${e.key} added twice without a delete between (rv ${last.rv}, ${e.rv})`,
          );
        }
        lastByKey.set(e.key, e);
      }
      for (const [uid, list] of byUid) {
        expect(list[0].type, `first event of ${list[0].key} (${uid})`).toBe("add");
        expect(list.filter((e) => e.type === "add")).toHaveLength(1);
        const deletes = list.filter((e) => e.type === "delete");
        expect(deletes.length).toBeLessThanOrEqual(1);
        if (deletes.length) expect(list[list.length - 1].type).toBe("delete");
        for (let k = 1; k < list.length; k++) {
          const e = list[k];
          // A relist's delete carries the last state seen; everything else moves forward.
          if (e.unknown) expect(e.rv).toBe(list[k - 1].rv);
          else if (e.rv <= list[k - 1].rv)
            throw new Error(`${e.key}: rv ${e.rv} after ${list[k - 1].rv}`);
        }
        if (deletedUids.has(uid))
          expect(deletes, `delete of ${list[0].key} (${uid})`).toHaveLength(1);
        relistDeletes += deletes.filter((e) => e.unknown).length;
      }
    }
    const gone = informers.reduce((n, i) => n + i.stats.gone, 0);
    const lists = informers.reduce((n, i) => n + i.stats.lists, 0);
    const watches = informers.reduce((n, i) => n + i.stats.watches, 0);
    const counts = {
      mutations,
      writeFailures,
      deletes: deletedUids.size,
      restarts,
      compactions,
      cuts,
      stalls,
      gone410: gone,
      lists,
      relists: lists - informers.length,
      watches,
      events,
      relistDeletes,
      informerErrors: errors.length,
      seconds: {
        total: (converged - t0) / 1000,
        convergeAfterWrites: (converged - writesDone) / 1000,
      },
    };
    process.stdout.write(`[informer chaos] ${JSON.stringify(counts)}\n`);
    const kinds = new Map<string, number>();
    for (const m of errors) {
      const kind = m
        .replace(/\?[^ ]*/, "")
        .replace(/retrying in [\d.]+s/, "")
        .slice(0, 160);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    process.stdout.write(`[informer chaos] errors reported: ${JSON.stringify([...kinds])}\n`);
    expect(mutations).toBeGreaterThanOrEqual(MIN_MUTATIONS);
    expect(restarts).toBeGreaterThanOrEqual(3);
    expect(compactions).toBeGreaterThanOrEqual(2);
    expect(gone).toBeGreaterThanOrEqual(2);
    expect(cuts).toBeGreaterThanOrEqual(3);
    expect(stalls).toBeGreaterThanOrEqual(2);
    expect(errors.some((m) => m.includes("410 Gone"))).toBe(true);
    await writerClient.close();
    await viaProxy.close();
  }, 240_000);
});
