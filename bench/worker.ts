/**
 * Runs one scenario for one client in a process of its own, so clients never share a heap or a JIT,
 * and prints one JSON line of results. Started by run.ts with BENCH_JOB set; see Job.
 */
import { readFileSync } from "node:fs";
import { podToCreate } from "./fixtures.js";
import { createAdapter, listAll, type Adapter, type ClientName } from "./clients.js";

export interface Job {
  client: ClientName;
  /** A runtime scenario, or a memory measurement. */
  mode: Scenario | "mem-list" | "mem-paginate";
  server: string;
  caFile: string;
  /** Measuring time of each throughput scenario, after warmMs of warm-up. */
  durationMs: number;
  warmMs: number;
  listRepeats: number;
  watchEvents: number;
  listPods: number;
  paginatePods: number;
  pageSize: number;
}

export interface Throughput {
  ops: number;
  opsPerSec: number;
  /** Client CPU (user + system) per operation, µs. */
  cpuUsPerOp: number;
  /** TLS connections the server accepted during the measurement. */
  connections: number;
  /** Server CPU per operation, µs. */
  serverCpuUsPerOp: number;
}

export interface ListResult {
  ms: number;
  cpuMs: number;
  connections: number;
}

export type Scenario = "getSeq" | "get32" | "create" | "list" | "watch";

export interface MemoryResult {
  ms: number;
  /** Peak RSS above the RSS measured just before the scenario, MB. */
  rssGrowthMb: number;
  /** Heap still in use when the scenario ends (the list kept, or nothing), MB above the start. */
  heapRetainedMb: number;
  items: number;
}

const job = JSON.parse(process.env.BENCH_JOB ?? "{}") as Job;
const { Agent, request } = await import("undici");
const statsAgent = new Agent({ connect: { ca: readFileSync(job.caFile, "utf8") } });

/** Connections and requests the server saw since the previous call. */
async function serverStats(): Promise<{ connections: number; requests: number; cpuMs: number }> {
  const res = await request(`${job.server}/_bench/stats`, { dispatcher: statsAgent });
  return (await res.body.json()) as { connections: number; requests: number; cpuMs: number };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `op` from `concurrency` loops for warmMs (discarded), then for durationMs. */
async function throughput(
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<Throughput> {
  const run = async (ms: number) => {
    const deadline = performance.now() + ms;
    let count = 0;
    const loop = async () => {
      while (performance.now() < deadline) await op(count++);
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    return count;
  };
  await run(job.warmMs);
  await serverStats();
  const cpu0 = cpuMs();
  const t0 = performance.now();
  const ops = await run(job.durationMs);
  const elapsed = performance.now() - t0;
  const cpu = cpuMs() - cpu0;
  const server = await serverStats();
  return {
    ops,
    opsPerSec: (ops / elapsed) * 1000,
    cpuUsPerOp: (cpu * 1000) / ops,
    connections: server.connections,
    serverCpuUsPerOp: (server.cpuMs * 1000) / ops,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function list(adapter: Adapter): Promise<ListResult> {
  const namespace = `list-${job.listPods}`;
  await listAll(adapter, namespace, job.pageSize);
  await serverStats();
  const times: number[] = [];
  const cpu0 = cpuMs();
  for (let r = 0; r < job.listRepeats; r++) {
    const t0 = performance.now();
    const items = await listAll(adapter, namespace, job.pageSize);
    times.push(performance.now() - t0);
    if (items.length !== job.listPods)
      throw new Error(`listed ${items.length} pods, expected ${job.listPods}`);
  }
  return {
    ms: median(times),
    cpuMs: (cpuMs() - cpu0) / job.listRepeats,
    connections: (await serverStats()).connections,
  };
}

async function watch(adapter: Adapter): Promise<Throughput> {
  await adapter.watch("watch-2000");
  await serverStats();
  const cpu0 = cpuMs();
  const t0 = performance.now();
  const events = await adapter.watch(`watch-${job.watchEvents}`);
  const elapsed = performance.now() - t0;
  const cpu = cpuMs() - cpu0;
  if (events !== job.watchEvents)
    throw new Error(`watched ${events} events, expected ${job.watchEvents}`);
  const server = await serverStats();
  return {
    ops: events,
    opsPerSec: (events / elapsed) * 1000,
    cpuUsPerOp: (cpu * 1000) / events,
    connections: server.connections,
    serverCpuUsPerOp: (server.cpuMs * 1000) / events,
  };
}

const bodies = Array.from({ length: 64 }, (_, i) => podToCreate(i));
const SCENARIOS: Record<Scenario, (adapter: Adapter) => Promise<Throughput | ListResult>> = {
  getSeq: (adapter) => throughput(1, (i) => adapter.getPod(`pod-${i % 100}`)),
  get32: (adapter) => throughput(32, (i) => adapter.getPod(`pod-${i % 100}`)),
  create: (adapter) => throughput(1, (i) => adapter.create(bodies[i % bodies.length])),
  list,
  watch,
};

/** Fresh process, one scenario: how far RSS climbs while listing (kept) or paginating (dropped). */
async function memory(adapter: Adapter, keep: boolean): Promise<MemoryResult> {
  await adapter.getPod("warm-up");
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const rss0 = process.memoryUsage.rss();
  const heap0 = process.memoryUsage().heapUsed;
  let peak = rss0;
  const t0 = performance.now();
  let items = 0;
  let kept: unknown[] = [];
  if (keep) {
    kept = await listAll(adapter, `list-${job.listPods}`, job.pageSize);
    items = kept.length;
    peak = Math.max(peak, process.memoryUsage.rss());
  } else {
    for await (const pod of adapter.paginate(`list-${job.paginatePods}`, job.pageSize)) {
      if (pod.metadata?.name) items++;
      if (items % 250 === 0) peak = Math.max(peak, process.memoryUsage.rss());
    }
  }
  const ms = performance.now() - t0;
  // maxRSS covers spikes between samples; it is a lifetime peak, but the start was measured after startup.
  peak = Math.max(peak, process.resourceUsage().maxRSS * 1024, process.memoryUsage.rss());
  const heapRetainedMb = mb(process.memoryUsage().heapUsed - heap0);
  // Read after the heap figure, so the kept list is still alive when it is taken.
  if (keep && kept.length !== job.listPods)
    throw new Error(`listed ${kept.length} pods, expected ${job.listPods}`);
  if (!keep && items !== job.paginatePods)
    throw new Error(`paginated ${items} pods, expected ${job.paginatePods}`);
  return { ms, rssGrowthMb: mb(peak - rss0), heapRetainedMb, items };
}

const adapter = await createAdapter(job.client, {
  server: job.server,
  ca: readFileSync(job.caFile, "utf8"),
});
const result =
  job.mode === "mem-list" || job.mode === "mem-paginate"
    ? await memory(adapter, job.mode === "mem-list")
    : await SCENARIOS[job.mode](adapter);
process.stdout.write(`${JSON.stringify(result)}\n`);
// Some clients keep sockets (and agents) alive; the measurement is done.
process.exit(0);
