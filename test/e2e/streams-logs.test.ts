/**
 * Pod logs through kube-apiserver from the fake kubelet: ten history lines 10 s apart, then (with
 * follow) a new line every 100 ms.
 */
import type { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isNotFound, KubeError, type Client } from "../../runtime/index.js";
import { internals } from "../../runtime/client.js";
import { streamNamespacedPodLog } from "../../runtime/streams/index.js";
import { adminClient, eventually } from "./support.js";
import { streamsFixture, type StreamsFixture } from "./streams-support.js";

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of iterable) lines.push(line);
  return lines;
}

/** Sockets the client's dispatcher holds open to the API server. */
function openSockets(client: Client): number {
  const stats = (internals(client).dispatcher as Agent).stats;
  return Object.values(stats).reduce((n, s) => n + Number(s.connected), 0);
}

describe("pod logs through the API server", () => {
  let f: StreamsFixture;
  let pod: string;
  let twoContainers: string;

  beforeAll(async () => {
    f = await streamsFixture("logs");
    pod = await f.pod("p");
    twoContainers = await f.pod("w", ["waiting"]);
  });
  afterAll(() => f?.cleanup());

  it("reads the log as lines", async () => {
    const lines = await collect(streamNamespacedPodLog(f.client, { name: pod, container: "main" }));
    expect(lines).toEqual(Array.from({ length: 10 }, (_, i) => `${pod}/main line ${i + 1}`));
  });

  it("passes tailLines, timestamps and sinceSeconds", async () => {
    const tail = await collect(streamNamespacedPodLog(f.client, { name: pod, tailLines: 3 }));
    expect(tail).toEqual([8, 9, 10].map((n) => `${pod}/main line ${n}`));

    const stamped = await collect(
      streamNamespacedPodLog(f.client, { name: pod, timestamps: true }),
    );
    expect(stamped).toHaveLength(10);
    for (const line of stamped)
      expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z \S+ line \d+$/);

    // History lines are 10 s apart, the last 10 s ago: 35 s reaches back three lines.
    const recent = await collect(streamNamespacedPodLog(f.client, { name: pod, sinceSeconds: 35 }));
    expect(recent).toEqual([8, 9, 10].map((n) => `${pod}/main line ${n}`));
  });

  it("follows through a silence longer than the client's timeout and stops on break, freeing the socket", async () => {
    const client = adminClient({ namespace: f.namespace, timeoutMs: 500 });
    try {
      const lines: string[] = [];
      for await (const line of streamNamespacedPodLog(client, {
        name: pod,
        follow: true,
        tailLines: 1,
      })) {
        lines.push(line);
        if (lines.length === 1) expect(openSockets(client)).toBe(1);
        // The kubelet is silent for 700 ms before the followed lines: longer than the client's
        // 500 ms timeout, which therefore must not apply to a follow.
        if (lines.length === 13) break;
      }
      expect(lines[0]).toBe(`${pod}/main line 10`);
      expect(lines[12]).toBe(`${pod}/main line 22`);
      await eventually(
        "the log socket to close",
        async () => (openSockets(client) === 0 ? true : undefined),
        5000,
      );
    } finally {
      await client.close();
    }
  });

  it("stops on abort, freeing the socket", async () => {
    const client = adminClient({ namespace: f.namespace });
    const controller = new AbortController();
    const lines: string[] = [];
    try {
      const reading = (async () => {
        for await (const line of streamNamespacedPodLog(
          client,
          { name: pod, follow: true },
          { signal: controller.signal },
        )) {
          lines.push(line);
          if (lines.length === 1) expect(openSockets(client)).toBe(1);
          if (lines.length === 12) controller.abort();
        }
      })();
      await expect(reading).rejects.toMatchObject({ name: "AbortError" });
      expect(lines).toHaveLength(12);
      await eventually(
        "the log socket to close",
        async () => (openSockets(client) === 0 ? true : undefined),
        5000,
      );
    } finally {
      await client.close();
    }
  });

  it("throws the server's error before the first line", async () => {
    const waiting = await collect(
      streamNamespacedPodLog(f.client, { name: twoContainers, container: "waiting", follow: true }),
    ).catch((e: unknown) => e);
    expect(waiting).toBeInstanceOf(KubeError);
    expect(waiting).toMatchObject({ code: 400, reason: "BadRequest" });
    expect((waiting as KubeError).message).toContain("is waiting to start");

    const missing = await collect(streamNamespacedPodLog(f.client, { name: "no-such-pod" })).catch(
      (e: unknown) => e,
    );
    expect(isNotFound(missing)).toBe(true);
  });

  it("gives raw chunks", async () => {
    let text = "";
    for await (const chunk of streamNamespacedPodLog(f.client, { name: pod }).chunks())
      text += Buffer.from(chunk).toString();
    expect(text.endsWith(`${pod}/main line 10\n`)).toBe(true);
  });
});
