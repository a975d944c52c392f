/** A small hand-written Swagger spec that exercises every generator rule. */
import type { SwaggerSpec } from "../../../generator/spec.js";

const ref = (id: string) => ({ $ref: `#/definitions/${id}` });
const gvk = (group: string, version: string, kind: string) => ({
  "x-kubernetes-group-version-kind": [{ group, version, kind }],
});
const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

const nameParam = (kind: string) => ({
  name: "name",
  in: "path",
  required: true,
  type: "string",
  description: `name of the ${kind}`,
});

export function miniSpec(): SwaggerSpec {
  const spec = {
    swagger: "2.0",
    info: { title: "Kubernetes", version: "v1.99.0" },
    parameters: {
      "namespace-abc": {
        name: "namespace",
        in: "path",
        required: true,
        type: "string",
        description: "object name and auth scope",
      },
      "limit-abc": {
        name: "limit",
        in: "query",
        type: "integer",
        description: "limit is a maximum number of responses to return",
      },
      "continue-abc": {
        name: "continue",
        in: "query",
        type: "string",
        description: "The continue option",
      },
      "watch-abc": {
        name: "watch",
        in: "query",
        type: "boolean",
        description: "Watch for changes",
      },
      "labelSelector-abc": {
        name: "labelSelector",
        in: "query",
        type: "string",
        description: "A selector",
      },
      "resourceVersion-abc": {
        name: "resourceVersion",
        in: "query",
        type: "string",
        description: "resourceVersion",
      },
    },
    paths: {
      "/api/v1/namespaces/{namespace}/pods": {
        parameters: [{ $ref: "#/parameters/namespace-abc" }],
        get: {
          operationId: "listCoreV1NamespacedPod",
          description: "list or watch objects of kind Pod",
          tags: ["core_v1"],
          produces: ["application/json", "application/json;stream=watch"],
          parameters: [
            { $ref: "#/parameters/continue-abc" },
            { $ref: "#/parameters/labelSelector-abc" },
            { $ref: "#/parameters/limit-abc" },
            { $ref: "#/parameters/resourceVersion-abc" },
            { $ref: "#/parameters/watch-abc" },
          ],
          responses: { "200": { description: "OK", schema: ref("io.k8s.api.core.v1.PodList") } },
          "x-kubernetes-action": "list",
          "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "Pod" },
        },
        post: {
          operationId: "createCoreV1NamespacedPod",
          description: "create a Pod",
          tags: ["core_v1"],
          parameters: [
            { name: "body", in: "body", required: true, schema: ref("io.k8s.api.core.v1.Pod") },
            {
              name: "dryRun",
              in: "query",
              type: "string",
              description: "When present, do not persist",
            },
            {
              name: "fieldManager",
              in: "query",
              type: "string",
              description: "the actor making changes",
            },
          ],
          responses: {
            "200": { description: "OK", schema: ref("io.k8s.api.core.v1.Pod") },
            "201": { description: "Created", schema: ref("io.k8s.api.core.v1.Pod") },
            "202": { description: "Accepted", schema: ref("io.k8s.api.core.v1.Pod") },
          },
          "x-kubernetes-action": "post",
          "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "Pod" },
        },
      },
      "/api/v1/namespaces/{namespace}/pods/{name}": {
        parameters: [nameParam("Pod"), { $ref: "#/parameters/namespace-abc" }],
        get: {
          operationId: "readCoreV1NamespacedPod",
          description: "read the specified Pod",
          tags: ["core_v1"],
          responses: { "200": { description: "OK", schema: ref("io.k8s.api.core.v1.Pod") } },
          "x-kubernetes-action": "get",
          "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "Pod" },
        },
        patch: {
          operationId: "patchCoreV1NamespacedPod",
          description: "partially update the specified Pod",
          tags: ["core_v1"],
          consumes: [
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/strategic-merge-patch+json",
            "application/apply-patch+yaml",
            "application/apply-patch+cbor",
          ],
          parameters: [
            { name: "body", in: "body", required: true, schema: ref(`${META}.Patch`) },
            {
              name: "fieldManager",
              in: "query",
              type: "string",
              description: "the actor making changes",
            },
            { name: "force", in: "query", type: "boolean", description: "Force apply" },
          ],
          responses: { "200": { description: "OK", schema: ref("io.k8s.api.core.v1.Pod") } },
          "x-kubernetes-action": "patch",
          "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "Pod" },
        },
        delete: {
          operationId: "deleteCoreV1NamespacedPod",
          description: "delete a Pod",
          tags: ["core_v1"],
          parameters: [
            { name: "body", in: "body", schema: ref(`${META}.DeleteOptions`) },
            { name: "gracePeriodSeconds", in: "query", type: "integer", description: "seconds" },
            {
              name: "dryRun",
              in: "query",
              type: "array",
              items: { type: "string" },
              description: "dry run",
            },
          ],
          responses: {
            "200": { description: "OK", schema: ref("io.k8s.api.core.v1.Pod") },
            "202": { description: "Accepted", schema: ref(`${META}.Status`) },
          },
          "x-kubernetes-action": "delete",
          "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "Pod" },
        },
      },
      "/api/v1/namespaces/{namespace}/pods/{name}/log": {
        parameters: [nameParam("Pod"), { $ref: "#/parameters/namespace-abc" }],
        get: {
          operationId: "readCoreV1NamespacedPodLog",
          description: "read log of the specified Pod",
          tags: ["core_v1"],
          produces: ["text/plain"],
          parameters: [
            { name: "container", in: "query", type: "string", description: "The container" },
          ],
          responses: { "200": { description: "OK", schema: { type: "string" } } },
          "x-kubernetes-action": "get",
          "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "Pod" },
        },
      },
      "/api/v1/namespaces/{namespace}/pods/{name}/exec": {
        parameters: [nameParam("Pod"), { $ref: "#/parameters/namespace-abc" }],
        get: {
          operationId: "connectCoreV1GetNamespacedPodExec",
          tags: ["core_v1"],
          parameters: [
            { name: "command", in: "query", type: "string", description: "The argv." },
            { name: "tty", in: "query", type: "boolean", description: "Allocate a tty." },
          ],
          responses: { "200": { description: "OK", schema: { type: "string" } } },
          "x-kubernetes-action": "connect",
          "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "PodExecOptions" },
        },
      },
      "/api/v1/watch/namespaces/{namespace}/pods": {
        parameters: [{ $ref: "#/parameters/namespace-abc" }],
        get: {
          operationId: "watchCoreV1NamespacedPodList",
          tags: ["core_v1"],
          responses: { "200": { description: "OK", schema: ref(`${META}.WatchEvent`) } },
          "x-kubernetes-action": "watchlist",
          "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "Pod" },
        },
      },
      "/api/v1/componentstatuses": {
        get: {
          operationId: "listCoreV1ComponentStatus",
          description: "list objects of kind ComponentStatus",
          tags: ["core_v1"],
          produces: ["application/json"],
          responses: {
            "200": { description: "OK", schema: ref("io.k8s.api.core.v1.ComponentStatusList") },
          },
          "x-kubernetes-action": "list",
          "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "ComponentStatus" },
        },
      },
      "/api/v1/events": {
        get: {
          operationId: "listCoreV1EventForAllNamespaces",
          description: "list or watch objects of kind Event",
          tags: ["core_v1"],
          produces: ["application/json", "application/json;stream=watch"],
          responses: { "200": { description: "OK", schema: ref("io.k8s.api.core.v1.EventList") } },
          "x-kubernetes-action": "list",
          "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "Event" },
        },
      },
      "/apis/events.k8s.io/v1/events": {
        get: {
          operationId: "listEventsV1EventForAllNamespaces",
          description: "list or watch objects of kind Event",
          tags: ["events_v1"],
          produces: ["application/json", "application/json;stream=watch"],
          responses: {
            "200": { description: "OK", schema: ref("io.k8s.api.events.v1.EventList") },
          },
          "x-kubernetes-action": "list",
          "x-kubernetes-group-version-kind": {
            group: "events.k8s.io",
            version: "v1",
            kind: "Event",
          },
        },
      },
      "/apis/rbac.authorization.k8s.io/v1/": {
        get: {
          operationId: "getRbacAuthorizationV1APIResources",
          description: "get available resources",
          tags: ["rbacAuthorization_v1"],
          responses: { "200": { description: "OK", schema: ref(`${META}.APIResourceList`) } },
        },
      },
      "/version/": {
        get: {
          operationId: "getCodeVersion",
          tags: ["version"],
          responses: {
            "200": { description: "OK", schema: ref("io.k8s.apimachinery.pkg.version.Info") },
          },
        },
      },
    },
    definitions: {
      "io.k8s.api.core.v1.Pod": {
        description:
          "Pod is a collection of containers. A comment terminator */ must not end the JSDoc.",
        type: "object",
        properties: {
          apiVersion: { type: "string", description: "APIVersion defines the versioned schema." },
          kind: { type: "string", description: "Kind is a string value." },
          metadata: { ...ref(`${META}.ObjectMeta`), description: "Standard object's metadata." },
          spec: { ...ref("io.k8s.api.core.v1.PodSpec") },
        },
        "x-kubernetes-unknown-extension": { anything: true },
        ...gvk("", "v1", "Pod"),
      },
      "io.k8s.api.core.v1.PodSpec": {
        description: "PodSpec is a description of a pod.",
        type: "object",
        required: ["containers"],
        properties: {
          containers: { type: "array", items: ref("io.k8s.api.core.v1.Container") },
          nodeSelector: { type: "object", additionalProperties: { type: "string" } },
          overhead: {
            type: "object",
            additionalProperties: ref("io.k8s.apimachinery.pkg.api.resource.Quantity"),
          },
          activeDeadlineSeconds: { type: "integer", format: "int64" },
          hostNetwork: { type: "boolean" },
          "x-custom-key": { type: "string", description: "A key that needs quotes." },
        },
      },
      "io.k8s.api.core.v1.Container": {
        type: "object",
        required: ["name"],
        properties: {
          name: { type: "string" },
          port: ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString"),
          startedAt: ref(`${META}.Time`),
          config: ref("io.k8s.apimachinery.pkg.runtime.RawExtension"),
          anything: { description: "Untyped JSON." },
          surge: {
            "x-kubernetes-int-or-string": true,
            description: "How CRD schemas spell int-or-string.",
          },
        },
      },
      "io.k8s.api.core.v1.PodList": {
        type: "object",
        required: ["items"],
        properties: {
          apiVersion: { type: "string" },
          items: { type: "array", items: ref("io.k8s.api.core.v1.Pod") },
          kind: { type: "string" },
          metadata: ref(`${META}.ListMeta`),
        },
        ...gvk("", "v1", "PodList"),
      },
      "io.k8s.api.core.v1.ComponentStatusList": {
        type: "object",
        required: ["items"],
        properties: { items: { type: "array", items: ref("io.k8s.api.core.v1.ComponentStatus") } },
        ...gvk("", "v1", "ComponentStatusList"),
      },
      "io.k8s.api.core.v1.ComponentStatus": {
        type: "object",
        properties: { metadata: ref(`${META}.ObjectMeta`) },
        ...gvk("", "v1", "ComponentStatus"),
      },
      "io.k8s.api.core.v1.Event": {
        description: "Event is a report of an event somewhere in the cluster.",
        type: "object",
        required: ["metadata"],
        properties: { metadata: ref(`${META}.ObjectMeta`), message: { type: "string" } },
        ...gvk("", "v1", "Event"),
      },
      "io.k8s.api.core.v1.EventList": {
        type: "object",
        required: ["items"],
        properties: { items: { type: "array", items: ref("io.k8s.api.core.v1.Event") } },
        ...gvk("", "v1", "EventList"),
      },
      "io.k8s.api.events.v1.Event": {
        description: "Event is a report of an event somewhere in the cluster (events.k8s.io).",
        type: "object",
        required: ["eventTime"],
        properties: {
          eventTime: ref(`${META}.MicroTime`),
          metadata: ref(`${META}.ObjectMeta`),
          series: ref("io.k8s.api.core.v1.Event"),
        },
        ...gvk("events.k8s.io", "v1", "Event"),
      },
      "io.k8s.api.events.v1.EventList": {
        type: "object",
        required: ["items"],
        properties: { items: { type: "array", items: ref("io.k8s.api.events.v1.Event") } },
        ...gvk("events.k8s.io", "v1", "EventList"),
      },
      [`${META}.ObjectMeta`]: {
        description: "ObjectMeta is metadata that all persisted resources must have.",
        type: "object",
        properties: {
          name: { type: "string" },
          namespace: { type: "string" },
          labels: { type: "object", additionalProperties: { type: "string" } },
          creationTimestamp: ref(`${META}.Time`),
        },
      },
      [`${META}.ListMeta`]: {
        type: "object",
        properties: { continue: { type: "string" }, resourceVersion: { type: "string" } },
      },
      [`${META}.Time`]: {
        description: "Time is a wrapper around time.Time.",
        type: "string",
        format: "date-time",
      },
      [`${META}.MicroTime`]: {
        description: "MicroTime is version of Time with microsecond level precision.",
        type: "string",
        format: "date-time",
      },
      [`${META}.Patch`]: {
        description: "Patch is provided to give a concrete name and type.",
        type: "object",
      },
      [`${META}.DeleteOptions`]: {
        type: "object",
        properties: { dryRun: { type: "array", items: { type: "string" } } },
      },
      [`${META}.Status`]: {
        type: "object",
        properties: {
          code: { type: "integer", format: "int32" },
          message: { type: "string" },
          reason: { type: "string" },
        },
        ...gvk("", "v1", "Status"),
      },
      [`${META}.WatchEvent`]: {
        type: "object",
        required: ["type", "object"],
        properties: {
          object: ref("io.k8s.apimachinery.pkg.runtime.RawExtension"),
          type: { type: "string" },
        },
      },
      [`${META}.APIResourceList`]: {
        type: "object",
        required: ["groupVersion"],
        properties: { groupVersion: { type: "string" } },
      },
      "io.k8s.apimachinery.pkg.api.resource.Quantity": {
        description: "Quantity is a fixed-point number.",
        type: "string",
      },
      "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
        type: "string",
        format: "int-or-string",
      },
      "io.k8s.apimachinery.pkg.runtime.RawExtension": {
        description: "RawExtension holds extensions.",
        type: "object",
      },
      "io.k8s.apimachinery.pkg.version.Info": {
        type: "object",
        required: ["gitVersion"],
        properties: { gitVersion: { type: "string" } },
      },
    },
  };
  return spec as unknown as SwaggerSpec;
}
