/** An HTTP CONNECT proxy on loopback for tests: records each tunnel and every byte that crosses it. */
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect, type Socket } from "node:net";

export interface Tunnel {
  /** The CONNECT request's target (`host:port`). */
  target: string;
  proxyAuthorization?: string;
  /** An `Authorization` header on the CONNECT itself would hand the API credentials to the proxy. */
  authorization?: string;
  /** First byte the client sent inside the tunnel (0x16: a TLS handshake record). */
  firstByte?: number;
}

export interface ConnectProxy {
  readonly port: number;
  readonly tunnels: Tunnel[];
  /** Client connections still open. */
  readonly open: number;
  /** Every byte that crossed any tunnel, both ways. */
  wire(): Buffer;
  /** Cuts every open tunnel (both sockets destroyed) and keeps listening. */
  cut(): void;
  close(): Promise<void>;
}

/**
 * An HTTP CONNECT proxy on loopback that demands `Proxy-Authorization` and tunnels only to
 * loopback: to 127.0.0.1, or to a name `hosts` maps to it; with `stall`, it never answers a CONNECT;
 * with `tls`, clients speak TLS to the proxy itself (an `https://` proxy URL).
 */
export async function startConnectProxy(
  proxyAuthorization: string,
  options: {
    stall?: boolean;
    hosts?: Record<string, "127.0.0.1">;
    tls?: { cert: string; key: string };
  } = {},
): Promise<ConnectProxy> {
  const tunnels: Tunnel[] = [];
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const refuse = (_req: unknown, res: { writeHead(code: number): { end(): void } }) =>
    res.writeHead(405).end();
  const server: HttpServer = options.tls
    ? createHttpsServer(options.tls, refuse)
    : createHttpServer(refuse);
  server.on("connect", (req, client: Socket, head: Buffer) => {
    const tunnel: Tunnel = {
      target: req.url ?? "",
      proxyAuthorization: req.headers["proxy-authorization"],
      authorization: req.headers.authorization,
    };
    tunnels.push(tunnel);
    sockets.add(client);
    client.on("error", () => {}).once("close", () => sockets.delete(client));
    if (options.stall) {
      // Reading (and dropping) is what lets a stalled tunnel see the client's end.
      client.once("end", () => client.destroy()).resume();
      return;
    }
    if (req.headers["proxy-authorization"] !== proxyAuthorization) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="e2e"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const { hostname: name, port } = new URL(`http://${req.url}`);
    const hostname = options.hosts?.[name] ?? name;
    if (hostname !== "127.0.0.1") {
      client.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const upstream = connect(Number(port), hostname, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      const record = (chunk: Buffer) => void chunks.push(Buffer.from(chunk));
      if (head.length) {
        tunnel.firstByte ??= head[0];
        record(head);
        upstream.write(head);
      }
      client.on("data", (chunk: Buffer) => {
        tunnel.firstByte ??= chunk[0];
        record(chunk);
      });
      upstream.on("data", record);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    sockets.add(upstream);
    upstream
      .on("error", () => client.destroy())
      .once("close", () => {
        sockets.delete(upstream);
        client.destroy();
      });
    client.once("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    tunnels,
    get open() {
      return sockets.size;
    },
    wire: () => Buffer.concat(chunks),
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
