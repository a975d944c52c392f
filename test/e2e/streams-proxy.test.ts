/**
 * Pod, service and node proxy through kube-apiserver. The apiserver refuses to proxy to loopback, so
 * the backend (and, for node proxy, a fake kubelet) runs in a network namespace this test creates (a veth pair in 198.51.100.0/24, a
 * documentation range) and removes afterwards. Needs root, as CI runs.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespacedEndpoints,
  createNamespacedService,
  patchNamespacedPodStatus,
} from "../../generated/core/v1/index.js";
import { KubeError } from "../../runtime/index.js";
import { proxyNode as proxyNodeGenerated } from "../../generated/core/v1/streams/index.js";
import { proxyNode, proxyPod, proxyService } from "../../runtime/streams/index.js";
import { ensureFakeKubelet } from "../cluster/build.js";
import { startFakeKubelet } from "../cluster/fake-kubelet.js";
import { useCluster } from "./cluster.js";
import { eventually, uniqueName } from "./support.js";
import { streamsFixture, type StreamsFixture } from "./streams-support.js";

interface Echo {
  method: string;
  path: string;
  query: string;
  header: string;
  body: string;
}

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });

describe("pod, service and node proxy through the API server", () => {
  let f: StreamsFixture;
  let pod: string;
  let backend: ChildProcess | undefined;
  const netns = uniqueName("kgproxy");
  const block = 4 * randomInt(1, 63);
  const hostIp = `198.51.100.${block + 1}`;
  const podIp = `198.51.100.${block + 2}`;
  const hostLink = `kgh${netns.slice(-8)}`;

  beforeAll(async () => {
    const bin = await ensureFakeKubelet();
    f = await streamsFixture("proxy");
    ip("netns", "add", netns);
    ip("link", "add", hostLink, "type", "veth", "peer", "name", "kgpod0", "netns", netns);
    ip("addr", "add", `${hostIp}/30`, "dev", hostLink);
    ip("link", "set", hostLink, "up");
    ip("-n", netns, "addr", "add", `${podIp}/30`, "dev", "kgpod0");
    ip("-n", netns, "link", "set", "kgpod0", "up");
    backend = spawn("ip", ["netns", "exec", netns, bin, "-echo-http", `${podIp}:8080`], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    await eventually("the proxy backend", async () =>
      (await fetch(`http://${podIp}:8080/`)).ok ? true : undefined,
    );

    pod = await f.pod("web");
    await patchNamespacedPodStatus(f.client, {
      name: pod,
      patchType: "merge",
      body: { status: { podIP: podIp, podIPs: [{ ip: podIp }] } },
    });
  });

  afterAll(async () => {
    if (backend && backend.exitCode === null) {
      const exited = new Promise((r) => backend!.once("exit", r));
      backend.kill("SIGKILL");
      await exited;
    }
    try {
      ip("link", "del", hostLink);
    } catch {
      // Already gone with the namespace.
    }
    try {
      ip("netns", "del", netns);
    } catch {
      // Never created.
    }
    await f?.cleanup();
  });

  it("GETs a pod path with query and headers", async () => {
    const res = await proxyPod(f.client, {
      name: `${pod}:8080`,
      path: "/hello/a b",
      query: { x: "1", y: ["2", "3"] },
      headers: { "x-test": "passed" },
    });
    expect(res.statusCode).toBe(200);
    expect(await res.json<Echo>()).toEqual({
      method: "GET",
      path: "/hello/a b",
      query: "x=1&y=2&y=3",
      header: "passed",
      body: "",
    });
  });

  it("POSTs a body to a pod", async () => {
    const res = await proxyPod(f.client, {
      name: `${pod}:8080`,
      method: "POST",
      path: "/submit",
      headers: { "content-type": "text/plain" },
      body: "payload ✓",
    });
    expect(await res.json<Echo>()).toMatchObject({
      method: "POST",
      path: "/submit",
      body: "payload ✓",
    });
  });

  it("GETs and POSTs through a service whose Endpoints the test writes", async () => {
    const svc = uniqueName("svc");
    await createNamespacedService(f.client, {
      body: {
        metadata: { name: svc },
        spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }] },
      },
    });
    await createNamespacedEndpoints(f.client, {
      body: {
        metadata: { name: svc },
        subsets: [
          {
            addresses: [
              { ip: podIp, targetRef: { kind: "Pod", name: pod, namespace: f.namespace } },
            ],
            ports: [{ name: "http", port: 8080 }],
          },
        ],
      },
    });
    const get = await proxyService(f.client, { name: `${svc}:http`, path: "/status" });
    expect(await get.json<Echo>()).toMatchObject({ method: "GET", path: "/status" });
    const post = await proxyService(f.client, {
      name: `${svc}:http`,
      method: "POST",
      path: "/orders",
      body: '{"n":1}',
      headers: { "content-type": "application/json" },
    });
    expect(await post.json<Echo>()).toMatchObject({
      method: "POST",
      path: "/orders",
      body: '{"n":1}',
    });
  });

  it("reaches a node's kubelet through nodes/{name}/proxy/{path}", async () => {
    // Node proxy refuses loopback too, so this kubelet listens inside the test's namespace.
    const kubelet = await startFakeKubelet(useCluster(), uniqueName("proxy-node"), {
      netns,
      address: podIp,
    });
    try {
      const health = await proxyNode(f.client, { name: kubelet.nodeName, path: "/healthz" });
      expect(health.statusCode).toBe(200);
      expect(await health.text()).toBe("ok");
      // The generated function, with a method, an encoded path, a query, a header and a body.
      const post = await proxyNodeGenerated(f.client, {
        name: kubelet.nodeName,
        method: "POST",
        path: "/debug/a b",
        query: { x: "1" },
        headers: { "x-test": "node", "content-type": "text/plain" },
        body: "to the kubelet",
      });
      expect(await post.json<Echo>()).toEqual({
        method: "POST",
        path: "/debug/a b",
        query: "x=1",
        header: "node",
        body: "to the kubelet",
      });
      const missing = await proxyNode(f.client, { name: "no-such-node", path: "/healthz" }).catch(
        (e: unknown) => e,
      );
      expect(missing).toBeInstanceOf(KubeError);
      expect((missing as KubeError).code).toBe(404);
    } finally {
      await kubelet.stop();
    }
  });

  it("refuses path segments that climb out of the proxy, and types server errors", async () => {
    await expect(proxyPod(f.client, { name: pod, path: "/a/../../secrets" })).rejects.toThrow(
      TypeError,
    );
    const error = await proxyPod(f.client, { name: "no-such-pod", path: "/" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).code).toBe(404);
  });
});
