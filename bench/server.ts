/**
 * A stand-in API server for the benchmarks: HTTPS on 127.0.0.1, every answer pre-serialized so the
 * server spends as little CPU as possible. Runs in its own process (see run.ts).
 *
 *   GET  /api/v1/namespaces/{ns}/pods/{name}   one pod
 *   GET  /api/v1/namespaces/{ns}/pods          a list; `ns` = `list-<N>` holds N pods (else 500);
 *                                              honours `limit` and `continue`
 *   GET  …/pods?watch=1|true                   `ns` = `watch-<N>`: N ADDED events, then the stream ends
 *   POST /api/v1/namespaces/{ns}/pods          201 with the stored pod
 *   GET  /_bench/stats                         connections, requests and server CPU since the last call
 *
 * Usage: node --import tsx bench/server.ts CERT KEY   (prints {"port":N} on stdout)
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import { makePod, TOKEN } from "./fixtures.js";

const [certFile, keyFile] = process.argv.slice(2);
if (!certFile || !keyFile) throw new Error("usage: server.ts CERT KEY");

/** Distinct pods reused cyclically: enough variety that no client can cache, little server memory. */
const DISTINCT = 1000;
const podJson: Buffer[] = [];
for (let i = 0; i < DISTINCT; i++) podJson.push(Buffer.from(JSON.stringify(makePod(i))));
const onePod = podJson[0];

const listPageCache = new Map<string, Buffer>();
function items(start: number, count: number): Buffer {
  const key = `${start % DISTINCT}:${count}`;
  let buf = listPageCache.get(key);
  if (!buf) {
    const parts: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (i) parts.push(Buffer.from(","));
      parts.push(podJson[(start + i) % DISTINCT]);
    }
    buf = Buffer.concat(parts);
    listPageCache.set(key, buf);
  }
  return buf;
}

/** Continue tokens shaped like the apiserver's: base64 JSON carrying the position. */
function continueToken(start: number): string {
  return Buffer.from(
    JSON.stringify({ v: "meta.k8s.io/v1", rv: 200000, start: `bench/pod-${start}` }),
  ).toString("base64");
}
function tokenStart(token: string): number {
  const { start } = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { start: string };
  return Number(start.slice(start.lastIndexOf("-") + 1));
}

/** Watch events pre-serialized, each with its own resourceVersion, grouped so one write carries several. */
const WATCH_GROUP = 8;
const watchGroups: Buffer[] = [];
for (let g = 0; g < DISTINCT / WATCH_GROUP; g++) {
  const lines: string[] = [];
  for (let j = 0; j < WATCH_GROUP; j++) {
    const i = g * WATCH_GROUP + j;
    lines.push(
      `{"type":"ADDED","object":${JSON.stringify(makePod(i, "watch", String(300_000 + i)))}}\n`,
    );
  }
  watchGroups.push(Buffer.from(lines.join("")));
}

let connections = 0;
let requests = 0;
let cpuMark = process.cpuUsage();

function send(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  type = "application/json",
): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  send(
    res,
    code,
    JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message, reason, code }),
  );
}

function sizeOf(ns: string, prefix: string, fallback: number): number {
  return ns.startsWith(prefix) ? Number(ns.slice(prefix.length)) : fallback;
}

async function streamWatch(res: ServerResponse, total: number): Promise<void> {
  res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
  let sent = 0;
  for (let g = 0; sent < total; g = (g + 1) % watchGroups.length) {
    const n = Math.min(WATCH_GROUP, total - sent);
    const chunk = n === WATCH_GROUP ? watchGroups[g] : lineSlice(watchGroups[g], n);
    sent += n;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => (res.off("drain", done), res.off("close", done), resolve());
        res.on("drain", done);
        res.on("close", done);
      });
      if (res.destroyed) return;
    }
  }
  res.end();
}

/** The first n lines of a group. */
function lineSlice(group: Buffer, n: number): Buffer {
  let end = 0;
  for (let i = 0; i < n; i++) end = group.indexOf(10, end) + 1;
  return group.subarray(0, end);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  requests++;
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  const query = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
  if (path === "/_bench/stats") {
    const cpu = process.cpuUsage(cpuMark);
    const body = JSON.stringify({
      connections,
      requests: requests - 1,
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
    connections = 0;
    requests = 0;
    cpuMark = process.cpuUsage();
    return send(res, 200, body);
  }
  if (req.headers.authorization !== `Bearer ${TOKEN}`)
    return status(res, 401, "Unauthorized", "Unauthorized");
  const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/.exec(path);
  if (!m) return status(res, 404, "NotFound", `no route for ${path}`);
  const [, ns, name] = m;
  if (req.method === "POST" && !name) {
    // The body must be read before answering, as a real server would decode it.
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      if (Buffer.concat(parts).length === 0) return status(res, 400, "BadRequest", "empty body");
      send(res, 201, onePod);
    });
    return;
  }
  if (req.method !== "GET") return status(res, 405, "MethodNotAllowed", req.method ?? "");
  if (name) return send(res, 200, onePod);
  const watch = query.get("watch");
  if (watch === "1" || watch === "true") {
    void streamWatch(res, sizeOf(ns, "watch-", 1000));
    return;
  }
  const total = sizeOf(ns, "list-", 500);
  const token = query.get("continue");
  const start = token ? tokenStart(token) : 0;
  const limit = Number(query.get("limit") ?? 0) || total;
  const count = Math.max(0, Math.min(limit, total - start));
  const next = start + count;
  const metadata: Record<string, unknown> = { resourceVersion: "200000" };
  if (next < total) {
    metadata.continue = continueToken(next);
    metadata.remainingItemCount = total - next;
  }
  const head = Buffer.from(
    `{"kind":"PodList","apiVersion":"v1","metadata":${JSON.stringify(metadata)},"items":[`,
  );
  const body = Buffer.concat([head, items(start, count), Buffer.from("]}")]);
  send(res, 200, body);
}

const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, handle);
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.requestTimeout = 0;
server.on("secureConnection", () => connections++);
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));
