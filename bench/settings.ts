/** What `npm run bench` was asked for (see bench/run.ts), and the workload every section shares. */
import { join } from "node:path";
import type { ClientName } from "./clients.js";
import { makePod } from "./fixtures.js";
import { ROOT } from "./report.js";
import type { Job } from "./worker.js";

export const SECTIONS = ["runtime", "memory", "cold", "generate", "typecheck", "size"] as const;
type Section = (typeof SECTIONS)[number];

const argv = process.argv.slice(2);
export const quick = argv.includes("--quick");
/** Rewrites the main part only; the rooms' sections stay as they are. */
export const noRooms = argv.includes("--no-rooms");
const onlyAt = argv.findIndex((a) => a === "--only" || a.startsWith("--only="));
const onlyValue =
  onlyAt === -1
    ? undefined
    : argv[onlyAt].startsWith("--only=")
      ? argv[onlyAt].slice(7)
      : argv[onlyAt + 1];
export const only = onlyValue === undefined ? undefined : new Set(onlyValue.split(","));
for (const s of only ?? [])
  if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section ${s}`);
export const runs = (s: Section) => !only || only.has(s);

export const SETTINGS = quick
  ? {
      runtimeReps: 2,
      durationMs: 600,
      warmMs: 200,
      listRepeats: 3,
      memReps: 1,
      coldReps: 5,
      genReps: 3,
      tscReps: 3,
    }
  : {
      runtimeReps: 5,
      durationMs: 1200,
      warmMs: 300,
      listRepeats: 5,
      memReps: 3,
      coldReps: 21,
      genReps: 5,
      tscReps: 5,
    };
export const LIST_PODS = 5_000;
export const PAGINATE_PODS = 50_000;
export const WATCH_EVENTS = 50_000;
export const PAGE_SIZE = 500;
/** kubegen's default page size; a run at PAGE_SIZE shows the growth follows the page size. */
export const SMALL_PAGE = 100;
export const KUBERNETES = "1.36.3";
export const podSize = JSON.stringify(makePod(1)).length;
export const CACHE_DIR = process.env.KUBEGEN_CACHE_DIR ?? join(ROOT, ".cache");

export function job(client: ClientName, mode: Job["mode"], server: string, caFile: string): Job {
  return {
    client,
    mode,
    server,
    caFile,
    durationMs: SETTINGS.durationMs,
    warmMs: SETTINGS.warmMs,
    listRepeats: SETTINGS.listRepeats,
    watchEvents: WATCH_EVENTS,
    listPods: LIST_PODS,
    paginatePods: PAGINATE_PODS,
    pageSize: PAGE_SIZE,
  };
}
