/**
 * Port-forward, as a Duplex per connection for in-process use or behind a local TCP server like
 * `kubectl port-forward`. Over the SPDY tunnel (`portforward-tunnel.ts`) a forwarder's connections
 * share one WebSocket; over WebSocket `v4.channel.k8s.io` (one data and one error channel per
 * port) each connection has its own.
 */
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { internals, type Client } from "../client.js";
import { buildPath } from "../request.js";
import type WebSocket from "ws";
import {
  PortForwardError,
  tunnelConnection,
  TunnelSession,
  TUNNEL_PROTOCOL,
} from "./portforward-tunnel.js";
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
  client: Client,
  params: PortForwardParams,
  port: number,
  options: PortForwardOptions = {},
): Promise<PortForwardConnection> {
  const { ws, protocol } = await openForward(client, params, port, options);
  const highWaterMark = options.highWaterMark ?? HIGH_WATER_MARK;
  if (protocol === TUNNEL_PROTOCOL)
    return Object.assign(tunnelConnection(ws, port, highWaterMark), { protocol });
  return Object.assign(channelConnection(ws, port, highWaterMark), { protocol });
}

const HIGH_WATER_MARK = 1024 * 1024;
const PROTOCOLS = [TUNNEL_PROTOCOL, CHANNEL_PROTOCOL];

async function openForward(
  clientLike: Client,
  params: PortForwardParams,
  port: number,
  options: PortForwardOptions,
): Promise<{ ws: WebSocket; protocol: string }> {
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
  const ws = await openWebSocket(client, path, options.protocols ?? PROTOCOLS, options);
  return { ws, protocol: protocolOf(ws) };
}

/** A connection over the v4 channel protocol: the WebSocket is the connection. */
function channelConnection(ws: WebSocket, port: number, highWaterMark: number): Duplex {
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
  return duplex;
}

/**
 * The connections of one forwarder: over the SPDY tunnel, all of them share one WebSocket (opened
 * on first use, again after it closed), as `kubectl port-forward` shares one SPDY session; where
 * the server offers only the v4 channel protocol, one WebSocket each.
 */
function forwarderConnections(
  client: Client,
  params: PortForwardParams,
  port: number,
  options: PortForwardOptions,
) {
  const highWaterMark = options.highWaterMark ?? HIGH_WATER_MARK;
  let channelsOnly = !(options.protocols ?? PROTOCOLS).includes(TUNNEL_PROTOCOL);
  let session: TunnelSession | undefined;
  let opening: Promise<TunnelSession | Duplex> | undefined;
  let closed = false;
  const open = async (): Promise<TunnelSession | Duplex> => {
    const { ws, protocol } = await openForward(client, params, port, options);
    if (protocol !== TUNNEL_PROTOCOL) return channelConnection(ws, port, highWaterMark);
    return new TunnelSession(ws, highWaterMark);
  };
  return {
    /** Sessions opened so far (each is one WebSocket handshake). */
    sessions: 0,
    async connect(): Promise<Duplex> {
      for (;;) {
        if (closed) throw new Error("port-forward: the forwarder is closed");
        if (channelsOnly) {
          this.sessions++;
          return portForwardConnection(client, params, port, options);
        }
        if (session?.open) return session.connect(port);
        if (opening) {
          // Another connection is opening the session: wait for it, then look again.
          await opening.catch(() => {});
          continue;
        }
        this.sessions++;
        opening = open().finally(() => (opening = undefined));
        const opened = await opening;
        if (closed) {
          // Closed while this connection waited for the handshake.
          if (opened instanceof TunnelSession) opened.close();
          else opened.destroy();
          throw new Error("port-forward: the forwarder is closed");
        }
        if (opened instanceof TunnelSession) {
          session = opened;
          return opened.connect(port);
        }
        // The server chose the v4 channel protocol: this WebSocket is this connection's alone.
        channelsOnly = true;
        return opened;
      }
    },
    close(): void {
      closed = true;
      session?.close();
    },
  };
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
  /**
   * WebSockets opened so far: over the SPDY tunnel one carries every connection (a new one only
   * after it closed); over the v4 channel protocol, one per connection.
   */
  readonly sessions: number;
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
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`port-forward: invalid port ${port}`);
  }
  const sockets = new Set<Socket>();
  const remotes = new Set<Duplex>();
  const connections = forwarderConnections(client, params, port, options);
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.pause();
    connections.connect().then(
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
    connections.close();
    await closed;
  };
  return {
    address: server.address() as AddressInfo,
    get sessions() {
      return connections.sessions;
    },
    close,
  };
}
