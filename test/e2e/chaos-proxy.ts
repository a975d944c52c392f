/** A TCP proxy between a client and kube-apiserver that can cut every connection or stall them. */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface ChaosProxy {
  /** `https://127.0.0.1:PORT` (the apiserver's certificate has the IP SAN 127.0.0.1). */
  readonly url: string;
  readonly open: number;
  /** Destroys every open connection, both sides, mid-stream. */
  cutAll(): number;
  /** Stops forwarding in both directions for `ms`, then resumes (data waits, nothing is lost). */
  stallAll(ms: number): Promise<number>;
  /** Stops forwarding on every open connection for good, without closing it (a silent partition). */
  blackHoleAll(): number;
  close(): Promise<void>;
}

export async function startChaosProxy(target: { host: string; port: number }): Promise<ChaosProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    get open() {
      return pairs.size;
    },
    cutAll() {
      const n = pairs.size;
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      return n;
    },
    async stallAll(ms) {
      const stalled = [...pairs];
      for (const [a, b] of stalled) {
        a.pause();
        b.pause();
      }
      await new Promise((r) => setTimeout(r, ms));
      for (const [a, b] of stalled) {
        a.resume();
        b.resume();
      }
      return stalled.length;
    },
    blackHoleAll() {
      for (const [a, b] of pairs) {
        a.unpipe();
        b.unpipe();
        a.pause();
        b.pause();
      }
      return pairs.size;
    },
    close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
