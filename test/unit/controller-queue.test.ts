/** Work queue and reconcile loop: dedup, one reconcile per key at a time, concurrency, backoff, requeueAfter. */
import { describe, expect, it } from "vitest";
import {
  controller,
  controllerOwner,
  watches,
  WorkQueue,
  type Informer,
  type OwnedObject,
} from "../../runtime/controller/index.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("WorkQueue", () => {
  it("keeps a waiting key once, in first-added order", async () => {
    const q = new WorkQueue();
    for (const k of ["a", "b", "a", "c", "b", "a"]) q.add(k);
    expect(q.length).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(["a", "b", "c"]);
  });

  it("re-queues a key added while it is processed only after done(), never hands it out twice at once", async () => {
    const q = new WorkQueue();
    q.add("a");
    const key = await q.get();
    q.add("a");
    q.add("a");
    expect(q.length).toBe(0); // not handed to a second worker while the first holds it
    q.done(key!);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe("a");
    q.done("a");
    expect(q.length).toBe(0);
  });

  it("backs off per key exponentially up to the cap, and forget() resets it", () => {
    const q = new WorkQueue({ baseMs: 10, maxMs: 50 });
    expect([
      q.addRateLimited("a"),
      q.addRateLimited("a"),
      q.addRateLimited("a"),
      q.addRateLimited("a"),
    ]).toEqual([10, 20, 40, 50]);
    expect(q.addRateLimited("b")).toBe(10);
    q.forget("a");
    expect(q.addRateLimited("a")).toBe(10);
    q.shutDown();
  });

  it("addAfter keeps the earliest time for a key", async () => {
    const q = new WorkQueue();
    q.addAfter("a", 1000);
    q.addAfter("a", 20);
    q.addAfter("a", 500);
    const t0 = Date.now();
    expect(await q.get()).toBe("a");
    expect(Date.now() - t0).toBeLessThan(400);
    q.shutDown();
  });

  it("shutDown wakes waiting workers with undefined", async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add("x");
    expect(q.length).toBe(0);
  });
});

describe("controller", () => {
  it("never runs two reconciles of one key at once, and respects the concurrency limit", async () => {
    let running = 0;
    let maxRunning = 0;
    const active = new Set<string>();
    const runs: string[] = [];
    const ctl = controller({
      concurrency: 3,
      reconcile: async (key) => {
        expect(active.has(key)).toBe(false);
        active.add(key);
        maxRunning = Math.max(maxRunning, ++running);
        runs.push(key);
        await sleep(15);
        running--;
        active.delete(key);
      },
    });
    for (let round = 0; round < 5; round++) {
      for (const k of ["a", "b", "c", "d", "e", "f"]) ctl.queue.add(k);
      await sleep(5);
    }
    await sleep(300);
    await ctl.stop();
    expect(maxRunning).toBe(3);
    // Deduplicated: far fewer than the 30 adds, every key at least once.
    expect(new Set(runs)).toEqual(new Set(["a", "b", "c", "d", "e", "f"]));
    expect(runs.length).toBeLessThan(30);
  });

  it("retries a failing key with growing delays, then succeeds and forgets the failures", async () => {
    const times: number[] = [];
    const errors: number[] = [];
    const ctl = controller({
      backoff: { baseMs: 20, maxMs: 1000 },
      onError: (_key, _error, retryInMs) => errors.push(retryInMs),
      reconcile: (key) => {
        times.push(Date.now());
        if (times.length < 4) throw new Error(`boom ${key}`);
      },
    });
    ctl.queue.add("k");
    await sleep(400);
    await ctl.stop();
    expect(times).toHaveLength(4);
    expect(errors).toEqual([20, 40, 80]);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    expect(ctl.queue.failuresOf("k")).toBe(0);
  });

  it("requeueAfter reconciles the key again after the delay", async () => {
    const times: number[] = [];
    const ctl = controller({
      reconcile: () => {
        times.push(Date.now());
        return times.length < 3 ? { requeueAfter: 50 } : undefined;
      },
    });
    ctl.queue.add("k");
    await sleep(300);
    await ctl.stop();
    expect(times).toHaveLength(3);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(45);
  });

  it("stop() aborts the running reconcile's signal and waits for it", async () => {
    let aborted = false;
    let started!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    const ctl = controller({
      reconcile: (_key, signal) =>
        new Promise<void>((resolve) => {
          started();
          signal.addEventListener("abort", () => {
            aborted = true;
            resolve();
          });
        }),
    });
    ctl.queue.add("k");
    await isStarted;
    await ctl.stop();
    expect(aborted).toBe(true);
  });
});

describe("controllerOwner and watches", () => {
  const owned = (namespace: string | undefined, ...refs: object[]): OwnedObject =>
    ({ metadata: { name: "child", namespace, ownerReferences: refs } }) as OwnedObject;
  const ref = (kind: string, apiVersion: string, name: string, controller?: boolean) => ({
    kind,
    apiVersion,
    name,
    uid: "u",
    controller,
  });

  it("maps to the controlling owner of the kind, comparing groups, not versions", () => {
    const deployments = controllerOwner({ apiVersion: "apps/v1", kind: "Deployment" });
    expect(deployments(owned("ns", ref("Deployment", "apps/v1beta2", "web", true)))).toEqual([
      "ns/web",
    ]);
    expect(deployments(owned("ns", ref("Deployment", "extensions/v1beta1", "web", true)))).toEqual(
      [],
    );
    expect(deployments(owned("ns", ref("Deployment", "apps/v1", "web")))).toEqual([]);
    expect(deployments(owned("ns", ref("Deployment", "apps/v1", "web", false)))).toEqual([]);
    expect(deployments(owned("ns", ref("ReplicaSet", "apps/v1", "web", true)))).toEqual([]);
    expect(
      deployments(
        owned("ns", ref("Deployment", "apps/v1", "a"), ref("Deployment", "apps/v1", "b", true)),
      ),
    ).toEqual(["ns/b"]);
    expect(deployments({ metadata: { name: "bare" } })).toEqual([]);
    const core = controllerOwner({ apiVersion: "v1", kind: "ConfigMap" });
    expect(core(owned("ns", ref("ConfigMap", "v1", "cm", true)))).toEqual(["ns/cm"]);
    const namespaces = controllerOwner({
      apiVersion: "v1",
      kind: "Namespace",
      clusterScoped: true,
    });
    expect(namespaces(owned("ns", ref("Namespace", "v1", "team", true)))).toEqual(["team"]);
  });

  it("queues the keys of both sides of an update, each once, and stops with the controller", async () => {
    type Handler = (...args: OwnedObject[]) => void;
    const handlers = new Map<string, Set<Handler>>();
    // The part of an informer that watches() uses.
    const fake = {
      on(event: string, handler: Handler) {
        if (!handlers.has(event)) handlers.set(event, new Set());
        handlers.get(event)!.add(handler);
        return () => void handlers.get(event)!.delete(handler);
      },
    } as unknown as Informer<OwnedObject>;
    const emit = (event: string, ...objects: OwnedObject[]) =>
      handlers.get(event)?.forEach((h) => h(...objects));
    const keys: string[] = [];
    const ctl = controller({
      watches: [watches(fake, controllerOwner({ apiVersion: "v1", kind: "ConfigMap" }))],
      reconcile: (key) => void keys.push(key),
    });
    const by = (name: string) => owned("ns", ref("ConfigMap", "v1", name, true));
    emit("add", by("a"));
    await sleep(20);
    emit("update", by("a"), by("b"));
    await sleep(20);
    emit("update", by("b"), by("b"));
    await sleep(20);
    emit("delete", by("b"));
    await sleep(20);
    expect(keys).toEqual(["ns/a", "ns/a", "ns/b", "ns/b", "ns/b"]);
    await ctl.stop();
    expect([...handlers.values()].every((set) => set.size === 0)).toBe(true);
  });
});
