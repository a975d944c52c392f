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

/** Launches the fake kubelet binary (built and cached on first use) and returns its port. */
export async function launchFakeKubelet(
  args: string[] = [],
): Promise<{ child: ChildProcess; port: number; stop(): Promise<void> }> {
  const bin = await ensureFakeKubelet();
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "inherit"] });
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

/** Starts a fake kubelet and registers Node `nodeName` (InternalIP 127.0.0.1) for it. */
export async function startFakeKubelet(cluster: Admin, nodeName: string): Promise<FakeKubelet> {
  const kubelet = await launchFakeKubelet();
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
        addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
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
