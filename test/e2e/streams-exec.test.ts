/**
 * exec and attach through kube-apiserver (WebSocket v5 → SPDY translation) to the fake kubelet,
 * which runs commands as local processes.
 */
import { createHash, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespacedServiceAccount,
  createNamespacedServiceAccountToken,
} from "../../generated/core/v1/index.js";
import {
  createNamespacedRole,
  createNamespacedRoleBinding,
} from "../../generated/rbac.authorization.k8s.io/v1/index.js";
import { createClient, isForbidden, KubeError } from "../../runtime/index.js";
import { attach, exec, run } from "../../runtime/streams/index.js";
import { execNamespacedPod } from "../../generated/core/v1/streams/index.js";
import { useCluster } from "./cluster.js";
import { eventually } from "./support.js";
import { streamsFixture, type StreamsFixture } from "./streams-support.js";

describe("exec and attach through the API server", () => {
  let f: StreamsFixture;
  let pod: string;

  beforeAll(async () => {
    f = await streamsFixture("exec");
    pod = await f.pod("p");
  });
  afterAll(() => f?.cleanup());

  it("separates stdout and stderr and reports exit code 0", async () => {
    const result = await run(f.client, {
      name: pod,
      container: "main",
      command: ["sh", "-c", "echo to-out; echo to-err >&2; echo more-out"],
    });
    expect(result).toMatchObject({ stdout: "to-out\nmore-out\n", stderr: "to-err\n", code: 0 });
    expect(result.status.status).toBe("Success");
  });

  it("runs through the generated connect function", async () => {
    const session = await execNamespacedPod(f.client, {
      name: pod,
      command: ["echo", "generated"],
    });
    let out = "";
    for await (const chunk of session.stdout!) out += String(chunk);
    expect(out).toBe("generated\n");
    expect((await session.exit).code).toBe(0);
  });

  it("returns a non-zero exit code as a value", async () => {
    const result = await run(f.client, { name: pod, command: ["sh", "-c", "echo bye; exit 3"] });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("bye\n");
    expect(result.status.reason).toBe("NonZeroExitCode");
  });

  it("pipes 10 MB to stdin and closes it (v5 close signal), so wc -c finishes with the count", async () => {
    const input = randomBytes(10 * 1024 * 1024);
    const session = await exec(f.client, { name: pod, command: ["wc", "-c"], stdin: true });
    expect(session.protocol).toBe("v5.channel.k8s.io");
    const out: Buffer[] = [];
    session.stdout!.on("data", (c: Buffer) => out.push(c));
    session.stdin!.end(input);
    const exit = await session.exit;
    expect(exit.code).toBe(0);
    expect(Buffer.concat(out).toString().trim()).toBe(String(input.length));
  });

  it("keeps memory bounded while a slow consumer reads 100 MB of stdout", async () => {
    const size = 100 * 1024 * 1024;
    const session = await exec(f.client, {
      name: pod,
      command: ["head", "-c", String(size), "/dev/zero"],
    });
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = 0;
    let received = 0;
    let maxBuffered = 0;
    for await (const chunk of session.stdout!) {
      received += (chunk as Buffer).length;
      maxBuffered = Math.max(maxBuffered, session.stdout!.readableLength);
      // About 64 KB per ms at most: far slower than the server can send.
      if (received % (1024 * 1024) < (chunk as Buffer).length) {
        peak = Math.max(peak, process.memoryUsage().rss - base);
        await sleep(16);
      }
    }
    expect(received).toBe(size);
    expect((await session.exit).code).toBe(0);
    // The client holds at most its highWaterMark (1 MiB) plus one frame; RSS growth stays small.
    expect(maxBuffered).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });

  it("resizes a tty", async () => {
    const session = await exec(f.client, {
      name: pod,
      command: ["__resize"],
      tty: true,
      stdin: true,
    });
    expect(session.stderr).toBeNull();
    session.resize(80, 24);
    session.resize(100, 40);
    let text = "";
    for await (const chunk of session.stdout!) {
      text += String(chunk);
      if (text.split("\n").length > 2) break;
    }
    expect(text).toBe("80x24\n100x40\n");
    session.close();
  });

  it("stops a running command when the signal is aborted", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const session = await exec(
      f.client,
      { name: pod, command: ["sleep", "60"] },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 300);
    await expect(session.exit).rejects.toMatchObject({ name: "AbortError" });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("rejects an unknown container with a typed error", async () => {
    const error = await exec(f.client, { name: pod, container: "nope", command: ["true"] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KubeError);
    expect(error).toMatchObject({ code: 400, reason: "BadRequest" });
    expect((error as KubeError).message).toContain("nope");
  });

  it("falls back to v4 when the server side offers no v5", async () => {
    // Offering only v4 skips the API server's translation: the upgrade reaches the kubelet as is.
    const session = await exec(
      f.client,
      { name: pod, command: ["sh", "-c", "echo v4; exit 3"] },
      { protocols: ["v4.channel.k8s.io"] },
    );
    expect(session.protocol).toBe("v4.channel.k8s.io");
    let out = "";
    for await (const chunk of session.stdout!) out += String(chunk);
    expect(out).toBe("v4\n");
    expect((await session.exit).code).toBe(3);
  });

  it("attaches to the running main process", async () => {
    const session = await attach(f.client, { name: pod, stdin: true });
    const reader = session.stdout![Symbol.asyncIterator]();
    let text = "";
    const readUntil = async (want: string) => {
      while (!text.includes(want)) text += String((await reader.next()).value);
    };
    await readUntil("attached\n");
    session.stdin!.write("hello from attach\n");
    await readUntil("hello from attach\n");
    session.stdin!.end();
    expect((await session.exit).code).toBe(0);
  });

  it("needs both get and create on pods/exec for a WebSocket exec", async () => {
    const admin = f.client;
    const namespace = f.namespace;
    const { server, caPem } = useCluster();
    /** A service account allowed `verbs` on pods/exec, and a client that acts as it. */
    const account = async (name: string, verbs: string[]) => {
      await createNamespacedServiceAccount(admin, { body: { metadata: { name } } });
      await createNamespacedRole(admin, {
        body: { metadata: { name }, rules: [{ apiGroups: [""], resources: ["pods/exec"], verbs }] },
      });
      await createNamespacedRoleBinding(admin, {
        body: {
          metadata: { name },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
          subjects: [{ kind: "ServiceAccount", name, namespace }],
        },
      });
      const review = await createNamespacedServiceAccountToken(admin, {
        name,
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      });
      return createClient({ server, ca: caPem, token: review.status!.token, namespace });
    };
    const getOnly = await account("get-only", ["get"]);
    const createOnly = await account("create-only", ["create"]);
    const both = await account("get-and-create", ["get", "create"]);
    const attempt = (client: typeof both) => run(client, { name: pod, command: ["echo", "ok"] });
    try {
      // The authorizer learns of grants in order, so once the last one works the others are known.
      const result = await eventually("the grants to take effect", () =>
        attempt(both).catch(() => undefined),
      );
      expect(result.stdout).toBe("ok\n");
      const withoutCreate = await attempt(getOnly).catch((e: unknown) => e);
      const withoutGet = await attempt(createOnly).catch((e: unknown) => e);
      expect(isForbidden(withoutCreate)).toBe(true);
      expect(isForbidden(withoutGet)).toBe(true);
      expect((withoutGet as KubeError).message).toMatch(/cannot get resource "pods\/exec"/);
    } finally {
      await Promise.all([getOnly.close(), createOnly.close(), both.close()]);
    }
  });
  it("streams stdin of many chunks byte-exact through cat", async () => {
    const session = await exec(f.client, { name: pod, command: ["sha256sum"], stdin: true });
    const hash = createHash("sha256");
    for (let i = 0; i < 64; i++) {
      const chunk = randomBytes(64 * 1024 + i);
      hash.update(chunk);
      if (!session.stdin!.write(chunk)) await new Promise((r) => session.stdin!.once("drain", r));
    }
    session.stdin!.end();
    let out = "";
    for await (const chunk of session.stdout!) out += String(chunk);
    expect(out.split(" ")[0]).toBe(hash.digest("hex"));
    expect((await session.exit).code).toBe(0);
  });
});
