/**
 * A broken aggregated API on the real API server (an APIService whose backing service does not
 * exist answers 503): discoverResources keeps everything else and names the failed group/version.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAPIService,
  deleteAPIService,
} from "../../generated/apiregistration.k8s.io/v1/index.js";
import { discoverResources, isKubeError, type Client } from "../../runtime/index.js";
import { adminClient, eventually, uniqueName } from "./support.js";

describe("discoverResources with an unavailable aggregated API (real apiserver)", () => {
  let client: Client;
  const group = `${uniqueName("broken")}.kubegen.test`;
  const name = `v1beta1.${group}`;

  beforeAll(async () => {
    client = adminClient({ retry: false });
    await createAPIService(client, {
      body: {
        metadata: { name },
        spec: {
          group,
          version: "v1beta1",
          service: { name: "nowhere", namespace: "default", port: 443 },
          insecureSkipTLSVerify: true,
          groupPriorityMinimum: 1000,
          versionPriority: 15,
        },
      },
    });
  });

  afterAll(async () => {
    await deleteAPIService(client, { name }).catch(() => {});
    await client.close();
  });

  it("returns the healthy groups' resources and lists the broken group/version with its 503", async () => {
    const found = await eventually("the broken group/version to be listed as failed", async () => {
      const result = await discoverResources(client);
      return result.failed.some((f) => f.group === group) ? result : undefined;
    });
    const failure = found.failed.find((f) => f.group === group)!;
    expect(failure.version).toBe("v1beta1");
    expect(isKubeError(failure.error) && failure.error.code).toBe(503);
    const names = new Set(found.map((r) => `${r.group}/${r.version}/${r.name}`));
    expect(names.has("/v1/pods")).toBe(true);
    expect(names.has("apps/v1/deployments")).toBe(true);
    expect(found.some((r) => r.group === group)).toBe(false);
  });
});
