// discoverGroups/discoverResources against a real API server, checked against the raw discovery
// documents and against the resource registries generated from the same Kubernetes release.
import { afterAll, describe, expect, it } from "vitest";
import { resources as appsV1 } from "../../generated/apps/v1/index.js";
import { resources as coreV1 } from "../../generated/core/v1/index.js";
import {
  discoverGroups,
  discoverResources,
  send,
  type ApiResource,
  type ResourceInfo,
} from "../../runtime/index.js";
import { adminClient } from "./support.js";

interface RawGroupList {
  groups: {
    name: string;
    versions: { version: string }[];
    preferredVersion: { version: string };
  }[];
}
interface RawResourceList {
  groupVersion: string;
  resources: {
    name: string;
    kind: string;
    namespaced: boolean;
    verbs: string[];
    shortNames?: string[];
    categories?: string[];
  }[];
}

const sorted = (values: readonly string[]) => [...values].sort();
const gv = (r: { group: string; version: string }) =>
  r.group ? `${r.group}/${r.version}` : r.version;

describe("discovery", () => {
  const client = adminClient();
  afterAll(() => client.close());

  const find = (list: ApiResource[], group: string, version: string, name: string) =>
    list.find((r) => r.group === group && r.version === version && r.name === name);

  it("discoverGroups mirrors /api and /apis, core group first", async () => {
    const [groups, api, apis] = await Promise.all([
      discoverGroups(client),
      send<{ versions: string[] }>(client, "GET", "/api", {}),
      send<RawGroupList>(client, "GET", "/apis", {}),
    ]);
    expect(groups[0]).toEqual({ name: "", versions: api.versions, preferredVersion: "v1" });
    expect(groups.slice(1)).toEqual(
      apis.groups.map((g) => ({
        name: g.name,
        versions: g.versions.map((v) => v.version),
        preferredVersion: g.preferredVersion.version,
      })),
    );
    const names = groups.map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(["", "apps", "batch", "apiextensions.k8s.io"]));
    // autoscaling serves v2 and v1 and prefers v2: preferredVersion must come from the server.
    expect(groups.find((g) => g.name === "autoscaling")).toEqual({
      name: "autoscaling",
      versions: ["v2", "v1"],
      preferredVersion: "v2",
    });
  });

  it("discoverResources returns each preferred version's resource list, without subresources", async () => {
    const [groups, resources] = await Promise.all([
      discoverGroups(client),
      discoverResources(client),
    ]);
    const expected: ApiResource[] = [];
    for (const g of groups) {
      const path = g.name ? `/apis/${g.name}/${g.preferredVersion}` : `/api/${g.preferredVersion}`;
      const raw = await send<RawResourceList>(client, "GET", path, {});
      expect(raw.groupVersion).toBe(gv({ group: g.name, version: g.preferredVersion }));
      for (const r of raw.resources) {
        if (r.name.includes("/")) continue;
        expected.push({
          group: g.name,
          version: g.preferredVersion,
          name: r.name,
          kind: r.kind,
          namespaced: r.namespaced,
          verbs: r.verbs,
          shortNames: r.shortNames ?? [],
          categories: r.categories ?? [],
        });
      }
    }
    expect(resources).toEqual(expected);
    expect(resources.some((r) => r.name.includes("/"))).toBe(false);
  });

  it("reports kind, scope, verbs and short names of well-known resources", async () => {
    const resources = await discoverResources(client);
    const all = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    const expectResource = (
      group: string,
      name: string,
      kind: string,
      namespaced: boolean,
      verbs: string[],
      shortNames: string[],
    ) => {
      const r = find(resources, group, "v1", name);
      expect(r, `${group || "core"}/v1 ${name}`).toBeDefined();
      expect({ kind: r!.kind, namespaced: r!.namespaced, verbs: sorted(r!.verbs) }).toEqual({
        kind,
        namespaced,
        verbs,
      });
      expect(r!.shortNames).toEqual(shortNames);
    };
    expectResource("", "pods", "Pod", true, all, ["po"]);
    expectResource("", "services", "Service", true, all, ["svc"]);
    expectResource("", "configmaps", "ConfigMap", true, all, ["cm"]);
    expectResource(
      "",
      "namespaces",
      "Namespace",
      false,
      all.filter((v) => v !== "deletecollection"),
      ["ns"],
    );
    expectResource("", "nodes", "Node", false, all, ["no"]);
    expectResource("", "bindings", "Binding", true, ["create"], []);
    expectResource("apps", "deployments", "Deployment", true, all, ["deploy"]);
    expect(find(resources, "apps", "v1", "deployments")!.categories).toContain("all");
  });

  it("allVersions adds the non-preferred versions", async () => {
    const preferred = await discoverResources(client);
    const every = await discoverResources(client, { allVersions: true });
    expect(find(preferred, "autoscaling", "v2", "horizontalpodautoscalers")).toBeDefined();
    expect(find(preferred, "autoscaling", "v1", "horizontalpodautoscalers")).toBeUndefined();
    expect(find(every, "autoscaling", "v1", "horizontalpodautoscalers")).toMatchObject({
      kind: "HorizontalPodAutoscaler",
      namespaced: true,
    });
    expect(find(every, "autoscaling", "v2", "horizontalpodautoscalers")).toBeDefined();
    // Every preferred-version entry is also in the all-versions answer.
    const key = (r: ApiResource) => `${gv(r)} ${r.name}`;
    expect(every.map(key)).toEqual(expect.arrayContaining(preferred.map(key)));
    expect(every.length).toBeGreaterThan(preferred.length);
  });

  it("subresources adds entries like pods/log only when asked", async () => {
    const plain = await discoverResources(client);
    const withSubs = await discoverResources(client, { subresources: true });
    expect(find(plain, "", "v1", "pods/log")).toBeUndefined();
    expect(find(withSubs, "", "v1", "pods/log")).toMatchObject({
      kind: "Pod",
      namespaced: true,
      verbs: ["get"],
    });
    expect(find(withSubs, "", "v1", "pods/status")).toMatchObject({ kind: "Pod" });
    expect(find(withSubs, "apps", "v1", "deployments/scale")).toMatchObject({
      kind: "Scale",
      namespaced: true,
    });
    // Top-level entries are unchanged by the option.
    expect(withSubs.filter((r) => !r.name.includes("/"))).toEqual(plain);
  });

  describe("generated registries match the server they were generated for", () => {
    const registry: ResourceInfo[] = [...coreV1, ...appsV1];
    let served: ApiResource[];
    const servedFor = async () =>
      (served ??= await discoverResources(client, { allVersions: true, subresources: true }));

    it("the registries are not empty", () => {
      expect(coreV1.map((r) => r.plural)).toEqual(
        expect.arrayContaining(["pods", "services", "configmaps"]),
      );
      expect(appsV1.map((r) => r.plural)).toEqual(
        expect.arrayContaining(["deployments", "statefulsets"]),
      );
    });

    it("every registry entry is served with the same kind and scope", async () => {
      const resources = await servedFor();
      const mismatches = registry.flatMap((r) => {
        const d = find(resources, r.group, r.version, r.plural);
        if (!d) return [`${gv(r)} ${r.plural}: not served`];
        return d.kind === r.kind && d.namespaced === r.namespaced
          ? []
          : [
              `${gv(r)} ${r.plural}: served ${d.kind} namespaced=${d.namespaced}, registry ${r.kind} namespaced=${r.namespaced}`,
            ];
      });
      expect(mismatches).toEqual([]);
    });

    it("every registry entry has the verbs the server serves", async () => {
      const resources = await servedFor();
      const mismatches = registry.flatMap((r) => {
        const d = find(resources, r.group, r.version, r.plural);
        if (!d) return [`${gv(r)} ${r.plural}: not served`];
        const servedVerbs = sorted(d.verbs).join(",");
        const registryVerbs = sorted(r.verbs).join(",");
        return servedVerbs === registryVerbs
          ? []
          : [`${gv(r)} ${r.plural}: served [${servedVerbs}], registry [${registryVerbs}]`];
      });
      expect(mismatches).toEqual([]);
    });

    it("every registry entry lists the subresources the server serves", async () => {
      const resources = await servedFor();
      const mismatches = registry.flatMap((r) => {
        const subs = resources
          .filter(
            (d) =>
              d.group === r.group && d.version === r.version && d.name.startsWith(`${r.plural}/`),
          )
          .map((d) => d.name.slice(r.plural.length + 1));
        return sorted(subs).join(",") === sorted(r.subresources).join(",")
          ? []
          : [
              `${gv(r)} ${r.plural}: served [${sorted(subs)}], registry [${sorted(r.subresources)}]`,
            ];
      });
      expect(mismatches).toEqual([]);
    });

    it("every resource the server serves in core/v1 and apps/v1 is in the registry", async () => {
      const resources = await servedFor();
      const missing = resources
        .filter(
          (d) =>
            (d.group === "" || d.group === "apps") && d.version === "v1" && !d.name.includes("/"),
        )
        .filter((d) => !registry.some((r) => r.group === d.group && r.plural === d.name))
        .map((d) => `${gv(d)} ${d.name}`);
      expect(missing).toEqual([]);
    });
  });
});
