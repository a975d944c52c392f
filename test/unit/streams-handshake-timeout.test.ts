/**
 * A WebSocket handshake that gets no answer gives up after the client's `timeoutMs`, directly and
 * while a proxy sits on the CONNECT, and leaves no socket open behind it.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "../../runtime/index.js";
import { run } from "../../runtime/streams/index.js";

/** A TCP server that accepts and never answers; records each socket and when it closed. */
async function silentServer() {
  const sockets: { socket: Socket; closed: boolean; data: string }[] = [];
  const server: Server = createServer((socket) => {
    const entry = { socket, closed: false, data: "" };
    sockets.push(entry);
    socket.on("data", (chunk) => (entry.data += chunk.toString("latin1")));
    socket.on("close", () => (entry.closed = true));
    socket.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    sockets,
    close: () => {
      for (const s of sockets) s.socket.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("WebSocket handshake timeout", () => {
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it("fails with a TimeoutError after the client's timeoutMs and closes the socket", async () => {
    const silent = await silentServer();
    close = silent.close;
    const client = createClient({ server: `http://127.0.0.1:${silent.port}`, timeoutMs: 300 });
    const started = Date.now();
    try {
      const error = await run(client, { name: "p", namespace: "d", command: ["x"] }).catch(
        (e: unknown) => e,
      );
      const took = Date.now() - started;
      expect(error).toMatchObject({ name: "TimeoutError" });
      expect(String((error as Error).message)).toContain("within 300 ms");
      expect(took).toBeGreaterThanOrEqual(290);
      expect(took).toBeLessThan(2000);
      // The request reached the server (the upgrade was asked for), then the client hung up.
      expect(silent.sockets).toHaveLength(1);
      expect(silent.sockets[0].data).toMatch(/^GET \/api\/v1\/namespaces\/d\/pods\/p\/exec\?/);
      await until(() => silent.sockets[0].closed);
    } finally {
      await client.close();
    }
  });

  it("covers a proxy that never answers the CONNECT, and ends the tunnel attempt", async () => {
    const proxy = await silentServer();
    close = proxy.close;
    const client = createClient({
      server: "https://127.0.0.1:1",
      proxyUrl: `http://127.0.0.1:${proxy.port}`,
      timeoutMs: 300,
    });
    try {
      const error = await run(client, { name: "p", namespace: "d", command: ["x"] }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: "TimeoutError" });
      expect(proxy.sockets).toHaveLength(1);
      expect(proxy.sockets[0].data).toMatch(/^CONNECT 127\.0\.0\.1:1 HTTP\/1\.1/);
      await until(() => proxy.sockets[0].closed);
    } finally {
      await client.close();
    }
  });

  it("waits as long as it takes with timeoutMs 0, until the caller's signal aborts", async () => {
    const silent = await silentServer();
    close = silent.close;
    const client = createClient({ server: `http://127.0.0.1:${silent.port}`, timeoutMs: 0 });
    try {
      const signal = AbortSignal.timeout(600);
      const started = Date.now();
      const error = await run(
        client,
        { name: "p", namespace: "d", command: ["x"] },
        {
          signal,
        },
      ).catch((e: unknown) => e);
      expect(Date.now() - started).toBeGreaterThanOrEqual(590);
      expect(error).toBe(signal.reason);
      await until(() => silent.sockets[0]?.closed === true);
    } finally {
      await client.close();
    }
  });
});
