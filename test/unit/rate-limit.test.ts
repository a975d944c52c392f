/** Client-side rate limiting: token bucket per client, off by default. */
import { describe, expect, it } from "vitest";
import { send } from "../../runtime/index.js";
import { tokenBucket } from "../../runtime/ratelimit.js";
import { caught, json, useHttpsServer } from "./support/https-server.js";

const harness = useHttpsServer();
const client = harness.client;

function answerWithTimes(): number[] {
  const times: number[] = [];
  harness.server.handle((_req, res) => {
    times.push(performance.now());
    json(res, 200, { kind: "Status", status: "Success" });
  });
  return times;
}

describe("rate limit", () => {
  it("lets a burst through at once, then spaces requests at 1/qps", async () => {
    const times = answerWithTimes();
    const c = client({ rateLimit: { qps: 20, burst: 2 } });
    const started = performance.now();
    await Promise.all(Array.from({ length: 6 }, () => send(c, "GET", "/api/v1/pods", {})));
    const elapsed = performance.now() - started;
    // 2 at once, then 4 more at 50 ms intervals: about 200 ms in all.
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1000);
    // The k-th request to arrive cannot have left before the k-th token: (k - 1) · 50 ms after the start.
    times.sort((a, b) => a - b);
    for (let k = 2; k < times.length; k++)
      expect(times[k] - started).toBeGreaterThanOrEqual((k - 1) * 50 - 2);
  });

  it("is off by default, and each client has its own bucket", async () => {
    answerWithTimes();
    const free = client();
    let started = performance.now();
    await Promise.all(Array.from({ length: 20 }, () => send(free, "GET", "/api/v1/pods", {})));
    // client-go's default (5 qps, burst 10) would need 2 s for these.
    expect(performance.now() - started).toBeLessThan(1500);

    const a = client({ rateLimit: { qps: 2, burst: 1 } });
    const b = client({ rateLimit: { qps: 2, burst: 1 } });
    await send(a, "GET", "/api/v1/pods", {});
    started = performance.now();
    await send(b, "GET", "/api/v1/pods", {}); // b's token is untouched by a's request
    expect(performance.now() - started).toBeLessThan(100);
    await send(a, "GET", "/api/v1/pods", {}); // a waits ~500 ms for its next token
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
  });

  it("an aborted wait rejects at once and gives its token back", async () => {
    let t = 0;
    const take = tokenBucket({ qps: 1, burst: 1 }, () => t);
    await take();
    const controller = new AbortController();
    const waiting = take(controller.signal);
    controller.abort(new Error("stop"));
    expect(((await caught(waiting)) as Error).message).toBe("stop");
    t = 1000; // one token refilled: available at once, since the aborted waiter returned its reservation
    const before = performance.now();
    await take();
    expect(performance.now() - before).toBeLessThan(50);
  });

  it("rejects nonsense settings", () => {
    expect(() => client({ rateLimit: { qps: 0 } })).toThrow(/qps must be a positive number/);
    expect(() => client({ rateLimit: { qps: 5, burst: 0.5 } })).toThrow(
      /burst must be a whole number/,
    );
  });
});
