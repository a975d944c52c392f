/**
 * WebSocket upgrades for exec, attach and port-forward, with the client's own server, TLS settings
 * (`currentTls`), proxy (`proxyRoute`) and identity (`withIdentity`), so a stream reaches the server
 * and is authorized exactly like an ordinary call.
 *
 * `ws` rather than undici's WebSocket: undici gives no response body for a refused handshake (so no
 * Status, no typed error) and has no receive backpressure; see README "Streams".
 */
import type { Socket } from "node:net";
import WebSocket from "ws";
import { internals, type Client, type ClientInternals } from "../client.js";
import { errorFromResponse, KubeError } from "../errors.js";
import { reloadAfterUnauthorized, withIdentity } from "../identity.js";
import { currentTls, proxyRoute } from "../transport.js";
import { tunnelThroughProxy } from "./tunnel.js";

/** Largest body read from a refused handshake (the Status is small). */
const MAX_ERROR_BODY = 64 * 1024;

/** What `ws` admits as a subprotocol (an RFC 7230 token); `SPDY/3.1+portforward.k8s.io` is not one. */
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`|a-z~]+$/;
const negotiated = new WeakMap<WebSocket, string>();

/** The subprotocol the server chose (also when `ws` could not be told about it). */
export function protocolOf(ws: WebSocket): string {
  return negotiated.get(ws) ?? ws.protocol;
}

export interface OpenOptions {
  signal?: AbortSignal;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/**
 * Opens a WebSocket to `path` (already encoded, without the client's path prefix) offering
 * `protocols`. A refused handshake rejects with the server's Status as a `KubeError`. As for
 * ordinary calls, a 401 gives the credentials one chance to reload (a rotated token file, an
 * expired exec credential) and the handshake is tried once more. The socket comes back paused:
 * call `resume()` once its listeners are attached. A handshake with no answer within the client's
 * `timeoutMs` (proxy tunnel included) fails with a `TimeoutError`, as an ordinary call does.
 */
export async function openWebSocket(
  clientLike: Client,
  path: string,
  protocols: readonly string[],
  options: OpenOptions = {},
): Promise<WebSocket> {
  const client = internals(clientLike);
  for (let attempt = 0; ; attempt++) {
    try {
      return await handshake(client, path, protocols, options);
    } catch (error) {
      const status = error instanceof KubeError ? error.code : 0;
      if (!(await reloadAfterUnauthorized(client, status, attempt))) throw error;
    }
  }
}

async function handshake(
  client: ClientInternals,
  path: string,
  protocols: readonly string[],
  options: OpenOptions,
): Promise<WebSocket> {
  options.signal?.throwIfAborted();
  // Ends a proxy tunnel still being opened when the handshake gives up.
  const cancel = new AbortController();
  const signals = [cancel.signal, ...(options.signal ? [options.signal] : [])];
  const tunnelSignal = signals.length > 1 ? AbortSignal.any(signals) : cancel.signal;
  const fullPath = client.pathPrefix + path;
  const url = client.origin.replace(/^http/, "ws") + fullPath;
  const headers = await withIdentity(client, {
    "user-agent": client.userAgent,
    ...options.headers,
  });
  // After the credentials ran: an exec plugin may have returned a client certificate.
  const tls = currentTls(client.tls, client.credentials);
  const { ca, cert, key, servername, rejectUnauthorized } = tls;
  // ws hands these to tls.connect, which knows `servername` (tls-server-name) though ws's types do not.
  const tlsOptions = { ca, cert, key, servername, rejectUnauthorized } as WebSocket.ClientOptions;
  const proxy = proxyRoute(client.proxyUrl);
  const target = new URL(client.origin);
  const secure = target.protocol === "https:";
  // ws refuses subprotocols that are not tokens and then any it did not offer itself; such an offer
  // goes as a plain header, and the server's choice is taken off the response before ws checks it.
  const raw = protocols.some((p) => !TOKEN.test(p));
  const ws = new WebSocket(url, raw ? [] : [...protocols], {
    ...tlsOptions,
    ...(proxy && {
      // http.request calls this with a callback, so the socket may come later.
      createConnection: ((_: unknown, done: (error: Error | null, socket?: Socket) => void) => {
        const port = Number(target.port) || (secure ? 443 : 80);
        const host = target.hostname.replace(/^\[|\]$/g, "");
        tunnelThroughProxy(proxy, host, port, secure ? tls : undefined, tunnelSignal).then(
          (socket) => done(null, socket),
          (error: Error) => done(error),
        );
        return undefined;
      }) as unknown as WebSocket.ClientOptions["createConnection"],
    }),
    // ws passes headers to http.request, which sends an array as repeated headers
    // (Impersonate-Group); ws's types only admit strings.
    headers: (raw
      ? { ...headers, "sec-websocket-protocol": protocols.join(", ") }
      : headers) as Record<string, string>,
    ...(raw && {
      finishRequest: (req, socket) => {
        req.prependListener("upgrade", (res) => {
          const chosen = res.headers["sec-websocket-protocol"];
          delete res.headers["sec-websocket-protocol"];
          if (chosen && protocols.includes(chosen)) negotiated.set(socket, chosen);
        });
        req.end();
      },
    }),
    perMessageDeflate: false,
    // Frames come from the API server; their size is bounded by its own buffers.
    maxPayload: 64 * 1024 * 1024,
    skipUTF8Validation: true,
    followRedirects: false,
  });
  return new Promise<WebSocket>((resolve, reject) => {
    const signal = options.signal;
    const giveUp = (reason: unknown) => {
      done();
      // terminate() reports the abandoned handshake as an error event, which nobody needs.
      ws.on("error", () => {});
      cancel.abort(reason);
      ws.terminate();
      reject(reason);
    };
    const onAbort = () => giveUp(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const limit = client.timeoutMs;
    const timer =
      limit > 0
        ? setTimeout(
            () =>
              giveUp(
                new DOMException(
                  `GET ${fullPath}: no answer to the WebSocket handshake within ${limit} ms`,
                  "TimeoutError",
                ),
              ),
            limit,
          )
        : undefined;
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      ws.removeAllListeners("unexpected-response");
      ws.removeListener("error", onError);
    };
    ws.once("open", () => {
      // Frames that came with the 101 would be emitted before the caller's listeners exist.
      ws.pause();
      done();
      if (raw && !negotiated.has(ws)) {
        ws.terminate();
        reject(new Error(`the server chose none of the subprotocols ${protocols.join(", ")}`));
      } else resolve(ws);
    });
    ws.once("error", onError);
    ws.once("unexpected-response", (req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size < MAX_ERROR_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", () => {
        done();
        req.destroy();
        const text = Buffer.concat(chunks).toString("utf8").slice(0, MAX_ERROR_BODY);
        reject(errorFromResponse(res.statusCode ?? 0, "GET", fullPath, text));
      });
      res.on("error", (error) => {
        done();
        reject(error);
      });
    });
  });
}

/** Frame `payload` for channel `channel` (one leading byte), as channel.k8s.io wants. */
export function frame(channel: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 1);
  out[0] = channel;
  out.set(payload, 1);
  return out;
}

/** Several queued writes as one frame: fewer, larger frames cost less on both ends. */
export function frameMany(channel: number, chunks: { chunk: Uint8Array }[]): Buffer {
  let size = 1;
  for (const c of chunks) size += c.chunk.length;
  const out = Buffer.allocUnsafe(size);
  out[0] = channel;
  let at = 1;
  for (const c of chunks) {
    out.set(c.chunk, at);
    at += c.chunk.length;
  }
  return out;
}

/** Bytes queued in the socket before a writer is asked to wait. */
export const SEND_HIGH_WATER = 1024 * 1024;

/** Sends one frame; `callback` runs at once while little is queued, else when the frame is flushed (send backpressure). */
export function sendFrame(ws: WebSocket, data: Buffer, callback: (error?: Error | null) => void) {
  if (ws.readyState !== WebSocket.OPEN) {
    callback(new Error("the stream is closed"));
    return;
  }
  if (ws.bufferedAmount < SEND_HIGH_WATER) {
    ws.send(data, { binary: true });
    callback();
  } else {
    ws.send(data, { binary: true }, (error) => callback(error ?? null));
  }
}
