/** Runtime: throughput of single calls, creates and a watch, and one list, per client. */
import { join } from "node:path";
import { CLIENTS, type ClientName } from "../clients.js";
import { LIST_PODS, PAGE_SIZE, SETTINGS, WATCH_EVENTS, job } from "../settings.js";
import type { Machine } from "../setup.js";
import {
  JS,
  LABEL,
  fmt,
  median,
  perClient,
  progress,
  ratio,
  rotated,
  runJson,
  table,
  verdict,
  type Findings,
  type PerClient,
} from "../support.js";
import type { ListResult, Scenario, Throughput } from "../worker.js";

export interface RuntimeResults {
  getSeq: PerClient<Throughput>;
  get32: PerClient<Throughput>;
  create: PerClient<Throughput>;
  watch: PerClient<Throughput>;
  list: PerClient<ListResult>;
}

/** Scenario by scenario, repetition by repetition, client by client: neighbours in time share the machine's mood. */
export async function runtimeSection(server: string, caFile: string): Promise<RuntimeResults> {
  const out: RuntimeResults = {
    getSeq: perClient(),
    get32: perClient(),
    create: perClient(),
    watch: perClient(),
    list: perClient(),
  };
  for (const scenario of Object.keys(out) as Scenario[]) {
    for (let r = 0; r < SETTINGS.runtimeReps; r++) {
      progress(`${scenario} ${r + 1}/${SETTINGS.runtimeReps}`);
      for (const client of rotated(CLIENTS, r)) {
        const j = job(client, scenario, server, caFile);
        const result = await runJson<Throughput & ListResult>([join(JS, "bench/worker.js")], {
          BENCH_JOB: JSON.stringify(j),
        });
        (out[scenario][client] as unknown[]).push(result);
      }
    }
  }
  return out;
}

export function runtimeFindings(
  rt: RuntimeResults,
  info: Machine,
  { sections, verdicts, notes }: Findings,
): void {
  const tput: [string, PerClient<Throughput>, string][] = [
    ["GET one pod, sequential", rt.getSeq, "ops/s"],
    ["GET one pod, 32 in flight", rt.get32, "ops/s"],
    [`Watch ${fmt(WATCH_EVENTS)} events`, rt.watch, "events/s"],
    ["Create pod, sequential", rt.create, "ops/s"],
  ];
  const rows: string[][] = [];
  for (const [name, results, unit] of tput) {
    const ops = (c: ClientName) => median(results[c].map((r) => r.opsPerSec));
    const cpu = (c: ClientName) => median(results[c].map((r) => r.cpuUsPerOp));
    for (const c of CLIENTS) {
      const conns = results[c].reduce((n, r) => n + r.connections, 0);
      const reqs = results[c].reduce((n, r) => n + r.ops, 0);
      rows.push([
        c === "undici" ? `**${name}**` : "",
        LABEL[c],
        `${fmt(ops(c))} ${unit}`,
        c === "undici" ? "1.00×" : ratio(ops("undici") / ops(c)),
        fmt(cpu(c)),
        c === "undici" ? "1.00×" : ratio(cpu(c) / cpu("undici")),
        fmt(median(results[c].map((r) => r.serverCpuUsPerOp))),
        fmt((conns / reqs) * 1000, unit === "events/s" ? 2 : 0),
      ]);
      if (c === "kubegen") {
        const v = verdict(
          `kubegen ≤ 1.15× raw undici: ${name}`,
          ops("undici") / ops(c),
          1.15,
          (n) => n.toFixed(3),
          "×",
        );
        verdicts.push({
          ...v,
          detail: `${v.detail} (client CPU per operation: ${ratio(cpu(c) / cpu("undici"))})`,
        });
      }
      if (
        c === "client-node" &&
        conns / reqs > 0.5 &&
        unit !== "events/s" &&
        !notes.some((n) => n.includes("TLS connection"))
      ) {
        notes.push(
          `client-node ${info.versions.clientNode} opened about one TLS connection per request (column "conn./1k req"): ` +
            "with a CA configured, `KubeConfig.applySecurityAuthentication` builds a new undici Agent for every call, so every " +
            "request pays a TCP + TLS handshake, on the client and on the server (server CPU column).",
        );
      }
    }
  }
  const listMs = (c: ClientName) => median(rt.list[c].map((r) => r.ms));
  const listCpu = (c: ClientName) => median(rt.list[c].map((r) => r.cpuMs));
  for (const c of CLIENTS) {
    rows.push([
      c === "undici" ? `**List ${fmt(LIST_PODS)} pods, pages of ${PAGE_SIZE}**` : "",
      LABEL[c],
      `${fmt(listMs(c))} ms`,
      c === "undici" ? "1.00×" : ratio(listMs(c) / listMs("undici")),
      `${fmt(listCpu(c))} ms`,
      c === "undici" ? "1.00×" : ratio(listCpu(c) / listCpu("undici")),
      "",
      "",
    ]);
  }
  const lv = verdict(
    `kubegen ≤ 1.15× raw undici: list ${fmt(LIST_PODS)} pods (time)`,
    listMs("kubegen") / listMs("undici"),
    1.15,
    (n) => n.toFixed(3),
    "×",
  );
  verdicts.push({
    ...lv,
    detail: `${lv.detail} (client CPU: ${ratio(listCpu("kubegen") / listCpu("undici"))})`,
  });
  sections.push(
    `### Runtime (median of ${SETTINGS.runtimeReps} runs, a fresh process per client, scenario and run)\n\n` +
      "Ratio: cost relative to raw undici (raw ops/s ÷ client ops/s, or client time ÷ raw time); above 1 is slower. " +
      "CPU: the client process's user+system CPU per operation (µs) or per list (ms), which other load on the machine disturbs less than wall time; " +
      "server CPU: the test server's, per operation. conn./1k req: TLS connections the server accepted per 1 000 requests after warm-up.\n\n" +
      table(
        [
          "scenario",
          "client",
          "median",
          "ratio",
          "CPU µs/op",
          "CPU ratio",
          "server CPU µs/op",
          "conn./1k req",
        ],
        rows,
      ),
  );
}
