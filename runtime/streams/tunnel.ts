/**
 * The socket under a WebSocket stream when the client goes through a proxy: an HTTP CONNECT tunnel
 * opened by undici (the same CONNECT ordinary calls make through `ProxyAgent`), then TLS to the
 * API server inside it, so the proxy sees only the target's host and port and ciphertext.
 */
import { isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { Client } from "undici";
import type { ProxyRoute } from "../transport.js";
import type { TlsSettings } from "../types.js";

/** Opens a tunnel to `host:port` through `proxy`; with `tls`, speaks TLS to the target inside it. */
export async function tunnelThroughProxy(
  proxy: ProxyRoute,
  host: string,
  port: number,
  tls: TlsSettings | undefined,
  signal?: AbortSignal,
): Promise<Socket> {
  // IPv6 literals keep their brackets in the authority, as in a URL.
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const client = new Client(proxy.origin);
  let socket: Socket;
  try {
    const headers: Record<string, string> = { host: authority };
    if (proxy.authorization) headers["proxy-authorization"] = proxy.authorization;
    const res = await client.connect({ path: authority, headers, signal });
    socket = res.socket as Socket;
    if (res.statusCode !== 200) {
      socket.destroy();
      throw new Error(
        `proxy ${proxy.origin} refused the tunnel to ${authority}: ${res.statusCode}` +
          (res.statusCode === 407 ? " Proxy Authentication Required" : ""),
      );
    }
  } finally {
    // The tunnel's socket has left the client; nothing else is pending on it.
    client.close().catch(() => {});
  }
  if (!tls) return socket;
  const { ca, cert, key, servername, rejectUnauthorized } = tls;
  const secure = tlsConnect({
    socket,
    // The certificate is checked against the API server's name, not the proxy's.
    host,
    ca,
    cert,
    key,
    rejectUnauthorized,
    // As for a direct connection: SNI only for names, never for an IP address.
    servername: servername ?? (isIP(host) ? undefined : host),
  });
  return new Promise<Socket>((resolve, reject) => {
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    secure.once("error", fail);
    secure.once("secureConnect", () => {
      // From here on the socket's errors belong to the HTTP request that uses it.
      secure.removeListener("error", fail);
      resolve(secure);
    });
  });
}
