/**
 * WebSocket streams against a local plain-HTTP server (as behind `kubectl proxy`), directly and
 * through a CONNECT proxy: frames the server sends together with its 101 answer are not lost.
 */
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { createClient, type Client } from "../../runtime/index.js";
import { CHANNEL_PROTOCOL, portForwardConnection, run } from "../../runtime/streams/index.js";
import { startConnectProxy, type ConnectProxy } from "../tools/connect-proxy.js";

const frame = (channel: number, data: string | number[]) =>
  Buffer.concat([Buffer.from([channel]), Buffer.from(data as string)]);

describe("WebSocket streams to an http:// server", () => {
  const server = createServer((_req, res) => res.writeHead(404).end());
  // Answers exec with stdout and a status, port-forward with the port frames and data, all sent
  // at once after the upgrade, as a server may.
  const wss = new WebSocketServer({
    server,
    handleProtocols: (protocols) => [...protocols][0] ?? false,
  });
  const paths: string[] = [];
  let proxy: ConnectProxy;
  let port: number;

  beforeAll(async () => {
    wss.on("connection", (socket, req) => {
      paths.push(req.url ?? "");
      if (req.url?.includes("/exec")) {
        socket.send(frame(1, "hello"));
        socket.send(frame(3, '{"status":"Success"}'));
        socket.close(1000);
      } else {
        socket.send(frame(0, [80, 0]));
        socket.send(frame(1, [80, 0]));
        socket.send(frame(0, "data"));
        socket.close(1000);
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
    proxy = await startConnectProxy(`Basic ${Buffer.from("u:p").toString("base64")}`);
  });
  afterAll(async () => {
    await proxy.close();
    wss.close();
    await new Promise((r) => server.close(r));
  });

  async function streams(client: Client): Promise<void> {
    const result = await run(client, { name: "p", namespace: "d", command: ["x"] });
    expect(result).toMatchObject({ stdout: "hello", code: 0 });
    // This server speaks the v4 channel protocol only (ws servers refuse the SPDY subprotocol's "/").
    const duplex = await portForwardConnection(client, { name: "p", namespace: "d" }, 80, {
      protocols: [CHANNEL_PROTOCOL],
    });
    const chunks: Buffer[] = [];
    for await (const chunk of duplex) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("data");
  }

  it("keeps the frames that arrive with the handshake", async () => {
    const client = createClient({ server: `http://127.0.0.1:${port}` });
    try {
      await streams(client);
    } finally {
      await client.close();
    }
  });

  it("goes through a CONNECT proxy and speaks plain HTTP inside the tunnel", async () => {
    const client = createClient({
      server: `http://127.0.0.1:${port}`,
      proxyUrl: `http://u:p@127.0.0.1:${proxy.port}`,
    });
    paths.length = 0;
    try {
      await streams(client);
    } finally {
      await client.close();
    }
    expect(paths).toEqual([
      "/api/v1/namespaces/d/pods/p/exec?command=x&stdin=false&stdout=true&stderr=true&tty=false",
      "/api/v1/namespaces/d/pods/p/portforward?ports=80",
    ]);
    const tunnel = { target: `127.0.0.1:${port}`, firstByte: "G".charCodeAt(0) };
    expect(proxy.tunnels).toEqual([
      expect.objectContaining(tunnel),
      expect.objectContaining(tunnel),
    ]);
  });
});
