/** Shared informers: one list/watch and one cache per resource and selection, indexes merged. */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { sharedInformers } from "../../runtime/controller/index.js";
import { send, watch, type Client, type WatchOptions } from "../../runtime/index.js";
import { json, useHttpsServer, within, type RecordedRequest } from "./support/https-server.js";

const harness = useHttpsServer({ namespace: "ns" });

interface Pod {
  metadata: {
    name: string;
    namespace: string;
    resourceVersion: string;
    labels?: Record<string, string>;
  };
  spec?: { nodeName?: string };
}
const PODS = "/api/v1/namespaces/{namespace}/pods";
type Params = { namespace?: string; labelSelector?: string; limit?: number; continue?: string };
const api = {
  list: (client: Client, params: Params = {}) =>
    send<{ items: Pod[] }>(client, "GET", PODS, params),
  watch: (client: Client, params: Params = {}, options?: WatchOptions) =>
    watch<Pod>(client, PODS, params, options),
};
const pod = (name: string, node: string, zone: string): Pod => ({
  metadata: { name, namespace: "ns", resourceVersion: "1", labels: { zone } },
  spec: { nodeName: node },
});
const isWatch = (r: RecordedRequest) => r.query.get("watch") === "1";

describe("sharedInformers", () => {
  it("gives every caller the same informer per resource and selection, with one list and one watch", async () => {
    const { server } = harness;
    server.handle((_req, res: ServerResponse, r) => {
      if (isWatch(r)) return void res.writeHead(200, { "content-type": "application/json" });
      json(res, 200, {
        items: [pod("a", "n1", "east"), pod("b", "n2", "west")],
        metadata: { resourceVersion: "10" },
      });
    });
    const shared = sharedInformers(harness.client(), { initialList: "paginate" });
    const byNode = (p: Pod) => [p.spec?.nodeName ?? ""];
    const first = shared.informer(api, {}, { byNode });
    // Naming the client's namespace is the same selection as leaving it out.
    const second = shared.informer(api, { namespace: "ns" }, { byNode });
    expect(second).toBe(first);
    const other = shared.informer(api, { labelSelector: "zone=east" });
    expect(other).not.toBe(first);
    await within(shared.synced(), 5000, "sync");
    // An index added after sync covers what is already stored.
    const third = shared.informer(api, {}, { byZone: (p) => [p.metadata.labels?.zone ?? ""] });
    expect(third).toBe(first);
    expect(first.store.byIndex("byNode", "n2").map((p) => p.metadata.name)).toEqual(["b"]);
    expect(first.store.byIndex("byZone", "east").map((p) => p.metadata.name)).toEqual(["a"]);
    expect(() => shared.informer(api, {}, { byNode: (p) => [p.metadata.name] })).toThrow(
      /an index named "byNode" exists with another function/,
    );
    const lists = server.requests.filter((r) => !isWatch(r));
    expect(lists.map((r) => r.query.get("labelSelector"))).toEqual([null, "zone=east"]);
    await within(
      (async () => {
        while (server.requests.filter(isWatch).length < 2)
          await new Promise((r) => setTimeout(r, 10));
      })(),
      5000,
      "the two watches",
    );
    expect(server.requests.filter(isWatch)).toHaveLength(2);
    await shared.stop();
    expect(first.health.state).toBe("stopped");
    expect(other.health.state).toBe("stopped");
    expect(() => shared.informer(api)).toThrow(/stopped/);
  });
});
