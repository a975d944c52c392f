/**
 * exec and port-forward reach kube-apiserver the way ordinary calls do: through a kubeconfig
 * `proxy-url` (an HTTP CONNECT proxy on loopback, written here), with `tls-server-name` and
 * impersonation, with the client certificate an exec credential plugin returns, and with one retry
 * after a 401 once a rotated token file is re-read.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSelfSubjectReview } from "../../generated/authentication.k8s.io/v1/index.js";
import { listNamespacedPod } from "../../generated/core/v1/index.js";
import {
  createClient,
  KubeError,
  tokenFile,
  type Client,
  type ClientOptions,
} from "../../runtime/index.js";
import { portForward, portForwardConnection, run } from "../../runtime/streams/index.js";
import { useCluster } from "./cluster.js";
import { startConnectProxy } from "../tools/connect-proxy.js";
import { eventually } from "./support.js";
import { streamsFixture, type StreamsFixture } from "./streams-support.js";

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("streams reach the API server like ordinary calls", () => {
  let f: StreamsFixture;
  let pod: string;
  let echo: Server;
  let echoPort: number;
  let dir: string;
  const file = (name: string) => join(dir, name);

  /** Writes a kubeconfig for the test cluster, in the fixture's namespace, with `user` as the user stanza. */
  function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}) {
    const { server, caPem } = useCluster();
    const path = file(`kubeconfig-${randomBytes(3).toString("hex")}`);
    const config = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "c",
          cluster: {
            server,
            "certificate-authority-data": Buffer.from(caPem).toString("base64"),
            ...cluster,
          },
        },
      ],
      users: [{ name: "u", user }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u", namespace: f.namespace } }],
      "current-context": "x",
    };
    writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
    return path;
  }

  /** The admin token, explicit options, the fixture's namespace. */
  const adminClient = (extra: ClientOptions) => {
    const { server, caPem, adminToken } = useCluster();
    return createClient({ server, ca: caPem, token: adminToken, namespace: f.namespace, ...extra });
  };

  /** exec, an in-process port-forward and a local forwarder, each checked for its answer. */
  async function useStreams(client: Client): Promise<void> {
    const result = await run(client, { name: pod, command: ["sh", "-c", "echo streamed; exit 3"] });
    expect(result).toMatchObject({ stdout: "streamed\n", code: 3 });

    const duplex = await portForwardConnection(client, { name: pod }, echoPort);
    duplex.write("ping");
    expect(String((await duplex[Symbol.asyncIterator]().next()).value)).toBe("ping");
    duplex.destroy();

    const forwarder = await portForward(client, { name: pod }, echoPort);
    try {
      const socket = connect(forwarder.address.port, "127.0.0.1");
      socket.write("pong");
      const [reply] = (await new Promise((resolve, reject) => {
        socket.once("data", (chunk) => resolve([chunk]));
        socket.once("error", reject);
      })) as Buffer[];
      expect(String(reply)).toBe("pong");
      socket.destroy();
    } finally {
      await forwarder.close();
    }
  }

  beforeAll(async () => {
    f = await streamsFixture("conn");
    pod = await f.pod("p");
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    echoPort = (echo.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), "kubegen-streams-conn-"));
  });
  afterAll(async () => {
    echo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await f?.cleanup();
  });

  it("tunnels exec and port-forward through a kubeconfig proxy-url with CONNECT; the proxy sees no credentials", async () => {
    const user = "kube user";
    const password = "p@ss:word";
    const proxy = await startConnectProxy(basic(user, password));
    const proxyUrl = `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${proxy.port}`;
    const { adminToken, server } = useCluster();
    const client = createClient({
      kubeconfig: kubeconfig({ token: adminToken }, { "proxy-url": proxyUrl }),
    });
    try {
      await useStreams(client);
      // One tunnel per WebSocket: exec, the duplex, the forwarder's connection.
      expect(proxy.tunnels).toHaveLength(3);
      // An ordinary call takes the same route.
      await listNamespacedPod(client);
      expect(proxy.tunnels).toHaveLength(4);
      const apiserver = new URL(server).host;
      for (const tunnel of proxy.tunnels) {
        expect(tunnel).toEqual({
          target: apiserver,
          proxyAuthorization: basic(user, password),
          authorization: undefined,
          firstByte: 0x16,
        });
      }
      // TLS runs end to end inside the tunnel: neither the token nor any request line shows.
      const wire = proxy.wire();
      expect(wire.length).toBeGreaterThan(1000);
      expect(wire.includes(adminToken)).toBe(false);
      expect(wire.includes("Bearer")).toBe(false);
      expect(wire.includes("/exec?")).toBe(false);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it("fails clearly when the proxy refuses the credentials (proxyUrl option)", async () => {
    const proxy = await startConnectProxy(basic("right", "secret"));
    const client = adminClient({ proxyUrl: `http://right:wrong@127.0.0.1:${proxy.port}` });
    try {
      await expect(run(client, { name: pod, command: ["true"] })).rejects.toThrow(
        /refused the tunnel .*407 Proxy Authentication Required/,
      );
      await expect(portForwardConnection(client, { name: pod }, echoPort)).rejects.toThrow(/407/);
      expect(proxy.tunnels.map((t) => t.proxyAuthorization)).toEqual([
        basic("right", "wrong"),
        basic("right", "wrong"),
      ]);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it("an abort while the proxy has not answered the CONNECT closes the tunnel", async () => {
    const proxy = await startConnectProxy(basic("u", "p"), { stall: true });
    const client = adminClient({ proxyUrl: `http://u:p@127.0.0.1:${proxy.port}` });
    try {
      const signal = AbortSignal.timeout(300);
      await expect(run(client, { name: pod, command: ["true"] }, { signal })).rejects.toThrow(
        /aborted|timeout/i,
      );
      expect(proxy.tunnels).toHaveLength(1);
      await eventually(
        "the stalled tunnel to close",
        async () => (proxy.open === 0 ? true : undefined),
        5000,
      );
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it("applies tls-server-name and impersonation to streams, directly and through the proxy", async () => {
    const proxy = await startConnectProxy(basic("u", "p"));
    try {
      for (const via of [{}, { proxyUrl: `http://u:p@127.0.0.1:${proxy.port}` }]) {
        // The serving certificate names kubernetes.default.svc, not wrong.example.
        const named = adminClient({ ...via, tlsServerName: "kubernetes.default.svc" });
        const misnamed = adminClient({ ...via, tlsServerName: "wrong.example" });
        const nobody = adminClient({ ...via, impersonate: { user: "kubegen-nobody" } });
        // Two groups: they must arrive as two Impersonate-Group headers to include system:masters.
        const masters = adminClient({
          ...via,
          impersonate: { user: "kubegen-stream-user", groups: ["kubegen-other", "system:masters"] },
        });
        try {
          const sni = await run(named, { name: pod, command: ["echo", "named"] });
          expect(sni.stdout).toBe("named\n");
          await expect(run(misnamed, { name: pod, command: ["true"] })).rejects.toThrow(
            /wrong\.example.*altnames/,
          );
          const forbidden = await run(nobody, { name: pod, command: ["true"] }).catch((e) => e);
          expect(forbidden).toBeInstanceOf(KubeError);
          expect((forbidden as KubeError).code).toBe(403);
          expect((forbidden as KubeError).message).toContain('User "kubegen-nobody"');
          expect((await run(masters, { name: pod, command: ["true"] })).code).toBe(0);
        } finally {
          await Promise.all([named, misnamed, nobody, masters].map((c) => c.close()));
        }
      }
      expect(proxy.tunnels).toHaveLength(4);
    } finally {
      await proxy.close();
    }
  });

  it("presents the client certificate an exec credential plugin returns", async () => {
    const { clientCa } = useCluster();
    writeFileSync(file("ca.crt"), clientCa.cert);
    writeFileSync(file("ca.key"), clientCa.key, { mode: 0o600 });
    writeFileSync(file("ext.cnf"), "extendedKeyUsage=clientAuth\n");
    const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
    openssl(
      ...["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", file("user.key"), "-out", file("user.csr")],
      ...["-subj", "/O=system:masters/CN=kubegen-plugin-user"],
    );
    openssl(
      ...["x509", "-req", "-in", file("user.csr"), "-CA", file("ca.crt")],
      ...["-CAkey", file("ca.key"), "-set_serial", String(Date.now()), "-days", "1"],
      ...["-extfile", file("ext.cnf"), "-out", file("user.crt")],
    );
    writeFileSync(
      file("credential.json"),
      JSON.stringify({
        apiVersion: "client.authentication.k8s.io/v1",
        kind: "ExecCredential",
        // A certificate and no token: without the certificate a stream would be anonymous.
        status: {
          clientCertificateData: readFileSync(file("user.crt"), "utf8"),
          clientKeyData: readFileSync(file("user.key"), "utf8"),
        },
      }),
    );
    writeFileSync(file("plugin.sh"), `#!/bin/sh\ncat "${file("credential.json")}"\n`);
    chmodSync(file("plugin.sh"), 0o755);
    const client = createClient({
      kubeconfig: kubeconfig({
        exec: {
          apiVersion: "client.authentication.k8s.io/v1",
          command: file("plugin.sh"),
          interactiveMode: "Never",
        },
      }),
    });
    try {
      const review = await createSelfSubjectReview(client, { body: {} });
      expect(review.status?.userInfo?.username).toBe("kubegen-plugin-user");
      await useStreams(client);
    } finally {
      await client.close();
    }
  });

  it("retries a WebSocket handshake once after a 401, with the exec plugin run again", async () => {
    const credential = (token: string) =>
      writeFileSync(
        file("token-credential.json"),
        JSON.stringify({
          apiVersion: "client.authentication.k8s.io/v1",
          kind: "ExecCredential",
          // No expirationTimestamp: the credential is kept until a 401 asks for a new one.
          status: { token },
        }),
      );
    const runs = file("plugin-runs");
    writeFileSync(runs, "");
    writeFileSync(
      file("token-plugin.sh"),
      `#!/bin/sh\necho run >> "${runs}"\ncat "${file("token-credential.json")}"\n`,
    );
    chmodSync(file("token-plugin.sh"), 0o755);
    const pluginRuns = () => readFileSync(runs, "utf8").split("\n").filter(Boolean).length;
    credential("not-a-valid-token");
    const client = createClient({
      kubeconfig: kubeconfig({
        exec: {
          apiVersion: "client.authentication.k8s.io/v1",
          command: file("token-plugin.sh"),
          interactiveMode: "Never",
        },
      }),
    });
    try {
      // The plugin runs, the server says 401, the plugin runs again, the retry gets 401 too.
      const refused = await run(client, { name: pod, command: ["true"] }).catch((e) => e);
      expect((refused as KubeError).code).toBe(401);
      expect(pluginRuns()).toBe(2);
      // A valid credential now: the cached one is refused once, the plugin runs, the retry works.
      credential(useCluster().adminToken);
      const result = await run(client, { name: pod, command: ["echo", "renewed"] });
      expect(result).toMatchObject({ stdout: "renewed\n", code: 0 });
      expect(pluginRuns()).toBe(3);
    } finally {
      await client.close();
    }
  });

  it("retries a WebSocket handshake once after a 401, with the token file re-read", async () => {
    const tokenPath = file("token");
    const rotate = (token: string) => {
      writeFileSync(`${tokenPath}.new`, token);
      renameSync(`${tokenPath}.new`, tokenPath);
    };
    const { server, caPem, adminToken } = useCluster();
    // The file is not re-checked on a timer within this test: only a 401 can make it re-read.
    const staleClient = () =>
      createClient({
        server,
        ca: caPem,
        namespace: f.namespace,
        credentials: tokenFile(tokenPath, { checkIntervalMs: 3_600_000 }),
      });

    rotate("not-a-valid-token");
    const execClient = staleClient();
    const forwardClient = staleClient();
    try {
      // An unchanged file gives no new token: the 401 stands, as a KubeError.
      const refused = await run(execClient, { name: pod, command: ["true"] }).catch((e) => e);
      expect(refused).toBeInstanceOf(KubeError);
      expect((refused as KubeError).code).toBe(401);
      const refusedForward = await portForwardConnection(forwardClient, { name: pod }, echoPort)
        .then((d) => d.destroy())
        .catch((e) => e);
      expect((refusedForward as KubeError).code).toBe(401);

      // The token is rotated; each client still holds the old one until a 401 makes it re-read.
      rotate(adminToken);
      const result = await run(execClient, { name: pod, command: ["echo", "after-401"] });
      expect(result).toMatchObject({ stdout: "after-401\n", code: 0 });
      const duplex = await portForwardConnection(forwardClient, { name: pod }, echoPort);
      duplex.write("again");
      expect(String((await duplex[Symbol.asyncIterator]().next()).value)).toBe("again");
      duplex.destroy();
    } finally {
      await execClient.close();
      await forwardClient.close();
    }
  });
});
