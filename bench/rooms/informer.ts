/**
 * Informer room: kubegen's informer (streaming and paginated initial list) against client-node
 * 2.0.1's makeInformer and a floor (undici list + watch into a Map with JSON.parse), each run in a
 * fresh process against a local HTTPS fake server (bench/informer/server.ts).
 *
 *   node --import tsx bench/rooms/informer.ts [--quick]
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, writeRoomSection } from "../report.js";

const quick = process.argv.includes("--quick");
const REPS = quick ? 1 : 3;
const CLIENTS = ["floor", "kubegen-stream", "kubegen-paginate", "client-node"] as const;
type ClientName = (typeof CLIENTS)[number];
type Result = Record<string, number | string | undefined> & { error?: string };

function certificates(dir: string): { cert: string; key: string; ca: string } {
  const file = (n: string) => join(dir, n);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.crt"),
    "-days",
    "1",
    "-subj",
    "/CN=bench-ca",
  );
  openssl(
    "req",
    ...ec,
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
    "-subj",
    "/CN=127.0.0.1",
  );
  writeFileSync(file("ext"), "subjectAltName=IP:127.0.0.1\n");
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
    "1",
    "-extfile",
    file("ext"),
    "-out",
    file("server.crt"),
  );
  return { cert: file("server.crt"), key: file("server.key"), ca: file("ca.crt") };
}

function startServer(cert: string, key: string): Promise<{ url: string; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "bench/informer/server.ts"), cert, key],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c;
      if (out.includes("\n")) {
        const { port } = JSON.parse(out) as { port: number };
        resolve({ url: `https://127.0.0.1:${port}`, stop: () => child.kill() });
      }
    });
    child.on("exit", (code) => reject(new Error(`informer-server exited ${code}`)));
  });
}

function measure(
  client: ClientName,
  scenario: string,
  server: string,
  ca: string,
): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        "--expose-gc",
        "--max-old-space-size=6144",
        "--import",
        "tsx",
        join(ROOT, "bench/informer/worker.ts"),
        client,
        scenario,
        server,
        ca,
      ],
      { stdio: ["ignore", "pipe", "pipe"], cwd: ROOT },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    child.stderr.on("data", (c: Buffer) => (err += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").pop();
      try {
        resolve(JSON.parse(line ?? "") as Result);
      } catch {
        const why = err.trim().split("\n").filter(Boolean).slice(-2).join(" ").slice(0, 200);
        resolve({ error: `exited ${code ?? signal}: ${why}` });
      }
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "–");

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "kubegen-informer-bench-"));
  const { cert, key, ca } = certificates(dir);
  const server = await startServer(cert, key);
  const results: Record<string, Record<ClientName, Result[]>> = {};
  try {
    for (const scenario of ["sync", "rate", "big"]) {
      results[scenario] = {
        floor: [],
        "kubegen-stream": [],
        "kubegen-paginate": [],
        "client-node": [],
      };
      const reps = scenario === "big" ? 1 : REPS;
      for (let r = 0; r < reps; r++) {
        // Rotated order, so no client always runs first (or last) on a busy machine.
        for (let i = 0; i < CLIENTS.length; i++) {
          const client = CLIENTS[(i + r) % CLIENTS.length];
          const result = await measure(client, scenario, server.url, ca);
          process.stderr.write(`${scenario} ${client}: ${JSON.stringify(result)}\n`);
          results[scenario][client].push(result);
        }
      }
    }
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const value = (scenario: string, client: ClientName, field: string) =>
    median(results[scenario][client].filter((x) => !x.error).map((x) => Number(x[field])));
  const failed = (scenario: string, client: ClientName) =>
    results[scenario][client].find((x) => x.error)?.error;
  const ratio = (scenario: string, client: ClientName, field: string) =>
    value(scenario, client, field) / value(scenario, "floor", field);
  const cell = (scenario: string, client: ClientName, field: string, unit: string, digits = 0) => {
    const error = failed(scenario, client);
    if (error && !Number.isFinite(value(scenario, client, field)))
      return `fails: ${error.replace(/\|/g, "/").slice(0, 90)}`;
    const v = value(scenario, client, field);
    return client === "floor"
      ? `${fmt(v, digits)} ${unit}`
      : `${fmt(v, digits)} ${unit} (${fmt(ratio(scenario, client, field), 2)}×)`;
  };
  const names: Record<ClientName, string> = {
    floor: "floor (undici + JSON.parse + Map)",
    "kubegen-stream": "kubegen informer, streaming list",
    "kubegen-paginate": "kubegen informer, paginated list",
    "client-node": "client-node 2.0.1 makeInformer",
  };
  const rows = CLIENTS.map(
    (c) =>
      `| ${names[c]} | ${cell("sync", c, "syncMs", "ms")} | ${cell("sync", c, "heapMb", "MB", 1)} | ${cell("sync", c, "rssMb", "MB", 1)} | ${cell("rate", c, "perSecond", "/s")} | ${cell("big", c, "syncMs", "ms")} | ${cell("big", c, "syncPeakRssMb", "MB")} | ${cell("big", c, "relistPeakRssMb", "MB")} |`,
  );
  const markdown = [
    "## Informer",
    "",
    `\`node --import tsx bench/rooms/informer.ts${quick ? " --quick" : ""}\`: each cell is the median of ${REPS} fresh processes ` +
      "(100 000 pods: one), against a local HTTPS fake server in its own process. Pods are ~5 KB with managedFields; " +
      "ratios are to the floor. Heap and RSS are growth over the process's baseline after two forced GCs; peaks are " +
      "sampled every 5 ms. The floor and kubegen's paginated list use pages of 500. Watch rate: 50 000 MODIFIED events " +
      "applied to the cache and delivered to an update handler. Relist: the watch gets 410 Gone after the 100 000-pod sync; " +
      "the peak is the RSS growth during the relist (the floor lists into a new Map and swaps; kubegen writes over its store in place).",
    "",
    "| client | sync 10 000 pods | heap after sync + GC | RSS after sync + GC | watch events | sync 100 000 pods | peak RSS (100 000) | peak RSS during relist |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "The store keeps the parsed objects as received (no copy, no serialized form); `transform` can drop fields such as `managedFields` before they are stored.",
  ].join("\n");
  await writeRoomSection("informer", markdown);
  process.stdout.write(`${markdown}\n`);
}

await main();
