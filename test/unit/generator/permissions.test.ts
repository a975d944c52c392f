import { describe, expect, it } from "vitest";
import type { Operation } from "../../../generator/ir.js";
import { permissionOf, permissionRows } from "../../../generator/permissions.js";
import { permissions as apps } from "../../../generated/apps/v1/permissions.js";
import { permissions as core } from "../../../generated/core/v1/permissions.js";
import { permissions as policy } from "../../../generated/policy/v1/permissions.js";

function op(method: Operation["method"], path: string, action: string, name = "op"): Operation {
  return {
    name,
    operationId: name,
    module: "core/v1",
    method,
    path,
    action,
    pathParams: [],
    queryParams: [],
    textResponse: false,
    watchable: false,
  };
}

describe("permission table", () => {
  it("records verb, group, resource, subresource and scope for the generated tree", () => {
    expect(core.listNamespacedPod).toEqual({
      verbs: ["list"],
      group: "",
      resource: "pods",
      namespaced: true,
    });
    expect(core.watchNamespacedPod.verbs).toEqual(["watch"]);
    expect(core.paginateNamespacedPod.verbs).toEqual(["list"]);
    expect(core.listPodForAllNamespaces.namespaced).toBe(false);
    expect(core.readNamespace).toMatchObject({ resource: "namespaces", namespaced: false });
    expect(core.patchNamespacedPodStatus).toMatchObject({
      verbs: ["patch"],
      resource: "pods/status",
    });
    expect(core.readNamespacedPodLog).toMatchObject({ verbs: ["get"], resource: "pods/log" });
    expect(core.createNamespacedPodEviction).toMatchObject({
      verbs: ["create"],
      resource: "pods/eviction",
    });
    expect(core.deleteCollectionNamespacedConfigMap.verbs).toEqual(["deletecollection"]);
    expect(core.replaceNamespaceFinalize).toMatchObject({
      verbs: ["update"],
      resource: "namespaces/finalize",
    });
    expect(apps.readNamespacedDeploymentScale).toMatchObject({
      verbs: ["get"],
      group: "apps",
      resource: "deployments/scale",
    });
    expect(core.getAPIResources).toEqual({ verbs: ["get"], nonResourceURL: "/api/v1/" });
    expect(policy.createNamespacedPodDisruptionBudget.group).toBe("policy");
  });

  it("gives connect operations the verb of their method, and create for upgraded streams", () => {
    const exec = "/api/v1/namespaces/{namespace}/pods/{name}/exec";
    expect(permissionOf(op("POST", exec, "connect"))).toEqual({
      verbs: ["create"],
      group: "",
      resource: "pods/exec",
      namespaced: true,
    });
    expect(permissionOf(op("GET", exec, "connect")).verbs).toEqual(["create", "get"]);
    const proxy = "/api/v1/namespaces/{namespace}/services/{name}/proxy/{path}";
    expect(permissionOf(op("GET", proxy, "connect"))).toMatchObject({
      verbs: ["get"],
      resource: "services/proxy",
    });
    expect(permissionOf(op("GET", "/apis/", ""))).toEqual({
      verbs: ["get"],
      nonResourceURL: "/apis/",
    });
  });

  it("gives every list its watch and paginate rows", () => {
    const list = {
      ...op(
        "GET",
        "/apis/apps/v1/namespaces/{namespace}/deployments",
        "list",
        "listNamespacedDeployment",
      ),
      listItem: { kind: "ref" as const, id: "x" },
      watchable: true,
    };
    expect(
      permissionRows(list).map(([name, p]) => `${name} ${p.verbs.join(",")} ${p.group}`),
    ).toEqual([
      "listNamespacedDeployment list apps",
      "watchNamespacedDeployment watch apps",
      "paginateNamespacedDeployment list apps",
    ]);
  });
});
