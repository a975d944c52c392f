/** Contract tests of watch(): framing, resuming from the last resourceVersion, errors, closing. */
import type { ServerResponse } from "node:http";
import { setImmediate as tick } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { isGone, KubeError, watch, type WatchEvent } from "../../runtime/index.js";
import { reconnectDelay, splitLines } from "../../runtime/watch.js";
import { caught, json, useHttpsServer, status, within } from "./support/https-server.js";

const harness = useHttpsServer();
const client = harness.client;

interface Pod {
  kind?: string;
  metadata: { name?: string; resourceVersion?: string };
}

const PODS = "/api/v1/namespaces/{namespace}/pods";
const pod = (name: string, rv: string): Pod => ({
  kind: "Pod",
  metadata: { name, resourceVersion: rv },
});
const line = (type: string, object: unknown) => `${JSON.stringify({ type, object })}\n`;
/** The object of an ADDED/MODIFIED/DELETED/BOOKMARK event, as a Pod. */
const obj = (e: WatchEvent<Pod>) => e.object as Pod;
const bookmark = (rv: string) =>
  line("BOOKMARK", { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: rv } });

/** Starts a watch response; the stream stays open until the test ends it. */
function stream(res: ServerResponse, ...lines: string[]): void {
  res.writeHead(200, { "content-type": "application/json" });
  for (const l of lines) res.write(l);
}

/** Collects `count` events, then leaves the loop (which must close the connection). */
async function take<T>(
  events: AsyncIterable<WatchEvent<T>>,
  count: number,
): Promise<WatchEvent<T>[]> {
  const out: WatchEvent<T>[] = [];
  if (count === 0) return out;
  for await (const e of events) {
    out.push(e);
    if (out.length === count) break;
  }
  return out;
}

/** Exactly one request was made, and the server saw its connection close. */
async function expectOneConnectionClosed(): Promise<void> {
  await within(
    harness.server.requests[0].socketClosed,
    2000,
    "the server to see the connection close",
  );
  expect(harness.server.requests).toHaveLength(1);
}

async function all<T>(events: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe("splitLines", () => {
  const text = '{"name":"plain"}\n\n{"name":"é-名前-🚀"}\n{"emoji":"👩‍👩‍👧"}\n{"last":"no newline ü"}';
  const bytes = Buffer.from(text, "utf8");
  const expected = [
    '{"name":"plain"}',
    '{"name":"é-名前-🚀"}',
    '{"emoji":"👩‍👩‍👧"}',
    '{"last":"no newline ü"}',
  ];

  async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
    for (const p of parts) yield p;
  }

  it("has multi-byte characters to split (guards the test itself)", () => {
    expect(bytes.length).toBeGreaterThan(text.length);
  });

  it("gives the same lines whatever the chunk boundaries: every single split point", async () => {
    for (let i = 0; i <= bytes.length; i++) {
      const lines = await all(splitLines(chunks(bytes.subarray(0, i), bytes.subarray(i))));
      expect(lines, `split at byte ${i}`).toEqual(expected);
    }
  });

  it("gives the same lines whatever the chunk boundaries: every pair of split points", async () => {
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const parts = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
        expect(await all(splitLines(chunks(...parts))), `split at ${i} and ${j}`).toEqual(expected);
      }
    }
  });

  it("gives the same lines one byte at a time, from plain Uint8Arrays too", async () => {
    const single = [...bytes].map((b) => new Uint8Array([b]));
    expect(await all(splitLines(chunks(...single)))).toEqual(expected);
  });
});

describe("watch", () => {
  it("yields newline-delimited JSON events in order, with watch=1 in the query", async () => {
    harness.server.handle((_req, res) =>
      // Two events in one write, a third split across writes.
      stream(
        res,
        line("ADDED", pod("a", "1")) + line("MODIFIED", pod("a", "2")),
        '{"type":"DELETED","obj',
        `ect":${JSON.stringify(pod("a", "3"))}}\n`,
      ),
    );
    const events = await take(watch<Pod>(client(), PODS, { labelSelector: "app=web" }), 3);
    expect(events).toEqual([
      { type: "ADDED", object: pod("a", "1") },
      { type: "MODIFIED", object: pod("a", "2") },
      { type: "DELETED", object: pod("a", "3") },
    ]);
    const [rec] = harness.server.requests;
    expect(rec.path).toBe("/api/v1/namespaces/default/pods");
    expect(rec.query.get("watch")).toBe("1");
    expect(rec.query.get("labelSelector")).toBe("app=web");
    expect(rec.query.has("resourceVersion")).toBe(false);
  });

  it("decodes a stream written one byte at a time, multi-byte characters included", async () => {
    const objects = [pod("ünïcödé-1", "1"), pod("名前-2", "2"), pod("rocket-🚀-3", "3")];
    const body = Buffer.from(objects.map((o) => line("ADDED", o)).join(""), "utf8");
    harness.server.handle(async (req, res) => {
      req.socket.setNoDelay(true);
      res.writeHead(200, { "content-type": "application/json" });
      for (const byte of body) {
        res.write(Buffer.from([byte]));
        await tick(); // one chunk per byte on the wire
      }
      res.end();
    });
    // timeoutSeconds: the iterator ends with the stream instead of reconnecting.
    const events = await all(watch<Pod>(client(), PODS, { timeoutSeconds: 30 }));
    expect(events).toEqual(objects.map((object) => ({ type: "ADDED", object })));
  });

  it("reconnects from the last resourceVersion when the server closes the stream, and continues", async () => {
    harness.server.handle((_req, res, rec) => {
      if (harness.server.requests.indexOf(rec) === 0) {
        stream(res, line("ADDED", pod("a", "101")), line("MODIFIED", pod("a", "102")));
        res.end();
      } else {
        stream(res, line("DELETED", pod("a", "103")));
      }
    });
    const seen: string[] = [];
    const events = await take(
      watch<Pod>(
        client(),
        PODS,
        { resourceVersion: "100", labelSelector: "app=web" },
        { onResourceVersion: (rv) => seen.push(rv) },
      ),
      3,
    );
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    expect(harness.server.requests).toHaveLength(2);
    expect(harness.server.requests[0].query.get("resourceVersion")).toBe("100");
    const second = harness.server.requests[1].query;
    expect(second.get("resourceVersion")).toBe("102");
    expect(second.getAll("resourceVersion")).toHaveLength(1);
    expect(second.get("watch")).toBe("1");
    expect(second.get("labelSelector")).toBe("app=web");
    expect(seen).toEqual(["101", "102", "103"]);
  });

  it("a BOOKMARK moves the resourceVersion the next connection starts from", async () => {
    harness.server.handle((_req, res, rec) => {
      if (harness.server.requests.indexOf(rec) === 0) {
        stream(res, line("ADDED", pod("a", "5")), bookmark("10"));
        res.end();
      } else {
        stream(res, line("MODIFIED", pod("a", "11")));
      }
    });
    const events = await take(watch<Pod>(client(), PODS, { allowWatchBookmarks: true }), 3);
    expect(events.map((e) => e.type)).toEqual(["ADDED", "BOOKMARK", "MODIFIED"]);
    expect(obj(events[1]).metadata.resourceVersion).toBe("10");
    expect(harness.server.requests[0].query.get("allowWatchBookmarks")).toBe("true");
    expect(harness.server.requests[1].query.get("resourceVersion")).toBe("10");
  });

  it("resumes after the connection breaks mid-stream", async () => {
    harness.server.handle((req, res, rec) => {
      if (harness.server.requests.indexOf(rec) === 0) {
        stream(res, line("ADDED", pod("a", "7")));
        setTimeout(() => req.socket.destroy(), 20);
      } else {
        stream(res, line("MODIFIED", pod("a", "8")));
      }
    });
    const events = await within(take(watch<Pod>(client(), PODS, {}), 2), 5000, "two events");
    expect(events.map((e) => obj(e).metadata.resourceVersion)).toEqual(["7", "8"]);
    expect(harness.server.requests[1].query.get("resourceVersion")).toBe("7");
  });

  it("throws an ERROR event with a 410 Status as a KubeError for which isGone is true, and closes", async () => {
    const expired = status(410, "Expired", "too old resource version: 5 (4711)");
    harness.server.handle((_req, res) =>
      stream(res, line("ADDED", pod("a", "5")), line("ERROR", expired)),
    );
    const received: WatchEvent<Pod>[] = [];
    const error = await caught(
      (async () => {
        for await (const e of watch<Pod>(client(), PODS, { resourceVersion: "4" }))
          received.push(e);
      })(),
    );
    expect(received.map((e) => e.type)).toEqual(["ADDED"]);
    expect(error).toBeInstanceOf(KubeError);
    expect(isGone(error)).toBe(true);
    expect(error).toMatchObject({ code: 410, reason: "Expired", verb: "WATCH" });
    expect((error as KubeError).message).toContain("too old resource version");
    // Not resumed: the caller has to list again.
    expect(harness.server.requests).toHaveLength(1);
    await within(
      harness.server.requests[0].socketClosed,
      2000,
      "the server to see the connection close",
    );
  });

  it("throws HTTP 410 at connect as isGone, without reconnecting", async () => {
    harness.server.handle((_req, res) =>
      json(res, 410, status(410, "Expired", "too old resource version: 1 (99)")),
    );
    const error = await caught(take(watch<Pod>(client(), PODS, { resourceVersion: "1" }), 1));
    expect(isGone(error)).toBe(true);
    expect((error as KubeError).code).toBe(410);
    expect(harness.server.requests).toHaveLength(1);
  });

  it("break closes the connection", async () => {
    harness.server.handle((_req, res) => stream(res, line("ADDED", pod("a", "1"))));
    const events = await take(watch<Pod>(client(), PODS, {}), 1);
    expect(events).toHaveLength(1);
    await expectOneConnectionClosed();
  });

  it("an AbortSignal ends the watch and closes the connection", async () => {
    harness.server.handle((_req, res) => stream(res, line("ADDED", pod("a", "1"))));
    const controller = new AbortController();
    const received: WatchEvent<Pod>[] = [];
    const error = await caught(
      (async () => {
        for await (const e of watch<Pod>(client(), PODS, {}, { signal: controller.signal })) {
          received.push(e);
          controller.abort();
        }
      })(),
    );
    expect(received).toHaveLength(1);
    expect((error as Error).name).toBe("AbortError");
    await expectOneConnectionClosed();
  });

  it("with timeoutSeconds, ends when the server ends the stream", async () => {
    harness.server.handle((_req, res) => {
      stream(res, line("ADDED", pod("a", "1")), line("ADDED", pod("b", "2")));
      res.end();
    });
    const events = await within(
      all(watch<Pod>(client(), PODS, { timeoutSeconds: 1 })),
      5000,
      "the watch to end",
    );
    expect(events.map((e) => obj(e).metadata.name)).toEqual(["a", "b"]);
    expect(harness.server.requests).toHaveLength(1);
    expect(harness.server.requests[0].query.get("timeoutSeconds")).toBe("1");
  });

  it("is not cut off by the client's call timeout", async () => {
    harness.server.handle((_req, res) => {
      stream(res);
      setTimeout(() => {
        res.write(line("ADDED", pod("late", "1")));
        res.end();
      }, 400);
    });
    const events = await all(watch<Pod>(client({ timeoutMs: 100 }), PODS, { timeoutSeconds: 30 }));
    expect(events.map((e) => obj(e).metadata.name)).toEqual(["late"]);
  });

  it("backs off instead of spinning when every stream closes at once without an event", async () => {
    // A proxy that cannot stream, or a server shutting down: 200, then an immediate end.
    harness.server.handle((_req, res) => {
      stream(res);
      res.end();
    });
    const controller = new AbortController();
    try {
      const started = performance.now();
      const error = await within(
        caught(
          take(watch<Pod>(client(), PODS, {}, { maxReconnects: 1, signal: controller.signal }), 1),
        ),
        3000,
        "the watch to give up",
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).not.toBe("AbortError");
      expect(harness.server.requests).toHaveLength(2);
      expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    } finally {
      controller.abort(); // stops a runaway loop if the assertion above failed
    }
  });

  it("gives up after maxReconnects consecutive failed connects", async () => {
    harness.server.handle((req) => req.socket.destroy());
    const error = await caught(
      take(watch<Pod>(client({ retry: false }), PODS, {}, { maxReconnects: 1 }), 1),
    );
    expect(error).not.toBeInstanceOf(KubeError);
    expect(harness.server.requests).toHaveLength(2);
  });

  it("waits a capped, jittered backoff before reconnecting a stream broken mid-way", async () => {
    const arrivals: number[] = [];
    harness.server.handle((req, res) => {
      arrivals.push(performance.now());
      // Each stream delivers one event, then the connection is cut.
      stream(res, line("ADDED", pod(`p${arrivals.length}`, String(arrivals.length))));
      setTimeout(() => req.socket.destroy(), 10);
    });
    const events = await within(take(watch<Pod>(client(), PODS, {}), 3), 5000, "three events");
    expect(events).toHaveLength(3);
    // Every event resets the failure count, so each reconnect waits between 250 and 500 ms.
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(250);
    for (const gap of gaps) expect(gap).toBeLessThan(500 + 150);
  });

  it("reconnectDelay grows to its cap and is jittered within [ceiling/2, ceiling]", () => {
    const samples = (n: number) => Array.from({ length: 200 }, () => reconnectDelay(n, 100, 1000));
    for (const [n, ceiling] of [
      [1, 200],
      [2, 400],
      [3, 800],
      [4, 1000],
      [20, 1000],
    ]) {
      const s = samples(n);
      expect(Math.min(...s)).toBeGreaterThanOrEqual(ceiling / 2);
      expect(Math.max(...s)).toBeLessThanOrEqual(ceiling);
      expect(new Set(s).size).toBeGreaterThan(100);
    }
  });
});
