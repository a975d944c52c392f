/**
 * One leader-election candidate, run as its own process by leader.test.ts. While it leads it
 * writes `<identity>#<term>` into a ledger ConfigMap with optimistic concurrency, so that two
 * leaders at once would show up in the ledger's history. Prints JSON lines; SIGTERM stops it
 * cleanly (releasing the lease).
 */
import {
  readNamespacedConfigMap,
  replaceNamespacedConfigMap,
} from "../../generated/core/v1/index.js";
import { leaderElection } from "../../runtime/controller/index.js";
import { createClient, isConflict } from "../../runtime/index.js";

const config = JSON.parse(process.env.KUBEGEN_LEADER ?? "{}") as {
  server: string;
  token: string;
  ca: string;
  namespace: string;
  lease: string;
  ledger: string;
  identity: string;
  /** "default": client-go's 15 s / 10 s / 2 s, the options left out; "short": 4 s / 3 s / 1 s. */
  timings: "default" | "short";
};
const say = (event: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(
    `${JSON.stringify({ event, identity: config.identity, t: Date.now(), ...extra })}\n`,
  );

const client = createClient({
  server: config.server,
  token: config.token,
  ca: config.ca,
  namespace: config.namespace,
});
let term = 0;
// A new value every time, so every write is a change the checker sees.
let writes = 0;
const election = leaderElection(client, {
  name: config.lease,
  identity: config.identity,
  ...(config.timings === "short" && {
    leaseDurationMs: 4000,
    renewDeadlineMs: 3000,
    retryPeriodMs: 1000,
  }),
  onError: (error) => say("error", { message: String(error) }),
  onStartedLeading: async (signal) => {
    const mark = `${config.identity}#${++term}`;
    say("leading", { mark });
    while (!signal.aborted) {
      try {
        const ledger = await readNamespacedConfigMap(client, { name: config.ledger }, { signal });
        if (signal.aborted) break;
        await replaceNamespacedConfigMap(
          client,
          {
            name: config.ledger,
            body: { ...ledger, data: { holder: mark, seq: String(++writes) } },
          },
          { signal },
        );
        say("wrote", { mark });
      } catch (error) {
        if (signal.aborted) break;
        // Only a second writer (a second leader) can make this write conflict.
        say(isConflict(error) ? "conflict" : "error", { message: String(error) });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    say("stopped-leading", { mark });
  },
});
say("started");
process.on("SIGTERM", async () => {
  await election.stop();
  say("exited");
  await client.close();
  process.exit(0);
});
