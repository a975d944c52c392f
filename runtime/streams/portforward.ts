/**
 * Port-forward over WebSocket `v4.channel.k8s.io`: one WebSocket per forwarded connection (the
 * protocol has one data and one error channel per port), as a Duplex for in-process use or behind
 * a local TCP server like `kubectl port-forward`.
 */
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { internals, type Client } from "../client.js";
import { buildPath } from "../request.js";
import { PortForwardError, tunnelConnection, TUNNEL_PROTOCOL } from "./portforward-tunnel.js";
import {
  frame,
  frameMany,
  openWebSocket,
  protocolOf,
  sendFrame,
  type OpenOptions,
} from "./websocket.js";

export { PortForwardError, TUNNEL_PROTOCOL };

/** The channel protocol: one data and one error channel per port, no half-close. */
export const CHANNEL_PROTOCOL = "v4.channel.k8s.io";

export interface PortForwardParams {
  /** Pod name. */
  name: string;
  /** Default: the client's namespace. */
  namespace?: string;
}

export interface PortForwardOptions extends OpenOptions {
  /** Bytes buffered toward the reader before the socket is paused (default 1 MiB). */
  highWaterMark?: number;
  /**
   * Subprotocols to offer, most preferred first. Default: SPDY tunnelled in the WebSocket (what
   * kubectl uses; it can half-close), then the v4 channel protocol for servers without it.
   */
  protocols?: readonly string[];
}

/** A forwarded connection, and the subprotocol it runs over. */
export type PortForwardConnection = Duplex & { readonly protocol: string };

/**
 * Opens one connection to `port` of the pod and returns it as a Duplex. Errors from the pod side
 * (nothing listening) are emitted as a `PortForwardError`. Over the SPDY tunnel (the default on
 * servers that offer it) `end()` half-closes: the pod side reads end of input and may still reply.
 * The v4 protocol cannot half-close: there `end()` only stops sending, and the connection lasts
 * until the pod side closes or `destroy()`.
 */
export async function portForwardConnection(
  clientLike: Client,
  params: PortForwardParams,
  port: number,
  options: PortForwardOptions = {},
): Promise<PortForwardConnection> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`port-forward: invalid port ${port}`);
  }
  const client = internals(clientLike);
  const path = buildPath(
    "/api/v1/namespaces/{namespace}/pods/{name}/portforward",
    { namespace: params.namespace, name: params.name },
    client.namespace,
    { ports: port },
  );
  const ws = await openWebSocket(
    client,
    path,
    options.protocols ?? [TUNNEL_PROTOCOL, CHANNEL_PROTOCOL],
    options,
  );
  const highWaterMark = options.highWaterMark ?? 1024 * 1024;
  const protocol = protocolOf(ws);
  if (protocol === TUNNEL_PROTOCOL)
    return Object.assign(tunnelConnection(ws, port, highWaterMark), { protocol });
  // Each channel's first frame is the port number (2 bytes, little-endian): skip it.
  const seenPort = [false, false];
  const errorText: Buffer[] = [];
  const duplex = new Duplex({
    highWaterMark,
    allowHalfOpen: true,
    read: () => {
      if (ws.isPaused) ws.resume();
    },
    write: (chunk: Buffer, _encoding, callback) => sendFrame(ws, frame(0, chunk), callback),
    writev: (chunks, callback) => sendFrame(ws, frameMany(0, chunks), callback),
    final: (callback) => callback(),
    destroy: (error, callback) => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
      callback(error);
    },
  });
  ws.on("message", (data: Buffer) => {
    if (data.length < 1) return;
    const channel = data[0];
    let payload = data.subarray(1);
    if (channel > 1) return;
    if (!seenPort[channel]) {
      seenPort[channel] = true;
      payload = payload.subarray(2);
    }
    if (!payload.length) return;
    if (channel === 0) {
      if (!duplex.push(payload)) ws.pause();
    } else {
      errorText.push(Buffer.from(payload));
    }
  });
  ws.on("error", (error) => duplex.destroy(error));
  ws.once("close", () => {
    const message = Buffer.concat(errorText).toString("utf8").trim();
    if (message) duplex.destroy(new PortForwardError(message, port));
    else duplex.push(null);
  });
  ws.resume();
  return Object.assign(duplex, { protocol });
}

export interface PortForwardServerOptions extends PortForwardOptions {
  /** Local address (default 127.0.0.1). */
  host?: string;
  /** Local port (default 0: any free port). */
  localPort?: number;
  /** Called with each failed forwarded connection's error (the local socket is closed). */
  onError?: (error: Error) => void;
}

export interface PortForwarder {
  /** The local address being listened on. */
  readonly address: AddressInfo;
  /** Stops listening and closes every forwarded connection. */
  close(): Promise<void>;
}

/** Listens on a local TCP port and forwards each connection to `port` of the pod. */
export async function portForward(
  client: Client,
  params: PortForwardParams,
  port: number,
  options: PortForwardServerOptions = {},
): Promise<PortForwarder> {
  const sockets = new Set<Socket>();
  const remotes = new Set<Duplex>();
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.pause();
    portForwardConnection(client, params, port, options).then(
      (remote) => {
        remotes.add(remote);
        const fail = (error: Error) => {
          options.onError?.(error);
          socket.destroy();
          remote.destroy();
        };
        remote.on("error", fail);
        socket.on("error", () => remote.destroy());
        // The pod side ended: pass the end on, then close once the local side is done too.
        remote.on("end", () => socket.end());
        remote.once("close", () => {
          remotes.delete(remote);
          if (!socket.destroyed) socket.end();
        });
        socket.once("close", () => remote.destroy());
        // The local side's end is passed on: over the SPDY tunnel the pod side reads end of input
        // and can still reply; over v4 it is a no-op and the connection lasts until the pod ends it.
        socket.pipe(remote);
        remote.pipe(socket, { end: false });
        socket.resume();
      },
      (error: Error) => {
        options.onError?.(error);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.localPort ?? 0, options.host ?? "127.0.0.1", () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  const onAbort = () => void close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const close = async () => {
    options.signal?.removeEventListener("abort", onAbort);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    for (const r of remotes) r.destroy();
    await closed;
  };
  return { address: server.address() as AddressInfo, close };
}
