// Smoke test of the e2e cluster itself, with plain undici so that it does not depend on
// the client under test.
import { Agent, request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { useCluster } from "./cluster.js";

describe("e2e cluster", () => {
  const cluster = useCluster();
  const agent = new Agent({ connect: { ca: cluster.caPem } });
  afterAll(() => agent.close());

  const get = async (path: string, token?: string) => {
    const res = await request(`${cluster.server}${path}`, {
      dispatcher: agent,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, any> };
  };

  it("serves the pinned Kubernetes version over TLS verified by caPem", async () => {
    const { status, body } = await get("/version", cluster.adminToken);
    expect(status).toBe(200);
    expect(body.gitVersion).toMatch(/^v1\.36\.3/);
  });

  it("lets the admin token read the default namespace", async () => {
    const { status, body } = await get("/api/v1/namespaces/default", cluster.adminToken);
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: "Namespace", metadata: { name: "default" } });
  });

  it("refuses unauthenticated requests", async () => {
    const { status } = await get("/api/v1/namespaces/default");
    expect([401, 403]).toContain(status);
  });
});
