/** Cold start: a fresh process imports the client and makes its first call. */
import { join } from "node:path";
import { CLIENTS, type ClientName } from "../clients.js";
import { SETTINGS } from "../settings.js";
import {
  JS,
  LABEL,
  fmt,
  median,
  perClient,
  progress,
  rotated,
  runJson,
  table,
  verdict,
  type Findings,
  type PerClient,
} from "../support.js";

export interface Cold {
  importMs: number;
  totalMs: number;
  sinceProcessStartMs: number;
  wallMs: number;
}

export async function coldSection(server: string, caFile: string): Promise<PerClient<Cold>> {
  const out = perClient<Cold>();
  const once = (client: ClientName) =>
    runJson<Cold>([join(JS, "bench/cold-start.js")], {
      BENCH_COLD: JSON.stringify({ client, server, caFile }),
    });
  // Unmeasured: fills the file cache for each client's modules.
  for (const client of CLIENTS) await once(client);
  for (let r = 0; r < SETTINGS.coldReps; r++) {
    progress(`cold start ${r + 1}/${SETTINGS.coldReps}`);
    for (const client of rotated(CLIENTS, r)) out[client].push(await once(client));
  }
  return out;
}

export function coldFindings(cold: PerClient<Cold>, { sections, verdicts }: Findings): void {
  const total = (c: ClientName) => median(cold[c].map((x) => x.totalMs));
  const rows = CLIENTS.map((c) => [
    LABEL[c],
    `${fmt(median(cold[c].map((x) => x.importMs)), 1)} ms`,
    `${fmt(total(c), 1)} ms`,
    c === "undici"
      ? "–"
      : `${total(c) - total("undici") >= 0 ? "+" : ""}${fmt(total(c) - total("undici"), 1)} ms`,
    `${fmt(median(cold[c].map((x) => x.wallMs)), 0)} ms`,
  ]);
  verdicts.push(
    verdict(
      "import + first call ≤ raw undici + 50 ms",
      total("kubegen") - total("undici"),
      50,
      (n) => n.toFixed(1),
      " ms",
    ),
  );
  sections.push(
    `### Cold start (fresh node process each, compiled JavaScript, median of ${SETTINGS.coldReps})\n\n` +
      "Import: dynamic import of the client's modules. Import + first call: until the first GET of a pod has been parsed " +
      "(includes the TCP + TLS handshake). Process wall: spawn to exit, including node's own startup.\n\n" +
      table(["client", "import", "import + first call", "vs raw undici", "process wall"], rows),
  );
}
