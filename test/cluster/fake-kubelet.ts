// Starts test/cluster/fake-kubelet and registers a Node that points kube-apiserver at it, so
// exec, attach, port-forward and logs run through the apiserver's real streaming code.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { ensureFakeKubelet } from "./build.js";

export interface FakeKubelet {
  /** Port the kubelet serves HTTPS on (127.0.0.1). */
  port: number;
  /** The Node registered for it; bind pods with `spec.nodeName`. */
  nodeName: string;
  stop(): Promise<void>;
}

interface Admin {
  server: string;
  adminToken: string;
  caPem: string;
}

/** Where a fake kubelet listens: loopback by default, or an address inside a network namespace. */
export interface KubeletPlace {
  /** Network namespace to run in (`ip netns exec`); the test creates and removes it. */
  netns?: string;
  /** Address to listen on and register as the Node's InternalIP (default 127.0.0.1). */
  address?: string;
}

/** Launches the fake kubelet binary (built and cached on first use) and returns its port. */
export async function launchFakeKubelet(
  args: string[] = [],
  place: KubeletPlace = {},
): Promise<{ child: ChildProcess; port: number; stop(): Promise<void> }> {
  const bin = await ensureFakeKubelet();
  const argv = place.address ? ["-addr", `${place.address}:0`, ...args] : args;
  const child = place.netns
    ? spawn("ip", ["netns", "exec", place.netns, bin, ...argv], {
        stdio: ["ignore", "pipe", "inherit"],
      })
    : spawn(bin, argv, { stdio: ["ignore", "pipe", "inherit"] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  };
  process.once("exit", () => child.kill("SIGKILL"));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve(Number(line)));
    child.once("exit", (code) => reject(new Error(`fake-kubelet exited (${code}) before serving`)));
    child.once("error", reject);
  });
  return { child, port, stop };
}

/**
 * Starts a fake kubelet and registers Node `nodeName` for it (InternalIP 127.0.0.1, or
 * `place.address`: node proxy refuses loopback, so its tests run the kubelet in a netns).
 */
export async function startFakeKubelet(
  cluster: Admin,
  nodeName: string,
  place: KubeletPlace = {},
): Promise<FakeKubelet> {
  const kubelet = await launchFakeKubelet([], place);
  const { Agent, request } = await import("undici");
  const agent = new Agent({ connect: { ca: cluster.caPem } });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await request(`${cluster.server}${path}`, {
      method,
      dispatcher: agent,
      headers: {
        authorization: `Bearer ${cluster.adminToken}`,
        "content-type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300 && res.statusCode !== 404) {
      throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
    }
  };
  try {
    // Create keeps status (PrepareForCreate), so the kubelet endpoint is set in one call.
    await call("POST", "/api/v1/nodes", {
      metadata: { name: nodeName },
      status: {
        addresses: [{ type: "InternalIP", address: place.address ?? "127.0.0.1" }],
        daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } },
      },
    });
  } catch (e) {
    await kubelet.stop();
    await agent.close();
    throw e;
  }
  return {
    port: kubelet.port,
    nodeName,
    stop: async () => {
      await call("DELETE", `/api/v1/nodes/${nodeName}`).catch(() => {});
      await agent.close();
      await kubelet.stop();
    },
  };
}
