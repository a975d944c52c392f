/** Port-forward through kube-apiserver to a TCP echo server behind the fake kubelet. */
import { createHash, randomBytes } from "node:crypto";
import { connect, createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  portForward,
  portForwardConnection,
  PortForwardError,
} from "../../runtime/streams/index.js";
import { streamsFixture, type StreamsFixture } from "./streams-support.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("port-forward through the API server", () => {
  let f: StreamsFixture;
  let pod: string;
  let echo: Server;
  let echoPort: number;

  beforeAll(async () => {
    f = await streamsFixture("pf");
    pod = await f.pod("p");
    echo = createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    echoPort = (echo.address() as { port: number }).port;
  });
  afterAll(async () => {
    echo?.close();
    await f?.cleanup();
  });

  it("forwards 20 concurrent connections, 10 MB each way, byte-exact", async () => {
    const forwarder = await portForward(f.client, { name: pod }, echoPort);
    const size = 10 * 1024 * 1024;
    try {
      const one = async () => {
        const data = randomBytes(size);
        const socket = connect(forwarder.address.port, "127.0.0.1");
        const received: Buffer[] = [];
        let got = 0;
        const done = new Promise<void>((resolve, reject) => {
          socket.on("data", (c: Buffer) => {
            received.push(c);
            got += c.length;
            if (got >= size) resolve();
          });
          socket.on("error", reject);
          socket.on("close", () =>
            got >= size ? resolve() : reject(new Error(`closed at ${got}`)),
          );
        });
        socket.write(data);
        await done;
        socket.destroy();
        expect(got).toBe(size);
        expect(sha(Buffer.concat(received))).toBe(sha(data));
      };
      await Promise.all(Array.from({ length: 20 }, one));
    } finally {
      await forwarder.close();
    }
  });

  it("gives an in-process duplex per connection", async () => {
    const duplex = await portForwardConnection(f.client, { name: pod }, echoPort);
    duplex.write("ping\n");
    const first = await duplex[Symbol.asyncIterator]().next();
    expect(String(first.value)).toBe("ping\n");
    duplex.destroy();
  });

  it("keeps the reply coming after the local side ends its input", async () => {
    // A request/response server that answers a complete request after a pause, so the client's
    // end of input has long been seen by the forwarder when the reply starts.
    const request = randomBytes(64 * 1024);
    const reply = randomBytes(4 * 1024 * 1024);
    const server = createServer((s) => {
      let got = 0;
      s.on("data", (c: Buffer) => {
        got += c.length;
        if (got === request.length) setTimeout(() => s.end(reply), 300);
      });
      s.on("error", () => {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const forwarder = await portForward(f.client, { name: pod }, port);
    try {
      // Through the local server: write, end (half-close), then read the reply to its end.
      const socket = connect(forwarder.address.port, "127.0.0.1");
      const received: Buffer[] = [];
      socket.on("data", (c: Buffer) => received.push(c));
      const ended = new Promise<void>((resolve, reject) => {
        socket.once("end", resolve);
        socket.once("error", reject);
      });
      socket.end(request);
      await ended;
      expect(sha(Buffer.concat(received))).toBe(sha(reply));

      // In process: end() the duplex, then read everything.
      const duplex = await portForwardConnection(f.client, { name: pod }, port);
      duplex.end(request);
      const chunks: Buffer[] = [];
      for await (const chunk of duplex) chunks.push(chunk as Buffer);
      expect(sha(Buffer.concat(chunks))).toBe(sha(reply));
    } finally {
      await forwarder.close();
      server.close();
    }
  });

  it("reports a port with nothing listening", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));

    const duplex = await portForwardConnection(f.client, { name: pod }, port);
    const error = await new Promise<Error>((resolve) => {
      duplex.on("error", resolve);
      duplex.resume();
    });
    expect(error).toBeInstanceOf(PortForwardError);
    expect(error.message).toContain("connection refused");

    // The same error reaches a local server's onError, and the local socket is closed.
    const errors: Error[] = [];
    const forwarder = await portForward(f.client, { name: pod }, port, {
      onError: (e) => errors.push(e),
    });
    try {
      const socket = connect(forwarder.address.port, "127.0.0.1");
      socket.on("error", () => {});
      await new Promise((r) => socket.once("close", r));
      expect(errors[0]).toBeInstanceOf(PortForwardError);
    } finally {
      await forwarder.close();
    }
  });
});
