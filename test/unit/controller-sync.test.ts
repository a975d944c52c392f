/** The store and the relist diff: what a relist delivers after a disconnection. */
import { describe, expect, it } from "vitest";
import { Store } from "../../runtime/controller/store.js";
import { Relist, remove, upsert, type InformerEvent } from "../../runtime/controller/sync.js";

interface Obj {
  metadata: { name: string; namespace?: string; resourceVersion: string; uid?: string };
  node?: string;
}
const obj = (name: string, rv: string, node = "n1", namespace = "ns"): Obj => ({
  metadata: { name, namespace, resourceVersion: rv },
  node,
});
const summary = (events: (InformerEvent<Obj> | undefined)[]) =>
  events
    .filter((e): e is InformerEvent<Obj> => e !== undefined)
    .map(
      (e) =>
        `${e.type}:${e.object.metadata.name}@${e.object.metadata.resourceVersion}${e.type === "delete" && e.finalStateUnknown ? ":unknown" : ""}`,
    );

describe("store", () => {
  it("gets by namespace and name, lists, and keeps indexes in step with updates and deletes", () => {
    const store = new Store<Obj>({ node: (o) => (o.node ? [o.node] : []) });
    upsert(store, obj("a", "1", "n1"));
    upsert(store, obj("b", "2", "n1"));
    upsert(store, obj("c", "3", "n2", "other"));
    expect(store.get("ns", "a")?.metadata.resourceVersion).toBe("1");
    expect(store.get("other", "c")?.node).toBe("n2");
    expect(store.list()).toHaveLength(3);
    expect(
      store
        .byIndex("node", "n1")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["a", "b"]);
    expect(store.byIndex("namespace", "other").map((o) => o.metadata.name)).toEqual(["c"]);
    upsert(store, obj("a", "4", "n2"));
    expect(store.byIndex("node", "n1").map((o) => o.metadata.name)).toEqual(["b"]);
    expect(
      store
        .byIndex("node", "n2")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["a", "c"]);
    remove(store, obj("c", "5", "n2", "other"));
    expect(store.byIndex("node", "n2").map((o) => o.metadata.name)).toEqual(["a"]);
    expect(store.byIndex("namespace", "other")).toEqual([]);
    expect(() => store.byIndex("nope", "x")).toThrow(/no index named "nope"/);
  });

  it("ignores a repeated resourceVersion and a delete of an unknown object", () => {
    const store = new Store<Obj>();
    expect(
      summary([
        upsert(store, obj("a", "1")),
        upsert(store, obj("a", "1")),
        upsert(store, obj("a", "2")),
      ]),
    ).toEqual(["add:a@1", "update:a@2"]);
    expect(remove(store, obj("zzz", "9"))).toBeUndefined();
    expect(summary([remove(store, obj("a", "3"))])).toEqual(["delete:a@3"]);
  });
});

describe("relist diff", () => {
  it("updates changed objects, adds new ones, leaves unchanged ones silent, deletes vanished ones with their last known state", () => {
    const store = new Store<Obj>();
    for (const o of [obj("keep", "1"), obj("change", "2"), obj("gone", "3"), obj("gone-too", "4")])
      upsert(store, o);
    const relist = new Relist(store);
    const events = [
      relist.put(obj("keep", "1")),
      relist.put(obj("change", "7")),
      relist.put(obj("new", "8")),
      ...relist.finish(),
    ];
    expect(summary(events)).toEqual([
      "update:change@7",
      "add:new@8",
      "delete:gone@3:unknown",
      "delete:gone-too@4:unknown",
    ]);
    expect(store.keys().sort()).toEqual(["ns/change", "ns/keep", "ns/new"]);
  });

  it("never adds twice: an object re-created while disconnected is an update, and a second relist of the same state is silent", () => {
    const store = new Store<Obj>();
    upsert(store, obj("a", "1"));
    const first = new Relist(store);
    const events = [first.put(obj("a", "9")), ...first.finish()];
    expect(summary(events)).toEqual(["update:a@9"]);
    const second = new Relist(store);
    expect(summary([second.put(obj("a", "9")), ...second.finish()])).toEqual([]);
  });

  it("an interrupted relist followed by a complete one still deletes what vanished", () => {
    const store = new Store<Obj>();
    upsert(store, obj("a", "1"));
    upsert(store, obj("b", "2"));
    const broken = new Relist(store);
    broken.put(obj("c", "5")); // first page only, then the connection broke
    const full = new Relist(store);
    const events = [full.put(obj("b", "2")), ...full.finish()];
    expect(summary(events)).toEqual(["delete:a@1:unknown", "delete:c@5:unknown"]);
  });

  it("a name re-created with a new uid while disconnected is a delete (last known state) then an add", () => {
    const store = new Store<Obj>();
    const first = { metadata: { name: "a", namespace: "ns", resourceVersion: "1", uid: "u1" } };
    const second = { metadata: { name: "a", namespace: "ns", resourceVersion: "9", uid: "u2" } };
    upsert(store, first);
    const relist = new Relist(store);
    const events: InformerEvent<Obj>[] = [];
    const last = relist.put(second, (e) => events.push(e));
    events.push(last!, ...relist.finish());
    expect(summary(events)).toEqual(["delete:a@1:unknown", "add:a@9"]);
  });
});
