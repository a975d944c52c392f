/** Memory: RSS and heap growth of a list kept in an array, and of pagination that keeps nothing. */
import { join } from "node:path";
import { CLIENTS, type ClientName } from "../clients.js";
import {
  LIST_PODS,
  PAGE_SIZE,
  PAGINATE_PODS,
  SETTINGS,
  SMALL_PAGE,
  job,
  podSize,
} from "../settings.js";
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
} from "../support.js";
import type { MemoryResult } from "../worker.js";

export async function memorySection(server: string, caFile: string) {
  const list = perClient<MemoryResult>();
  const paginate = perClient<MemoryResult>();
  const paginateSmall = perClient<MemoryResult>();
  const plan = [
    ["mem-list", PAGE_SIZE, list],
    ["mem-paginate", PAGE_SIZE, paginate],
    ["mem-paginate", SMALL_PAGE, paginateSmall],
  ] as const;
  for (let r = 0; r < SETTINGS.memReps; r++) {
    for (const client of rotated(CLIENTS, r)) {
      progress(`memory ${r + 1}/${SETTINGS.memReps}: ${client}`);
      for (const [mode, pageSize, into] of plan) {
        const j = { ...job(client, mode, server, caFile), pageSize };
        into[client].push(
          await runJson<MemoryResult>([join(JS, "bench/worker.js")], {
            BENCH_JOB: JSON.stringify(j),
          }),
        );
      }
    }
  }
  return { list, paginate, paginateSmall };
}

export type MemoryResults = Awaited<ReturnType<typeof memorySection>>;

export function memoryFindings(mem: MemoryResults, { sections, verdicts, notes }: Findings): void {
  const rows: string[][] = [];
  const listGrowth = (c: ClientName) => median(mem.list[c].map((m) => m.rssGrowthMb));
  for (const c of CLIENTS) {
    const l = mem.list[c];
    const p = mem.paginate[c];
    const small = mem.paginateSmall[c];
    rows.push([
      LABEL[c],
      `${fmt(listGrowth(c), 1)} MB`,
      c === "undici" ? "1.00×" : ratio(listGrowth(c) / listGrowth("undici")),
      `${fmt(median(l.map((m) => m.heapRetainedMb)), 1)} MB`,
      `${fmt(median(p.map((m) => m.rssGrowthMb)), 1)} MB`,
      `${fmt(Math.max(...p.map((m) => m.rssGrowthMb)), 1)} MB`,
      `${fmt(median(p.map((m) => m.ms)))} ms`,
      `${fmt(median(small.map((m) => m.rssGrowthMb)), 1)} MB`,
    ]);
  }
  // The target is about the iterator as shipped: runtime/paginate.ts pages by SMALL_PAGE by default.
  const worst = Math.max(...mem.paginateSmall.kubegen.map((m) => m.rssGrowthMb));
  verdicts.push(
    verdict(
      `kubegen ≤ 1.15× raw undici: list ${fmt(LIST_PODS)} pods (peak RSS growth)`,
      listGrowth("kubegen") / listGrowth("undici"),
      1.15,
      (n) => n.toFixed(3),
      "×",
    ),
  );
  verdicts.push(
    verdict(
      `paginate ${fmt(PAGINATE_PODS)} pods, default page size (${SMALL_PAGE}): RSS growth < 64 MB (worst run)`,
      worst,
      64,
      (n) => n.toFixed(1),
      " MB",
    ),
  );
  const rawGrowth = median(mem.paginate.undici.map((m) => m.rssGrowthMb));
  if (rawGrowth >= 64) {
    notes.push(
      `Paginating ${fmt(PAGINATE_PODS)} pods in pages of ${PAGE_SIZE} grows RSS by ${fmt(rawGrowth, 1)} MB with raw undici too: ` +
        `one page is ${fmt((podSize * PAGE_SIZE) / 1024 / 1024, 1)} MB of JSON plus its parsed objects, and V8 lets several pages of garbage ` +
        `accumulate before a major GC. The growth follows the page size ` +
        `(pages of ${SMALL_PAGE}: kubegen ${fmt(median(mem.paginateSmall.kubegen.map((m) => m.rssGrowthMb)), 1)} MB).`,
    );
  }
  sections.push(
    `### Memory (fresh process per client and run; median of ${SETTINGS.memReps}, paginate also worst)\n\n` +
      `List: ${fmt(LIST_PODS)} pods in pages of ${PAGE_SIZE}, all kept in an array. Paginate: ${fmt(PAGINATE_PODS)} pods through ` +
      "an iterator (kubegen: `paginateNamespacedPod`; the others: a `continue` loop yielding one page at a time), nothing kept. " +
      "Growth is peak RSS (sampled, and the process's maxRSS) above the RSS just before the scenario, after one warm-up call. " +
      `The last column paginates the same ${fmt(PAGINATE_PODS)} pods in pages of ${SMALL_PAGE}.\n\n` +
      table(
        [
          "client",
          "list: peak RSS growth",
          "ratio",
          "list: heap retained",
          `paginate ${PAGE_SIZE}/page: RSS growth`,
          "worst",
          "time",
          `paginate ${SMALL_PAGE}/page: RSS growth`,
        ],
        rows,
      ),
  );
}
