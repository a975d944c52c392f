/**
 * One forwarded connection over SPDY tunnelled in a WebSocket (`SPDY/3.1+portforward.k8s.io`,
 * kube-apiserver 1.30+ with PortForwardWebsockets, on by default from 1.31): an error stream and a
 * data stream per connection, as client-go opens them. Unlike the v4 channel protocol it can
 * half-close: `end()` tells the pod side "no more input" and the reply still arrives.
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

export function tunnelConnection(ws: WebSocket, port: number, highWaterMark: number): Duplex {
  const session = new SpdySession((bytes, done) => sendFrame(ws, bytes, done));
  const headers = { streamtype: "error", port: String(port), requestid: "0" };
  const errorText: Buffer[] = [];
  let errorDone = false;
  let remoteDone = false;
  let settled = false;
  // The pod side's verdict comes on the error stream; the connection ends only once both the data
  // and the error stream have ended, so an error is never mistaken for a clean end.
  const settle = () => {
    if (settled || !errorDone || !remoteDone) return;
    settled = true;
    const message = Buffer.concat(errorText).toString("utf8").trim();
    if (message) duplex.destroy(new PortForwardError(message, port));
    else duplex.push(null);
    if (ws.readyState === ws.OPEN) ws.close(1000);
  };
  const errorId = session.open(headers, {
    data: (chunk) => (errorText.push(Buffer.from(chunk)), true),
    end: () => ((errorDone = true), settle()),
    reset: () => ((errorDone = true), settle()),
  });
  // The client never writes on the error stream.
  session.end(errorId);
  const dataId = session.open(
    { ...headers, streamtype: "data" },
    {
      data: (chunk) => duplex.push(chunk),
      end: () => ((remoteDone = true), settle()),
      reset: (reason) => {
        remoteDone = errorDone = settled = true;
        duplex.destroy(new PortForwardError(`the pod side reset the connection (${reason})`, port));
      },
    },
  );
  const duplex = new Duplex({
    highWaterMark,
    allowHalfOpen: true,
    read: () => {
      if (ws.isPaused) ws.resume();
    },
    write: (chunk: Buffer, _encoding, callback) => session.write(dataId, [chunk], callback),
    writev: (chunks, callback) =>
      session.write(
        dataId,
        chunks.map((c) => c.chunk as Buffer),
        callback,
      ),
    final: (callback) => session.end(dataId, callback),
    destroy: (error, callback) => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
      callback(error);
    },
  });
  ws.on("message", (data: Buffer) => {
    if (!session.receive(data)) ws.pause();
  });
  // openWebSocket hands the socket over paused, so frames that came with the 101 wait for this.
  ws.resume();
  ws.on("error", (error) => duplex.destroy(error));
  ws.once("close", () => {
    if (settled) return;
    if (!remoteDone || !errorDone) {
      const message = Buffer.concat(errorText).toString("utf8").trim();
      duplex.destroy(
        new PortForwardError(message || "the tunnel closed before the pod side ended", port),
      );
    }
  });
  return duplex;
}
