/** Pagination over many objects, and watch: order, bookmarks, resume, and expiry. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespacedConfigMap,
  deleteNamespacedConfigMap,
  listNamespacedConfigMap,
  paginateNamespacedConfigMap,
  replaceNamespacedConfigMap,
  watchNamespacedConfigMap,
  type ConfigMap,
} from "../../generated/core/v1/index.js";
import {
  createNamespacedPodTemplate,
  listNamespacedPodTemplate,
  watchNamespacedPodTemplate,
  type PodTemplate,
} from "../../generated/core/v1/index.js";
import { isGone, KubeError, type Client, type WatchEvent } from "../../runtime/index.js";
import { useCluster } from "./cluster.js";
import { adminClient, testNamespace } from "./support.js";

describe("pagination", () => {
  const TOTAL = 1100;
  let client: Client;
  let ns: Awaited<ReturnType<typeof testNamespace>>;

  beforeAll(async () => {
    client = adminClient();
    ns = await testNamespace(client, "paging");
    const names = Array.from({ length: TOTAL }, (_, i) => `cm-${String(i).padStart(4, "0")}`);
    // 16 at a time over the client's keep-alive pool.
    for (let i = 0; i < names.length; i += 16) {
      await Promise.all(
        names.slice(i, i + 16).map((name) =>
          createNamespacedConfigMap(client, {
            namespace: ns.name,
            body: { metadata: { name }, data: { i: name } },
          }),
        ),
      );
    }
  }, 120_000);
  afterAll(async () => {
    await ns?.remove();
    await client?.close();
  });

  it("pages by hand with limit and continue", async () => {
    let pages = 0;
    let token: string | undefined;
    const seen: string[] = [];
    do {
      const page = await listNamespacedConfigMap(client, {
        namespace: ns.name,
        limit: 250,
        continue: token,
      });
      pages++;
      seen.push(...page.items.map((c) => c.metadata!.name!));
      token = page.metadata?.continue;
      if (token) expect(page.items).toHaveLength(250);
    } while (token);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen).size).toBe(TOTAL);
  });

  it("iterates every item through paginate, in name order, one page at a time", async () => {
    const requests: number[] = [];
    const names: string[] = [];
    for await (const cm of paginateNamespacedConfigMap(
      client,
      { namespace: ns.name },
      { pageSize: 100, onResponse: (r) => requests.push(r.statusCode) },
    )) {
      names.push(cm.metadata!.name!);
    }
    expect(requests).toHaveLength(11);
    expect(names).toHaveLength(TOTAL);
    expect(names).toEqual([...names].sort());
  });
});

function template(name: string): PodTemplate {
  return {
    metadata: { name },
    template: { spec: { containers: [{ name: "c", image: "busybox:1" }] } },
  };
}

describe("watch", () => {
  let client: Client;
  let ns: Awaited<ReturnType<typeof testNamespace>>;

  beforeAll(async () => {
    client = adminClient();
    ns = await testNamespace(client, "watch");
  });
  afterAll(async () => {
    await ns?.remove();
    await client?.close();
  });

  /** Collects events until `until` says stop, then leaves the loop (which closes the stream). */
  async function collect<T>(
    stream: AsyncIterable<WatchEvent<T>>,
    until: (events: WatchEvent<T>[]) => boolean,
  ): Promise<WatchEvent<T>[]> {
    const events: WatchEvent<T>[] = [];
    for await (const event of stream) {
      events.push(event);
      if (until(events)) break;
    }
    return events;
  }

  it("delivers ADDED, MODIFIED, DELETED in order from a list's resourceVersion", async () => {
    const list = await listNamespacedConfigMap(client, { namespace: ns.name });
    const stream = watchNamespacedConfigMap(client, {
      namespace: ns.name,
      resourceVersion: list.metadata!.resourceVersion,
    });
    const done = collect(stream, (events) => events.some((e) => e.type === "DELETED"));
    const created = await createNamespacedConfigMap(client, {
      namespace: ns.name,
      body: { metadata: { name: "w1" } },
    });
    await replaceNamespacedConfigMap(client, {
      namespace: ns.name,
      name: "w1",
      body: { ...created, data: { v: "2" } },
    });
    await deleteNamespacedConfigMap(client, { namespace: ns.name, name: "w1" });
    const events = await done;
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    const modified = events[1];
    expect(modified.type === "MODIFIED" && modified.object.data).toEqual({ v: "2" });
  });

  it("sends bookmarks with allowWatchBookmarks, and the initial-events-end bookmark", async () => {
    await createNamespacedConfigMap(client, {
      namespace: ns.name,
      body: { metadata: { name: "before-watch" } },
    });
    const versions: string[] = [];
    const events = await collect(
      watchNamespacedConfigMap(
        client,
        {
          namespace: ns.name,
          allowWatchBookmarks: true,
          sendInitialEvents: true,
          resourceVersionMatch: "NotOlderThan",
        },
        { onResourceVersion: (rv) => versions.push(rv) },
      ),
      (events) => events.some((e) => e.type === "BOOKMARK"),
    );
    const bookmark = events.at(-1)!;
    if (bookmark.type !== "BOOKMARK") throw new Error(`expected a bookmark, got ${bookmark.type}`);
    expect(bookmark.object.metadata.annotations?.["k8s.io/initial-events-end"]).toBe("true");
    expect(
      events.some((e) => e.type === "ADDED" && e.object.metadata?.name === "before-watch"),
    ).toBe(true);
    // The bookmark's resourceVersion is where the watch stands now.
    expect(versions.at(-1)).toBe(bookmark.object.metadata.resourceVersion);
  });

  it("resumes from the last resourceVersion when the server ends the stream", async () => {
    const list = await listNamespacedConfigMap(client, { namespace: ns.name });
    const requests: string[] = [];
    const stream = watchNamespacedConfigMap(
      client,
      // The server closes each stream after a second; resume reconnects.
      { namespace: ns.name, resourceVersion: list.metadata!.resourceVersion, timeoutSeconds: 1 },
      { resume: true, onResponse: () => requests.push("connect") },
    );
    const named = (e: WatchEvent<ConfigMap>) =>
      e.type === "BOOKMARK" ? "" : (e.object.metadata?.name ?? "");
    const done = collect(
      stream,
      (events) => events.filter((e) => named(e).startsWith("r-")).length === 2,
    );
    await createNamespacedConfigMap(client, {
      namespace: ns.name,
      body: { metadata: { name: "r-1" } },
    });
    await new Promise((r) => setTimeout(r, 2500));
    await createNamespacedConfigMap(client, {
      namespace: ns.name,
      body: { metadata: { name: "r-2" } },
    });
    const events = await done;
    expect(events.map((e) => `${e.type} ${named(e)}`)).toEqual(["ADDED r-1", "ADDED r-2"]);
    expect(requests.length).toBeGreaterThanOrEqual(2);
  });

  it("ends when timeoutSeconds elapses if resume is not asked for", async () => {
    const started = Date.now();
    const events = await collect(
      watchNamespacedConfigMap(client, {
        namespace: ns.name,
        timeoutSeconds: 1,
        resourceVersion: "0",
      }),
      () => false,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(events.every((e) => e.type === "ADDED")).toBe(true);
  });

  /** Compacts etcd's history up to the given revision, as the apiserver does every few minutes. */
  async function compact(revision: string): Promise<void> {
    const res = await fetch(`${useCluster().etcdUrl}/v3/kv/compaction`, {
      method: "POST",
      body: JSON.stringify({ revision, physical: true }),
    });
    expect(res.status).toBe(200);
  }

  it("surfaces an expired resourceVersion as 410 Gone", async () => {
    const first = await createNamespacedPodTemplate(client, {
      namespace: ns.name,
      body: template("t-1"),
    });
    await createNamespacedPodTemplate(client, { namespace: ns.name, body: template("t-2") });
    const third = await createNamespacedPodTemplate(client, {
      namespace: ns.name,
      body: template("t-3"),
    });
    // Watching from t-1 starts at the revision after it, which the compaction removes.
    await compact(third.metadata!.resourceVersion!);
    const error = await collect(
      watchNamespacedPodTemplate(client, {
        namespace: ns.name,
        resourceVersion: first.metadata!.resourceVersion,
      }),
      () => true,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KubeError);
    expect(isGone(error)).toBe(true);
    expect(error).toMatchObject({ code: 410, reason: "Expired" });
  });

  it("surfaces an expired continue token as 410 Gone while paginating", async () => {
    for (const name of ["p-1", "p-2", "p-3"])
      await createNamespacedPodTemplate(client, { namespace: ns.name, body: template(name) });
    const page = await listNamespacedPodTemplate(client, { namespace: ns.name, limit: 1 });
    expect(page.metadata?.continue).toBeTruthy();
    const latest = await createNamespacedPodTemplate(client, {
      namespace: ns.name,
      body: template("p-4"),
    });
    await compact(latest.metadata!.resourceVersion!);
    const error = await listNamespacedPodTemplate(client, {
      namespace: ns.name,
      limit: 1,
      continue: page.metadata!.continue,
    }).catch((e: unknown) => e);
    expect(isGone(error)).toBe(true);
    expect((error as KubeError).message).toMatch(/continue/);
  });
});
