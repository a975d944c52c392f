/**
 * Fake API server for the informer room: N distinct ~5 KB pods per namespace, paginated and
 * streaming lists, quiet watches, a burst of MODIFIED events, and a forced 410.
 *
 *   namespace `sync-<N>`          N pods; watches stay open and quiet
 *   namespace `rate-<N>-<M>`      N pods; the first watch from a resourceVersion sends M MODIFIED events
 *   namespace `relist-<N>`        N pods; the first watch from a resourceVersion answers 410 Gone
 *   (a `-run<id>` suffix gives each measurement namespaces of its own)
 *
 * Lists honour `limit`/`continue` (no limit: the whole list); `sendInitialEvents=true` watches
 * stream the pods as ADDED events, then the `k8s.io/initial-events-end` bookmark.
 * Usage: node --import tsx bench/rooms/informer-server.ts CERT KEY   (prints {"port":N})
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import { makePod, TOKEN } from "../fixtures.js";

const [certFile, keyFile] = process.argv.slice(2);
const LIST_RV = "500000";
const DISTINCT = 1000;

/** Pod JSON split around its name, so pod i gets a unique name without a JSON.stringify per pod. */
const templates = new Map<string, [string, string, string][]>();
function parts(namespace: string): [string, string, string][] {
  let t = templates.get(namespace);
  if (!t) {
    t = [];
    for (let j = 0; j < DISTINCT; j++) {
      const pod = makePod(j, namespace, LIST_RV) as { metadata: { name: string } };
      const json = JSON.stringify(pod);
      const marker = `"name":"${pod.metadata.name}"`;
      const at = json.indexOf(marker);
      t.push([json.slice(0, at), pod.metadata.name, json.slice(at + marker.length)]);
    }
    templates.set(namespace, t);
  }
  return t;
}
function podJson(namespace: string, i: number, rv?: string): string {
  const [head, name, tail] = parts(namespace)[i % DISTINCT];
  const body = `${head}"name":"${name}-${i}"${tail}`;
  return rv ? body.replace(`"resourceVersion":"${LIST_RV}"`, `"resourceVersion":"${rv}"`) : body;
}

function send(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

const rateCache = new Map<string, Buffer[][]>();
function rateRounds(ns: string, total: number): Buffer[][] {
  const key = `${ns}/${total}`;
  let rounds = rateCache.get(key);
  if (!rounds) {
    rounds = [0, 1].map((r) =>
      Array.from({ length: total }, (_, i) =>
        Buffer.from(
          `{"type":"MODIFIED","object":${podJson(ns, i, String(600_000 + r * total + i))}}\n`,
        ),
      ),
    );
    rateCache.set(key, rounds);
  }
  return rounds;
}

async function write(res: ServerResponse, chunk: string | Buffer): Promise<boolean> {
  if (res.write(chunk)) return !res.destroyed;
  await new Promise<void>((resolve) => {
    const done = () => (res.off("drain", done), res.off("close", done), resolve());
    res.on("drain", done);
    res.on("close", done);
  });
  return !res.destroyed;
}

const watchesFromVersion = new Map<string, number>();

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "https://bench");
  if (req.headers.authorization !== `Bearer ${TOKEN}`)
    return send(res, 401, '{"kind":"Status","code":401}');
  const m = /^\/api\/v1\/namespaces\/((sync|rate|relist)-(\d+)(?:-(\d+))?(?:-run\w+)?)\/pods$/.exec(
    url.pathname,
  );
  if (!m) return send(res, 404, '{"kind":"Status","code":404}');
  const [, ns, kind, n, m2] = m;
  // Objects name the namespace without the run suffix, so precomputed events fit every run.
  const objectNs = ns.replace(/-run\w+$/, "");
  const total = Number(n);
  const q = url.searchParams;
  if (q.get("watch") === "1" || q.get("watch") === "true") {
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    if (q.get("sendInitialEvents") === "true") {
      let batch = "";
      for (let i = 0; i < total; i++) {
        batch += `{"type":"ADDED","object":${podJson(objectNs, i)}}\n`;
        if (batch.length > 256 * 1024) {
          if (!(await write(res, batch))) return;
          batch = "";
        }
      }
      batch += `{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"${LIST_RV}","annotations":{"k8s.io/initial-events-end":"true"}}}}\n`;
      if (!(await write(res, batch))) return;
    }
    // The first watch of a namespace past its initial state gets the scenario's events.
    const seen = (watchesFromVersion.get(ns) ?? 0) + 1;
    watchesFromVersion.set(ns, seen);
    if (kind === "relist" && seen === 1) {
      res.end(
        `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"too old resource version"}}\n`,
      );
      return;
    }
    if (kind === "rate" && seen === 1) {
      // Two precomputed rounds over the pods, alternated: every event changes its pod's
      // resourceVersion, and the server spends no CPU per event that could bound the rate.
      const rounds = rateRounds(objectNs, total);
      const events = Number(m2);
      for (let sent = 0, r = 0; sent < events; r ^= 1) {
        const lines = rounds[r];
        const n = Math.min(total, events - sent);
        for (let i = 0; i < n; i += 64) {
          if (!(await write(res, Buffer.concat(lines.slice(i, Math.min(n, i + 64)))))) return;
        }
        sent += n;
      }
    }
    return; // stays open and quiet
  }
  const limit = Number(q.get("limit") ?? 0) || total;
  const token = q.get("continue");
  const start = token ? Number(Buffer.from(token, "base64").toString()) : 0;
  const end = Math.min(total, start + limit);
  const metadata: Record<string, unknown> = { resourceVersion: LIST_RV };
  if (end < total) metadata.continue = Buffer.from(String(end)).toString("base64");
  res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
  let batch = `{"kind":"PodList","apiVersion":"v1","metadata":${JSON.stringify(metadata)},"items":[`;
  for (let i = start; i < end; i++) {
    batch += (i > start ? "," : "") + podJson(objectNs, i);
    if (batch.length > 256 * 1024) {
      if (!(await write(res, batch))) return;
      batch = "";
    }
  }
  await write(res, `${batch}]}`);
  res.end();
}

const server = createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  (req, res) => void handle(req, res),
);
server.keepAliveTimeout = 120_000;
server.requestTimeout = 0;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(
    `${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`,
  );
});
process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));
