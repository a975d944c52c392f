/**
 * A tiny programmable HTTPS server on 127.0.0.1 for runtime contract tests: a per-test handler,
 * every request recorded (raw URL, headers, body), and a CA made on the spot that clients must
 * be told about explicitly.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { Status } from "../../../runtime/errors.js";
import { createClient, type Client, type ClientOptions } from "../../../runtime/index.js";

export interface Certificates {
  /** CA certificate (PEM) that signed the server certificate. */
  ca: string;
  /**
   * Server certificate (PEM) for IP 127.0.0.1 and the name `kube.test`, which no resolver knows: it
   * is reached only through a test proxy that maps it to loopback.
   */
  cert: string;
  key: string;
}

let certificates: Certificates | undefined;

/**
 * Makes a throwaway CA and a server certificate for 127.0.0.1 with the openssl CLI
 * (node:crypto cannot issue X.509 certificates). Cached per worker process.
 */
export function testCertificates(): Certificates {
  if (certificates) return certificates;
  const dir = mkdtempSync(path.join(os.tmpdir(), "kubegen-tls-"));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    openssl(
      "req",
      "-x509",
      ...ecKey,
      "-keyout",
      file("ca.key"),
      "-out",
      file("ca.crt"),
      "-days",
      "2",
      "-subj",
      "/CN=kubegen-test-ca",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
    openssl(
      "req",
      ...ecKey,
      "-keyout",
      file("server.key"),
      "-out",
      file("server.csr"),
      "-subj",
      "/CN=127.0.0.1",
    );
    writeFileSync(
      file("server.ext"),
      [
        "subjectAltName=IP:127.0.0.1,DNS:kube.test",
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
      ].join("\n"),
    );
    openssl(
      "x509",
      "-req",
      "-in",
      file("server.csr"),
      "-CA",
      file("ca.crt"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      file("server.ext"),
      "-out",
      file("server.crt"),
    );
    certificates = {
      ca: readFileSync(file("ca.crt"), "utf8"),
      cert: readFileSync(file("server.crt"), "utf8"),
      key: readFileSync(file("server.key"), "utf8"),
    };
    return certificates;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RecordedRequest {
  method: string;
  /** The request target exactly as it arrived, e.g. `/api/v1/pods?limit=5`. */
  url: string;
  /** `url` before the `?`, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Resolves when the connection this request arrived on is closed (by either side). */
  socketClosed: Promise<void>;
}

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  recorded: RecordedRequest,
) => unknown;

export interface TestServer {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** PEM of the CA that signed the server certificate. */
  readonly ca: string;
  /** Every request received since the last reset(), in arrival order. */
  readonly requests: RecordedRequest[];
  /** Errors thrown by handlers (the server answers 500 for them); tests should expect none. */
  readonly handlerErrors: unknown[];
  /** Replaces the handler for the next requests. Unhandled requests get a 500. */
  handle(handler: Handler): void;
  /** Resolves once `count` requests have been received. */
  waitForRequests(count: number): Promise<RecordedRequest>;
  /** Clears the handler and the recordings and drops open connections (call between tests). */
  reset(): void;
  close(): Promise<void>;
}

export async function startHttpsServer(
  options: { requestClientCertificate?: boolean } = {},
): Promise<TestServer> {
  const { ca, cert, key } = testCertificates();
  const requests: RecordedRequest[] = [];
  const handlerErrors: unknown[] = [];
  const waiters: { count: number; resolve: (r: RecordedRequest) => void }[] = [];
  const sockets = new Set<Socket>();
  let handler: Handler | undefined;
  // One promise per socket: keep-alive sockets carry many requests.
  const closedPromises = new WeakMap<Socket, Promise<void>>();
  const closed = (socket: Socket): Promise<void> => {
    let p = closedPromises.get(socket);
    if (!p) {
      p = socket.destroyed
        ? Promise.resolve()
        : new Promise((resolve) => socket.once("close", () => resolve()));
      closedPromises.set(socket, p);
    }
    return p;
  };

  // Asking for a client certificate without verifying it lets tests read what the client presented.
  const ask = options.requestClientCertificate
    ? { requestCert: true, rejectUnauthorized: false }
    : {};
  const server: Server = createServer({ cert, key, ...ask }, async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? "";
    const q = url.indexOf("?");
    const socket = req.socket;
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      url,
      path: q === -1 ? url : url.slice(0, q),
      query: new URLSearchParams(q === -1 ? "" : url.slice(q + 1)),
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
      socketClosed: closed(socket),
    };
    requests.push(recorded);
    for (const w of waiters.filter((w) => requests.length >= w.count)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(recorded);
    }
    try {
      if (!handler) throw new Error(`no handler for ${recorded.method} ${url}`);
      await handler(req, res, recorded);
    } catch (error) {
      handlerErrors.push(error);
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end(String(error));
    }
  });
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  // Handshakes the tests make fail on purpose are not server errors.
  server.on("tlsClientError", () => {});

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `https://127.0.0.1:${port}`,
    port,
    ca,
    requests,
    handlerErrors,
    handle(h) {
      handler = h;
    },
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve(requests[count - 1]);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    reset() {
      handler = undefined;
      requests.length = 0;
      handlerErrors.length = 0;
      waiters.length = 0;
      for (const s of sockets) s.destroy();
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a JSON response. */
export function json(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A `metav1.Status` failure as the API server sends it. */
export function status(
  code: number,
  reason: string,
  message: string,
  details?: Status["details"],
): Status {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
    ...(details ? { details } : {}),
  };
}

/** Resolves with `promise`, or rejects after `ms` so a missing event fails the test instead of hanging it. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Settles a promise into a value or the error it rejected with, for assertions on both. */
export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject, but it resolved");
}

export interface ServerHarness {
  readonly server: TestServer;
  /** A client that trusts the test CA (and is closed after each test). */
  client(options?: ClientOptions): Client;
}

/**
 * One test server per file: started before the tests, reset after each (which also checks that
 * no handler threw and closes the test's clients), closed at the end.
 */
export function useHttpsServer(
  defaults: ClientOptions = {},
  serverOptions: Parameters<typeof startHttpsServer>[0] = {},
): ServerHarness {
  let server: TestServer | undefined;
  let clients: Client[] = [];
  beforeAll(async () => {
    server = await startHttpsServer(serverOptions);
  });
  afterEach(async () => {
    expect(server!.handlerErrors).toEqual([]);
    // Drop connections first: a client's close() waits for requests still in flight.
    server!.reset();
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
  });
  afterAll(() => server?.close());
  return {
    get server() {
      if (!server) throw new Error("the test server starts in beforeAll");
      return server;
    },
    client(options = {}) {
      const c = createClient({
        server: server!.url,
        ca: server!.ca,
        logger: () => {},
        ...defaults,
        ...options,
      });
      clients.push(c);
      return c;
    },
  };
}
