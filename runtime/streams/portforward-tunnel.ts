/**
 * Forwarded connections over SPDY tunnelled in a WebSocket (`SPDY/3.1+portforward.k8s.io`,
 * kube-apiserver 1.30+ with PortForwardWebsockets, on by default from 1.31): an error stream and a
 * data stream per connection, as client-go opens them, told apart by a request id, so one session
 * carries many connections (as `kubectl port-forward` does). Unlike the v4 channel protocol a
 * connection can half-close: `end()` tells the pod side "no more input" and the reply still arrives.
 */
import { Duplex } from "node:stream";
import type WebSocket from "ws";
import { SpdySession } from "./spdy.js";
import { sendFrame } from "./websocket.js";

export const TUNNEL_PROTOCOL = "SPDY/3.1+portforward.k8s.io";

/** Error reported by the pod side of a forwarded connection (e.g. nothing listening on the port). */
export class PortForwardError extends Error {
  override name = "PortForwardError";
  constructor(
    message: string,
    readonly port: number,
  ) {
    super(message);
  }
}

interface Live {
  duplex: Duplex;
  /** Fails the connection when the session goes away before it settled. */
  lost(): void;
}

/**
 * One WebSocket carrying SPDY streams for any number of forwarded connections. Received frames
 * share the socket, so a connection whose reader stops pauses them all (as in kubectl).
 */
export class TunnelSession {
  private readonly spdy: SpdySession;
  private readonly live = new Set<Live>();
  private nextRequest = 0;
  private gone = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly highWaterMark: number,
    /** Close the WebSocket when its last connection settles (one connection per session). */
    private readonly closeWhenIdle = false,
  ) {
    this.spdy = new SpdySession((bytes, done) => sendFrame(ws, bytes, done));
    ws.on("message", (data: Buffer) => {
      if (!this.spdy.receive(data)) ws.pause();
    });
    ws.on("error", (error) => {
      for (const c of [...this.live]) c.duplex.destroy(error);
    });
    ws.once("close", () => {
      this.gone = true;
      for (const c of [...this.live]) c.lost();
    });
    // openWebSocket hands the socket over paused, so frames that came with the 101 wait for this.
    ws.resume();
  }

  /** False once the WebSocket is closing or closed: open a new session. */
  get open(): boolean {
    return !this.gone && this.ws.readyState === this.ws.OPEN;
  }

  /** Connections not yet settled. */
  get connections(): number {
    return this.live.size;
  }

  close(): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING)
      this.ws.close(1000);
  }

  /** Opens one more forwarded connection to `port` on this session. */
  connect(port: number): Duplex {
    const { spdy, ws } = this;
    const headers = {
      streamtype: "error",
      port: String(port),
      requestid: String(this.nextRequest++),
    };
    const errorText: Buffer[] = [];
    let errorDone = false;
    let remoteDone = false;
    let settled = false;
    const finish = () => {
      settled = true;
      this.live.delete(live);
      spdy.forget(errorId);
      spdy.forget(dataId);
      if (this.closeWhenIdle && this.live.size === 0) this.close();
    };
    // The pod side's verdict comes on the error stream; the connection ends only once both the
    // data and the error stream have ended, so an error is never mistaken for a clean end.
    const settle = () => {
      if (settled || !errorDone || !remoteDone) return;
      finish();
      const message = Buffer.concat(errorText).toString("utf8").trim();
      if (message) duplex.destroy(new PortForwardError(message, port));
      else duplex.push(null);
    };
    const errorId = spdy.open(headers, {
      data: (chunk) => (errorText.push(Buffer.from(chunk)), true),
      end: () => ((errorDone = true), settle()),
      reset: () => ((errorDone = true), settle()),
    });
    // The client never writes on the error stream.
    spdy.end(errorId);
    const dataId = spdy.open(
      { ...headers, streamtype: "data" },
      {
        // After a local destroy the rest of a frame may still come: drop it, and never let a
        // connection nobody reads pause the socket its session shares.
        data: (chunk) => settled || duplex.push(chunk),
        end: () => ((remoteDone = true), settle()),
        reset: (reason) => {
          if (settled) return;
          finish();
          duplex.destroy(
            new PortForwardError(`the pod side reset the connection (${reason})`, port),
          );
        },
      },
    );
    const duplex = new Duplex({
      highWaterMark: this.highWaterMark,
      allowHalfOpen: true,
      read: () => {
        if (ws.isPaused) ws.resume();
      },
      write: (chunk: Buffer, _encoding, callback) => spdy.write(dataId, [chunk], callback),
      writev: (chunks, callback) =>
        spdy.write(
          dataId,
          chunks.map((c) => c.chunk as Buffer),
          callback,
        ),
      final: (callback) => spdy.end(dataId, callback),
      destroy: (error, callback) => {
        if (!settled) {
          // Abandoned locally: the pod side drops this connection, the session's others go on.
          if (this.open) {
            spdy.reset(dataId);
            spdy.reset(errorId);
          }
          finish();
        }
        // A paused socket would hold every other connection of the session.
        if (ws.isPaused) ws.resume();
        callback(error);
      },
    });
    const live: Live = {
      duplex,
      lost: () => {
        if (settled) return;
        finish();
        const message = Buffer.concat(errorText).toString("utf8").trim();
        duplex.destroy(
          new PortForwardError(message || "the tunnel closed before the pod side ended", port),
        );
      },
    };
    this.live.add(live);
    return duplex;
  }
}

/** One forwarded connection on a WebSocket of its own, closed when the connection ends. */
export function tunnelConnection(ws: WebSocket, port: number, highWaterMark: number): Duplex {
  return new TunnelSession(ws, highWaterMark, true).connect(port);
}
