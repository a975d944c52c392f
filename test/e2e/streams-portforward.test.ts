/** Port-forward through kube-apiserver to a TCP echo server behind the fake kubelet. */
import { createHash, randomBytes } from "node:crypto";
import { connect, createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHANNEL_PROTOCOL,
  portForward,
  portForwardConnection,
  PortForwardError,
  TUNNEL_PROTOCOL,
} from "../../runtime/streams/index.js";
import { startConnectProxy } from "../tools/connect-proxy.js";
import { streamsFixture, type StreamsFixture } from "./streams-support.js";
import { adminClient } from "./support.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Sends `size` random bytes through a local connection to an echo server; checks them, byte-exact. */
async function roundTrip(port: number, size: number): Promise<void> {
  const data = randomBytes(size);
  const socket = connect(port, "127.0.0.1");
  const received: Buffer[] = [];
  let got = 0;
  await new Promise<void>((resolve, reject) => {
    socket.on("data", (c: Buffer) => {
      received.push(c);
      got += c.length;
      if (got >= size) resolve();
    });
    socket.on("error", reject);
    socket.on("close", () => (got >= size ? resolve() : reject(new Error(`closed at ${got}`))));
    socket.write(data);
  });
  socket.destroy();
  expect(got).toBe(size);
  expect(sha(Buffer.concat(received))).toBe(sha(data));
}

// The default offers SPDY tunnelled in the WebSocket first (a 1.36 server takes it); the v4 channel
// protocol is what servers without PortForwardWebsockets answer, forced here with `protocols`.
for (const [label, protocols, expected] of [
  ["SPDY tunnel (default)", undefined, TUNNEL_PROTOCOL],
  ["v4 channels", [CHANNEL_PROTOCOL], CHANNEL_PROTOCOL],
] as const) {
  describe(`port-forward through the API server: ${label}`, () => {
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
      const forwarder = await portForward(f.client, { name: pod }, echoPort, { protocols });
      try {
        const port = forwarder.address.port;
        await Promise.all(Array.from({ length: 20 }, () => roundTrip(port, 10 * 1024 * 1024)));
        // Over the SPDY tunnel one WebSocket carries all 20 (as kubectl's one SPDY session).
        expect(forwarder.sessions).toBe(expected === TUNNEL_PROTOCOL ? 1 : 20);
      } finally {
        await forwarder.close();
      }
    });

    it("gives an in-process duplex per connection", async () => {
      const duplex = await portForwardConnection(f.client, { name: pod }, echoPort, { protocols });
      expect(duplex.protocol).toBe(expected);
      duplex.write("ping\n");
      const first = await duplex[Symbol.asyncIterator]().next();
      expect(String(first.value)).toBe("ping\n");
      duplex.destroy();
    });

    it("keeps the reply coming after the local side ends its input", async () => {
      // A request/response server that answers a complete request after a pause, so the client's
      // end of input has long been seen by the forwarder when the reply starts. Over SPDY that end
      // reaches the server (as with kubectl), so it must allow half-open sockets to still reply.
      const request = randomBytes(64 * 1024);
      const reply = randomBytes(4 * 1024 * 1024);
      const server = createServer({ allowHalfOpen: true }, (s) => {
        let got = 0;
        s.on("data", (c: Buffer) => {
          got += c.length;
          if (got === request.length) setTimeout(() => s.end(reply), 300);
        });
        s.on("error", () => {});
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const port = (server.address() as { port: number }).port;
      const forwarder = await portForward(f.client, { name: pod }, port, { protocols });
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
        const duplex = await portForwardConnection(f.client, { name: pod }, port, { protocols });
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

      const duplex = await portForwardConnection(f.client, { name: pod }, port, { protocols });
      const error = await new Promise<Error>((resolve) => {
        duplex.on("error", resolve);
        duplex.resume();
      });
      expect(error).toBeInstanceOf(PortForwardError);
      expect(error.message).toContain("connection refused");

      // The same error reaches a local server's onError, and the local socket is closed.
      const errors: Error[] = [];
      const forwarder = await portForward(f.client, { name: pod }, port, {
        protocols,
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
}

describe("port-forward half-close (SPDY tunnel)", () => {
  let f: StreamsFixture;
  let pod: string;
  let counter: Server;
  let counterPort: number;

  beforeAll(async () => {
    f = await streamsFixture("pfhalf");
    pod = await f.pod("p");
    // Answers only after its input ends, like `wc -c` or an HTTP/1.0 request without a length.
    counter = createServer({ allowHalfOpen: true }, (s) => {
      const hash = createHash("sha256");
      let n = 0;
      s.on("data", (c: Buffer) => {
        n += c.length;
        hash.update(c);
      });
      s.on("end", () => s.end(`${n} ${hash.digest("hex")}\n`));
    });
    await new Promise<void>((r) => counter.listen(0, "127.0.0.1", r));
    counterPort = (counter.address() as { port: number }).port;
  });
  afterAll(async () => {
    counter?.close();
    await f?.cleanup();
  });

  const reply = (socket: NodeJS.ReadableStream) =>
    new Promise<string>((resolve, reject) => {
      let text = "";
      socket.on("data", (c) => (text += c));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });

  it("ends the input of an in-process connection and still gets the reply", async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const duplex = await portForwardConnection(f.client, { name: pod }, counterPort);
    expect(duplex.protocol).toBe(TUNNEL_PROTOCOL);
    const answer = reply(duplex);
    duplex.end(data);
    expect(await answer).toBe(`${data.length} ${sha(data)}\n`);
  });

  it("passes a local client's end of input through the local listener", async () => {
    const forwarder = await portForward(f.client, { name: pod }, counterPort);
    try {
      const socket = connect({
        port: forwarder.address.port,
        host: "127.0.0.1",
        allowHalfOpen: true,
      });
      const answer = reply(socket);
      socket.end("hello\n");
      expect(await answer).toBe(`6 ${sha(Buffer.from("hello\n"))}\n`);
    } finally {
      await forwarder.close();
    }
  });
});

describe("port-forward sessions (SPDY tunnel)", () => {
  let f: StreamsFixture;
  let pod: string;
  let echo: Server;
  let echoPort: number;

  beforeAll(async () => {
    f = await streamsFixture("pfsession");
    pod = await f.pod("p");
    echo = createServer({ allowHalfOpen: true }, (s) => {
      s.on("error", () => {});
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    echoPort = (echo.address() as { port: number }).port;
  });
  afterAll(async () => {
    echo?.close();
    await f?.cleanup();
  });

  it("a connection abandoned mid-transfer leaves the session's other connections running", async () => {
    const forwarder = await portForward(f.client, { name: pod }, echoPort);
    try {
      // One local client hangs up after its first echoed bytes, while two others transfer 8 MB.
      const quitter = connect(forwarder.address.port, "127.0.0.1");
      quitter.on("error", () => {});
      const quit = new Promise<void>((resolve) => {
        quitter.once("data", () => {
          quitter.destroy();
          resolve();
        });
      });
      quitter.write(randomBytes(4 * 1024 * 1024));
      await Promise.all([
        quit,
        roundTrip(forwarder.address.port, 8 * 1024 * 1024),
        roundTrip(forwarder.address.port, 8 * 1024 * 1024),
      ]);
      // The session outlives it: a later connection rides the same WebSocket.
      await roundTrip(forwarder.address.port, 1024);
      expect(forwarder.sessions).toBe(1);
    } finally {
      await forwarder.close();
    }
  });

  it("opens a new session when the WebSocket is cut, and fails the connections it carried", async () => {
    const proxy = await startConnectProxy("Basic " + Buffer.from("u:p").toString("base64"));
    const client = adminClient({
      namespace: f.namespace,
      proxyUrl: `http://u:p@127.0.0.1:${proxy.port}`,
    });
    const errors: Error[] = [];
    const forwarder = await portForward(client, { name: pod }, echoPort, {
      onError: (e) => errors.push(e),
    });
    try {
      await roundTrip(forwarder.address.port, 1024);
      // A connection open when the tunnel is cut: its local socket is closed with an error reported.
      const open = connect(forwarder.address.port, "127.0.0.1");
      open.on("error", () => {});
      open.write("x");
      await new Promise((r) => open.once("data", r));
      const closed = new Promise((r) => open.once("close", r));
      proxy.cut();
      await closed;
      expect(errors.map((e) => e.message)).toEqual(["the tunnel closed before the pod side ended"]);
      // The next connection opens a second session (a second CONNECT through the proxy).
      await roundTrip(forwarder.address.port, 1024 * 1024);
      expect(forwarder.sessions).toBe(2);
      expect(proxy.tunnels).toHaveLength(2);
    } finally {
      await forwarder.close();
      await client.close();
      await proxy.close();
    }
  });
});
