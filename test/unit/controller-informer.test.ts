/** The informer against a scripted HTTPS server: list modes, relist diff, faults, handlers, stop. */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import {
  controller,
  informer,
  EventsOverflowError,
  type InformerError,
  type InformerEvent,
} from "../../runtime/controller/index.js";
import { watch, type Client, type WatchOptions } from "../../runtime/index.js";
import {
  json,
  status,
  useHttpsServer,
  within,
  type RecordedRequest,
} from "./support/https-server.js";

const harness = useHttpsServer();

interface Pod {
  metadata: { name: string; namespace: string; resourceVersion: string; managedFields?: unknown[] };
  spec?: { nodeName?: string };
}
interface PodList {
  items: Pod[];
  metadata?: { resourceVersion?: string; continue?: string };
}
const PODS = "/api/v1/namespaces/{namespace}/pods";
type Params = { namespace?: string; limit?: number; continue?: string };
// Shaped like the generated functions (listNamespacedPod / watchNamespacedPod).
async function listPods(client: Client, params: Params = {}): Promise<PodList> {
  const { send } = await import("../../runtime/index.js");
  return send<PodList>(client, "GET", PODS, params);
}
function watchPods(client: Client, params: Params = {}, options?: WatchOptions) {
  return watch<Pod>(client, PODS, params, options);
}
const api = { list: listPods, watch: watchPods };

const pod = (name: string, rv: string, node = "n1"): Pod => ({
  metadata: { name, namespace: "ns", resourceVersion: rv, managedFields: [{ big: true }] },
  spec: { nodeName: node },
});
const line = (type: string, object: unknown) => `${JSON.stringify({ type, object })}\n`;
const isWatch = (r: RecordedRequest) => r.query.get("watch") === "1";
const streaming = (r: RecordedRequest) => r.query.get("sendInitialEvents") === "true";
function openStream(res: ServerResponse, lines: string[] = []) {
  res.writeHead(200, { "content-type": "application/json" });
  for (const l of lines) res.write(l);
}
const summary = (e: InformerEvent<Pod>) =>
  `${e.type}:${e.object.metadata.name}@${e.object.metadata.resourceVersion}${e.type === "delete" && e.finalStateUnknown ? ":unknown" : ""}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("informer", () => {
  it("syncs by paginated list, then watches; store, indexes, transform, handlers, iterator; stop closes the socket", async () => {
    const { server } = harness;
    let watchRequest: RecordedRequest | undefined;
    server.handle((_req, res, r) => {
      if (isWatch(r)) {
        watchRequest = r;
        openStream(res, [
          line("MODIFIED", pod("a", "11", "n2")),
          line("ADDED", pod("c", "12")),
          line("DELETED", pod("b", "13")),
        ]);
        return;
      }
      if (!r.query.get("continue"))
        return json(res, 200, {
          items: [pod("a", "1")],
          metadata: { resourceVersion: "10", continue: "p2" },
        });
      json(res, 200, { items: [pod("b", "2")], metadata: { resourceVersion: "10" } });
    });
    const events: string[] = [];
    const fromIterator: string[] = [];
    const inf = informer(harness.client(), api, {
      namespace: "ns",
      initialList: "paginate",
      pageSize: 1,
      indexers: { node: (p) => [p.spec?.nodeName ?? ""] },
      transform: (p) => ({ ...p, metadata: { ...p.metadata, managedFields: undefined } }),
    });
    const iterated = (async () => {
      for await (const e of inf) fromIterator.push(summary(e));
    })();
    inf.on("add", (p) => {
      events.push(`add:${p.metadata.name}`);
      throw new Error("handler bug");
    });
    inf.on("update", (old, p) =>
      events.push(`update:${old.metadata.resourceVersion}->${p.metadata.resourceVersion}`),
    );
    inf.on("delete", (p, unknown) => events.push(`delete:${p.metadata.name}:${unknown}`));
    const errors: InformerError[] = [];
    inf.on("error", (e) => errors.push(e));
    expect(inf.hasSynced).toBe(false);
    await within(inf.synced, 5000, "sync");
    expect(inf.hasSynced).toBe(true);
    await within(
      (async () => {
        while (inf.stats.events < 5) await sleep(10);
      })(),
      5000,
      "watch events",
    );
    expect(events).toEqual(["add:a", "add:b", "update:1->11", "add:c", "delete:b:false"]);
    expect(errors.map((e) => e.phase)).toEqual(["handler", "handler", "handler"]);
    expect(errors[0].message).toMatch(/add handler for ns\/a threw: handler bug/);
    expect(inf.store.get("ns", "a")?.metadata.managedFields).toBeUndefined();
    expect(inf.store.byIndex("node", "n2").map((p) => p.metadata.name)).toEqual(["a"]);
    expect(
      inf.store
        .list()
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(["a", "c"]);
    expect(watchRequest!.query.get("resourceVersion")).toBe("10");
    expect(watchRequest!.query.get("allowWatchBookmarks")).toBe("true");
    expect(inf.health).toMatchObject({ state: "watching", synced: true, consecutiveFailures: 0 });
    await within(inf.stop(), 1000, "stop");
    await within(watchRequest!.socketClosed, 1000, "watch socket closed");
    await within(iterated, 1000, "iterator end");
    expect(fromIterator).toEqual(["add:a@1", "add:b@2", "update:a@11", "add:c@12", "delete:b@13"]);
    expect(inf.health.state).toBe("stopped");
  });

  it("syncs by streaming list, waiting for the initial-events-end bookmark", async () => {
    const { server } = harness;
    server.handle((_req, res, r) => {
      expect(streaming(r)).toBe(true);
      expect(r.query.get("resourceVersionMatch")).toBe("NotOlderThan");
      expect(r.query.get("resourceVersion")).toBeNull();
      openStream(res, [line("ADDED", pod("a", "5")), line("ADDED", pod("b", "6"))]);
      setTimeout(() => {
        res.write(
          line("BOOKMARK", {
            metadata: {
              resourceVersion: "7",
              annotations: { "k8s.io/initial-events-end": "true" },
            },
          }),
        );
        res.write(line("MODIFIED", pod("a", "8")));
      }, 200);
    });
    const inf = informer(harness.client(), api, { namespace: "ns" });
    const t0 = Date.now();
    await within(inf.synced, 5000, "sync");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    await within(
      (async () => {
        while (inf.store.get("ns", "a")?.metadata.resourceVersion !== "8") await sleep(10);
      })(),
      5000,
      "update",
    );
    expect(inf.stats).toMatchObject({ lists: 1, watches: 1, events: 3 });
    await inf.stop();
  });

  it("falls back to paginated lists when the server rejects streaming parameters", async () => {
    const { server } = harness;
    server.handle((_req, res, r) => {
      if (streaming(r))
        return json(res, 422, status(422, "Invalid", "sendInitialEvents is forbidden"));
      if (isWatch(r)) return openStream(res);
      json(res, 200, { items: [pod("a", "1")], metadata: { resourceVersion: "3" } });
    });
    const errors: InformerError[] = [];
    const inf = informer(harness.client(), api, {
      namespace: "ns",
      onError: (e) => errors.push(e),
    });
    await within(inf.synced, 5000, "sync");
    expect(inf.store.size).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/rejected a streaming list.*using paginated lists/);
    await inf.stop();
  });

  it("after 410 relists: deletes vanished objects with their last known state, updates changed ones, never re-adds", async () => {
    const { server } = harness;
    let lists = 0;
    server.handle((_req, res, r) => {
      if (isWatch(r)) {
        if (lists === 1)
          return json(res, 410, status(410, "Expired", "too old resource version: 10 (20)"));
        return openStream(res);
      }
      lists++;
      if (lists === 1)
        return json(res, 200, {
          items: [pod("a", "1"), pod("b", "2"), pod("c", "3")],
          metadata: { resourceVersion: "10" },
        });
      json(res, 200, {
        items: [pod("b", "2"), pod("c", "15"), pod("d", "16")],
        metadata: { resourceVersion: "20" },
      });
    });
    const events: string[] = [];
    const errors: InformerError[] = [];
    const inf = informer(harness.client(), api, {
      namespace: "ns",
      initialList: "paginate",
      backoff: { initialMs: 20, maxMs: 50 },
      onError: (e) => errors.push(e),
    });
    inf.on("add", (p) => events.push(`add:${p.metadata.name}`));
    inf.on("update", (_o, p) => events.push(`update:${p.metadata.name}`));
    inf.on("delete", (p, unknown) =>
      events.push(`delete:${p.metadata.name}@${p.metadata.resourceVersion}:${unknown}`),
    );
    await within(
      (async () => {
        while (lists < 2 || inf.stats.events < 6) await sleep(10);
      })(),
      5000,
      "relist",
    );
    expect(events).toEqual(["add:a", "add:b", "add:c", "update:c", "add:d", "delete:a@1:true"]);
    expect(inf.stats.gone).toBe(1);
    expect(errors[0].message).toMatch(/410 Gone.*listing again/);
    await inf.stop();
  });

  it("survives a 410 loop with growing delays and reports every round", async () => {
    const { server } = harness;
    server.handle((_req, res, r) => {
      if (isWatch(r))
        return openStream(res, [line("ERROR", status(410, "Expired", "too old resource version"))]);
      json(res, 200, { items: [pod("a", "1")], metadata: { resourceVersion: "10" } });
    });
    const errors: InformerError[] = [];
    const inf = informer(harness.client(), api, {
      namespace: "ns",
      initialList: "paginate",
      backoff: { initialMs: 40, maxMs: 400 },
      onError: (e) => errors.push(e),
    });
    await sleep(1500);
    await inf.stop();
    const lists = server.requests.filter((r) => !isWatch(r)).length;
    expect(inf.stats.gone).toBeGreaterThanOrEqual(3);
    expect(errors.length).toBe(inf.stats.gone);
    // Backoff grows across rounds (a successful relist does not reset it; only a watch event does).
    expect(errors[2].retryInMs!).toBeGreaterThanOrEqual(80);
    expect(lists).toBeLessThan(15);
    expect(inf.health.consecutiveFailures).toBeGreaterThanOrEqual(3);
    expect(inf.health.lastError?.message).toMatch(/410/);
    expect(inf.hasSynced).toBe(true);
  });

  it("a 403 on watch is one clear error naming the missing verb, not a retry storm", async () => {
    const { server } = harness;
    server.handle((_req, res, r) => {
      if (isWatch(r)) {
        return json(
          res,
          403,
          status(
            403,
            "Forbidden",
            'pods is forbidden: User "reader" cannot watch resource "pods" in API group "" in the namespace "ns"',
          ),
        );
      }
      json(res, 200, { items: [pod("a", "1")], metadata: { resourceVersion: "10" } });
    });
    const errors: InformerError[] = [];
    const inf = informer(harness.client(), api, {
      namespace: "ns",
      onError: (e) => errors.push(e),
    });
    await within(
      (async () => {
        while (errors.length === 0) await sleep(10);
      })(),
      5000,
      "the first error",
    );
    // A retry storm would have sent more watches by now.
    await sleep(1000);
    const watches = server.requests.filter(isWatch).length;
    await inf.stop();
    // auto mode: the streaming list is a watch, refused; no fallback to a list that cannot be watched.
    expect(watches).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(
      /refused to watch \(403 Forbidden\): RBAC must allow the verb "watch"/,
    );
    expect(errors[0].retryInMs!).toBeGreaterThanOrEqual(15_000);
    expect(inf.health.state).toBe("stopped");
  });

  it("reports a malformed watch line with its bytes truncated, and resumes from the last resourceVersion", async () => {
    const { server } = harness;
    const garbage = `{"type":"MODIFIED","object":${"x".repeat(5000)}`;
    let watches = 0;
    server.handle((_req, res, r) => {
      if (!isWatch(r))
        return json(res, 200, { items: [pod("a", "1")], metadata: { resourceVersion: "10" } });
      watches++;
      if (watches === 1) return openStream(res, [line("MODIFIED", pod("a", "11")), `${garbage}\n`]);
      openStream(res);
    });
    const errors: InformerError[] = [];
    const inf = informer(harness.client(), api, {
      namespace: "ns",
      initialList: "paginate",
      backoff: { initialMs: 20, maxMs: 50 },
      onError: (e) => errors.push(e),
    });
    await within(
      (async () => {
        while (watches < 2) await sleep(10);
      })(),
      5000,
      "second watch",
    );
    await inf.stop();
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('not JSON: "{\\"type\\":\\"MODIFIED\\",\\"object\\":xxx');
    expect(errors[0].message).toContain("(5028 bytes)");
    expect(errors[0].message.length).toBeLessThan(500);
    const second = server.requests.filter(isWatch)[1];
    expect(second.query.get("resourceVersion")).toBe("11");
    expect(inf.stats.lists).toBe(1);
  });

  it("resync re-delivers the store as updates without a server call", async () => {
    const { server } = harness;
    server.handle((_req, res, r) => {
      if (isWatch(r)) return openStream(res);
      json(res, 200, {
        items: [pod("a", "1"), pod("b", "2")],
        metadata: { resourceVersion: "10" },
      });
    });
    const resyncs: string[] = [];
    const inf = informer(harness.client(), api, {
      namespace: "ns",
      initialList: "paginate",
      resyncMs: 100,
    });
    inf.on("update", (old, p, resync) => {
      expect(old).toBe(p);
      if (resync) resyncs.push(p.metadata.name);
    });
    await inf.synced;
    await server.waitForRequests(2);
    const requests = server.requests.length;
    await sleep(350);
    await inf.stop();
    expect(resyncs.length).toBeGreaterThanOrEqual(4);
    expect(server.requests.length).toBe(requests);
  });

  it("an AbortSignal stops it, and synced rejects when stopped before syncing", async () => {
    const { server } = harness;
    server.handle(() => {}); // never answers
    const abort = new AbortController();
    const inf = informer(harness.client(), api, { namespace: "ns", signal: abort.signal });
    await server.waitForRequests(1);
    abort.abort();
    await within(inf.done, 1000, "stop");
    await expect(inf.synced).rejects.toThrow(/stopped before it synced/);
  });

  it("replays the store to an add handler registered after sync, so a late controller sees every object", async () => {
    const { server } = harness;
    server.handle((_req, res, r) => {
      if (isWatch(r)) return openStream(res, []);
      json(res, 200, {
        items: [pod("a", "1"), pod("b", "2")],
        metadata: { resourceVersion: "10" },
      });
    });
    const inf = informer(harness.client(), api, { namespace: "ns", initialList: "paginate" });
    await within(inf.synced, 5000, "sync");
    const late: string[] = [];
    inf.on("add", (p) => late.push(p.metadata.name));
    // Only add handlers replay; an update handler gets updates from now on.
    inf.on("update", (_o, p) => late.push(`update:${p.metadata.name}`));
    expect(late.sort()).toEqual(["a", "b"]);
    const reconciled: string[] = [];
    const c = controller({
      informer: inf,
      reconcile: async (key) => void reconciled.push(key),
    });
    await within(
      (async () => {
        while (reconciled.length < 2) await sleep(10);
      })(),
      2000,
      "reconciles of the stored objects",
    );
    expect(reconciled.sort()).toEqual(["ns/a", "ns/b"]);
    await c.stop();
    await inf.stop();
  });

  it("events(): maxBuffered ends a loop that fell behind with an error, replay catches up from the store", async () => {
    const { server } = harness;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    server.handle((_req, res, r) => {
      if (isWatch(r)) {
        openStream(res);
        void released.then(() => {
          for (let i = 1; i <= 5; i++) res.write(line("ADDED", pod(`c${i}`, String(10 + i))));
        });
        return;
      }
      json(res, 200, {
        items: [pod("a", "1"), pod("b", "2")],
        metadata: { resourceVersion: "10" },
      });
    });
    const inf = informer(harness.client(), api, { namespace: "ns", initialList: "paginate" });
    await within(inf.synced, 5000, "sync");
    const slow = inf.events({ maxBuffered: 2 });
    const unbounded = inf.events();
    release();
    await within(
      (async () => {
        while (!inf.store.has("ns/c5")) await sleep(10);
      })(),
      2000,
      "the watch events",
    );
    // The slow loop gets what fitted, in order, then the error; the informer goes on.
    expect(summary((await slow.next()).value as InformerEvent<Pod>)).toBe("add:c1@11");
    expect(summary((await slow.next()).value as InformerEvent<Pod>)).toBe("add:c2@12");
    const overflow = await slow.next().catch((e: unknown) => e);
    expect(overflow).toBeInstanceOf(EventsOverflowError);
    expect((overflow as EventsOverflowError).maxBuffered).toBe(2);
    expect(await slow.next()).toEqual({ value: undefined, done: true });
    const all: string[] = [];
    for (let i = 0; i < 5; i++)
      all.push(summary((await unbounded.next()).value as InformerEvent<Pod>));
    expect(all).toEqual(["add:c1@11", "add:c2@12", "add:c3@13", "add:c4@14", "add:c5@15"]);
    // A new loop with replay starts from the store: every object as an add, past the limit.
    const replayed = inf.events({ replay: true, maxBuffered: 1 });
    const names: string[] = [];
    for (let i = 0; i < 7; i++)
      names.push(((await replayed.next()).value as InformerEvent<Pod>).object.metadata.name);
    expect(names.sort()).toEqual(["a", "b", "c1", "c2", "c3", "c4", "c5"]);
    await inf.stop();
    expect(await replayed.next()).toEqual({ value: undefined, done: true });
    expect(await unbounded.next()).toEqual({ value: undefined, done: true });
  });
});
