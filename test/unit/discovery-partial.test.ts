/** discoverResources keeps what it could discover and lists the group/versions that failed. */
import { describe, expect, it } from "vitest";
import { discoverResources, isKubeError, type KubeError } from "../../runtime/index.js";
import { caught, json, status, useHttpsServer } from "./support/https-server.js";

const harness = useHttpsServer({ retry: false });
const client = harness.client;

const resources = (kind: string, name: string) => ({
  resources: [{ name, kind, namespaced: true, verbs: ["get", "list"] }],
});

function serve(broken: Set<string>) {
  harness.server.handle((req, res) => {
    const path = req.url ?? "";
    if (broken.has(path))
      return json(
        res,
        503,
        status(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
      );
    if (path === "/api") return json(res, 200, { versions: ["v1"] });
    if (path === "/apis") {
      return json(res, 200, {
        groups: [
          { name: "apps", versions: [{ version: "v1" }], preferredVersion: { version: "v1" } },
          {
            name: "metrics.k8s.io",
            versions: [{ version: "v1beta1" }],
            preferredVersion: { version: "v1beta1" },
          },
        ],
      });
    }
    if (path === "/api/v1") return json(res, 200, resources("Pod", "pods"));
    if (path === "/apis/apps/v1") return json(res, 200, resources("Deployment", "deployments"));
    if (path === "/apis/metrics.k8s.io/v1beta1")
      return json(res, 200, resources("PodMetrics", "pods"));
    json(res, 404, status(404, "NotFound", "no"));
  });
}

describe("discoverResources with a broken aggregated API", () => {
  it("returns the other groups' resources and names the failed group/version with its error", async () => {
    serve(new Set(["/apis/metrics.k8s.io/v1beta1"]));
    const found = await discoverResources(client());
    expect(found.map((r) => `${r.group}/${r.version}/${r.name}`)).toEqual([
      "/v1/pods",
      "apps/v1/deployments",
    ]);
    expect(found.failed).toHaveLength(1);
    expect(found.failed[0]).toMatchObject({ group: "metrics.k8s.io", version: "v1beta1" });
    expect(isKubeError(found.failed[0].error)).toBe(true);
    expect((found.failed[0].error as KubeError).code).toBe(503);
  });

  it("has an empty failed list when everything answered", async () => {
    serve(new Set());
    const found = await discoverResources(client());
    expect(found).toHaveLength(3);
    expect(found.failed).toEqual([]);
  });

  it("still throws when the group list itself fails", async () => {
    serve(new Set(["/apis"]));
    const error = await caught(discoverResources(client()));
    expect(isKubeError(error) && error.code).toBe(503);
  });
});
