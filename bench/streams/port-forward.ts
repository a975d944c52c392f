/**
 * Port-forward helpers of the streams room: `kubectl port-forward` as a child process, and short
 * forwarded connections one after another, as a pool of HTTP/1.0 clients or a health check makes
 * them (each writes "ping", reads the echo and closes: what it costs is opening a connection
 * through the forwarder, not moving bytes).
 */
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { PassThrough, Writable } from "node:stream";
import { PortForward, type KubeConfig } from "@kubernetes/client-node";

export const SHORT_CONNECTIONS = 200;

/** Runs `kubectl port-forward` to `port` of the pod and calls `use` with its local port. */
export async function kubectlPortForward(
  kubeconfig: string,
  namespace: string,
  pod: string,
  port: number,
  use: (local: number) => Promise<void>,
): Promise<void> {
  const child = spawn("kubectl", ["port-forward", "-n", namespace, `pod/${pod}`, `:${port}`], {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const local = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      const m = /127\.0\.0\.1:(\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (c) => reject(new Error(`kubectl port-forward exited ${c}`)));
  });
  try {
    await use(local);
  } finally {
    child.kill();
  }
}

/** `count` ping-pongs through a local forwarder on `localPort`. */
export async function pingPongs(localPort: number, count = SHORT_CONNECTIONS): Promise<void> {
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve, reject) => {
      const s = connect(localPort, "127.0.0.1");
      s.on("error", reject);
      s.once("data", () => {
        s.destroy();
        resolve();
      });
      s.write("ping");
    });
  }
}

/** The same through client-node, which forwards a connection per `portForward()` call. */
export async function clientNodePingPongs(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  port: number,
): Promise<void> {
  for (let i = 0; i < SHORT_CONNECTIONS; i++) {
    let ws: { close?: () => void } | undefined;
    await new Promise<void>((resolve, reject) => {
      const input = new PassThrough();
      const out = new Writable({
        write(_c, _e, cb) {
          resolve();
          cb();
        },
      });
      new PortForward(kc)
        .portForward(namespace, pod, [port], out, null, input)
        .then((w) => (ws = w as typeof ws), reject);
      input.write("ping");
    });
    ws?.close?.();
  }
}
