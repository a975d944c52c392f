/**
 * Leader election between three candidate processes on the real apiserver: at most one leader
 * at any moment (checked through a ledger only leaders write, with optimistic concurrency),
 * SIGKILL of the leader hands over within leaseDuration + retryPeriod, a clean stop within
 * retryPeriod.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespacedConfigMap,
  watchNamespacedConfigMap,
} from "../../generated/core/v1/index.js";
import { readNamespacedLease } from "../../generated/coordination.k8s.io/v1/index.js";
import { microTime } from "../../runtime/controller/index.js";
import type { Client } from "../../runtime/index.js";
import { useCluster } from "./cluster.js";
import { adminClient, eventually, testNamespace } from "./support.js";

// Short timings keep the suite quick; client-go's defaults (15 s / 10 s / 2 s) are run too, since
// they are what a program gets without options.
const TIMINGS = [
  { name: "short timings (lease 4 s, retry 1 s)", timings: "short", leaseMs: 4000, retryMs: 1000 },
  {
    name: "the defaults (lease 15 s, retry 2 s)",
    timings: "default",
    leaseMs: 15000,
    retryMs: 2000,
  },
] as const;

interface Line {
  event: string;
  identity: string;
  t: number;
  mark?: string;
  message?: string;
}

describe("leader election", () => {
  let client: Client;
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  const procs: ChildProcess[] = [];
  beforeAll(async () => {
    client = adminClient();
    ns = await testNamespace(client, "leader");
  });
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
    await ns?.remove();
    await client?.close();
  });

  it("MicroTime has six fractional digits", () => {
    expect(microTime(new Date("2026-01-02T03:04:05.678Z"))).toBe("2026-01-02T03:04:05.678000Z");
  });

  for (const { name, timings, leaseMs: LEASE_MS, retryMs: RETRY_MS } of TIMINGS)
    it(`three processes with ${name}: one leader at a time, SIGKILL and clean-stop handovers in time`, async () => {
      const cluster = useCluster();
      const ledgerName = `ledger-${timings}`;
      await createNamespacedConfigMap(client, {
        namespace: ns.name,
        body: { metadata: { name: ledgerName } },
      });
      // The checker: every write to the ledger, in the order the server applied them.
      const ledger: string[] = [];
      const abort = new AbortController();
      const watching = (async () => {
        try {
          for await (const e of watchNamespacedConfigMap(
            client,
            { namespace: ns.name, fieldSelector: `metadata.name=${ledgerName}` },
            { signal: abort.signal },
          )) {
            if (e.type === "MODIFIED" && e.object.data?.holder) ledger.push(e.object.data.holder);
          }
        } catch (error) {
          if (!abort.signal.aborted) throw error;
        }
      })();

      const lines: Line[] = [];
      const byName = new Map<string, ChildProcess>();
      for (const identity of ["candidate-a", "candidate-b", "candidate-c"]) {
        const child = spawn(process.execPath, ["--import", "tsx", "test/e2e/leader-candidate.ts"], {
          env: {
            ...process.env,
            KUBEGEN_LEADER: JSON.stringify({
              server: cluster.server,
              token: cluster.adminToken,
              ca: cluster.caPem,
              namespace: ns.name,
              lease: `leader-${timings}`,
              ledger: ledgerName,
              identity,
              timings,
            }),
          },
          stdio: ["ignore", "pipe", "inherit"],
        });
        procs.push(child);
        byName.set(identity, child);
        createInterface({ input: child.stdout! }).on("line", (l) =>
          lines.push(JSON.parse(l) as Line),
        );
      }
      const leaders = () => lines.filter((l) => l.event === "leading");
      const waitLeaders = (n: number, timeoutMs: number) =>
        eventually(
          `${n} leadership(s)`,
          async () => (leaders().length >= n ? leaders()[n - 1] : undefined),
          timeoutMs,
        );

      const first = await waitLeaders(1, 60_000);
      await new Promise((r) => setTimeout(r, 3000)); // the others keep trying meanwhile
      expect(leaders()).toHaveLength(1);
      const lease = await readNamespacedLease(client, {
        namespace: ns.name,
        name: `leader-${timings}`,
      });
      expect(lease.spec?.holderIdentity).toBe(first.identity);
      expect(lease.spec?.renewTime).toMatch(/\.\d{6}Z$/);

      // SIGKILL: no release; the lease must expire first.
      const killedAt = Date.now();
      byName.get(first.identity)!.kill("SIGKILL");
      const second = await waitLeaders(2, LEASE_MS + RETRY_MS + 15_000);
      const killHandover = second.t - killedAt;
      expect(second.identity).not.toBe(first.identity);
      await new Promise((r) => setTimeout(r, 2000));

      // Clean stop: the lease is released, the last candidate takes it at its next try.
      const stoppedAt = Date.now();
      byName.get(second.identity)!.kill("SIGTERM");
      const third = await waitLeaders(3, RETRY_MS + 10_000);
      const exited = lines.find((l) => l.event === "exited" && l.identity === second.identity)!;
      const stopHandover = third.t - stoppedAt;
      const afterRelease = third.t - exited.t;
      await new Promise((r) => setTimeout(r, 1500));
      abort.abort();
      await watching;

      process.stdout.write(
        `[leader ${timings}] handover after SIGKILL ${killHandover} ms (limit ${LEASE_MS + RETRY_MS}), ` +
          `after SIGTERM ${stopHandover} ms (${afterRelease} ms after the release; limit ${RETRY_MS}); ledger writes ${ledger.length}\n`,
      );
      expect(killHandover).toBeLessThanOrEqual(LEASE_MS + RETRY_MS);
      expect(afterRelease).toBeLessThanOrEqual(RETRY_MS);
      expect(third.identity).not.toBe(second.identity);
      expect(third.identity).not.toBe(first.identity);
      // At most one leader at every moment: once another leader has written, an earlier leader's
      // mark never appears again, and no leader's write ever lost a race.
      const finished = new Set<string>();
      for (let i = 0; i < ledger.length; i++) {
        expect(finished.has(ledger[i]), `${ledger[i]} wrote after a successor`).toBe(false);
        if (i > 0 && ledger[i] !== ledger[i - 1]) finished.add(ledger[i - 1]);
      }
      expect(new Set(ledger)).toEqual(new Set([first.mark, second.mark, third.mark]));
      expect(ledger.length).toBeGreaterThan(20);
      expect(lines.filter((l) => l.event === "conflict")).toEqual([]);
      // Leading intervals from the processes' own reports do not overlap either.
      const end = (l: Line) =>
        lines.find((x) => x.event === "stopped-leading" && x.mark === l.mark)?.t ??
        (l === first ? killedAt : Infinity);
      expect(end(first)).toBeLessThanOrEqual(second.t);
      expect(end(second)).toBeLessThanOrEqual(third.t);
    }, 150_000);
});
