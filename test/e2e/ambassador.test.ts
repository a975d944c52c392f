// The ambassador pattern: `kubectl proxy` holds the credentials and the TLS session, and the
// client talks plain HTTP to it with no credentials of its own.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import {
  createNamespace,
  createNamespacedConfigMap,
  deleteNamespace,
  listNamespace,
  readNamespace,
  readNamespacedConfigMap,
} from "../../generated/core/v1/index.js";
import { createClient, isForbidden, isUnauthorized, type Client } from "../../runtime/index.js";
import { useCluster } from "./cluster.js";
import { adminClient, uniqueName } from "./support.js";

const KUBECTL = "/usr/bin/kubectl";

/** Starts `kubectl proxy` on a free port and resolves with its base URL once it listens. */
function startProxy(kubeconfig: string, onSpawn: (p: ChildProcess) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(KUBECTL, ["proxy", "--port=0", `--kubeconfig=${kubeconfig}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    onSpawn(proc);
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(
      () => fail(new Error("kubectl proxy did not start within 30 s")),
      30_000,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`${error.message}\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    proc.on("error", fail);
    proc.on("exit", (code, signal) => fail(new Error(`kubectl proxy exited (${code ?? signal})`)));
    proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const m = /Starting to serve on (127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}`);
      }
    });
  });
}

describe("kubectl proxy ambassador", () => {
  const cluster = useCluster();
  const admin = adminClient();
  const namespace = uniqueName("e2e-ambassador");
  const configMap = uniqueName("via-proxy");
  const clients: Client[] = [];
  let proxy: ChildProcess | undefined;
  let proxyUrl: string;
  let dir: string | undefined;

  beforeAll(async () => {
    proxyUrl = await startProxy(cluster.kubeconfigPath, (p) => (proxy = p));
  });

  afterAll(async () => {
    if (proxy && proxy.exitCode === null && proxy.signalCode === null) {
      const exited = new Promise((r) => proxy!.once("exit", r));
      proxy.kill("SIGTERM");
      await exited;
    }
    await Promise.all(clients.map((c) => c.close()));
    await deleteNamespace(admin, { name: namespace }).catch(() => {});
    await admin.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A client created with `create`, closed in afterAll, that records what it logs. */
  const track = (create: (logger: (m: string) => void) => Client) => {
    const log: string[] = [];
    const client = create((m) => log.push(m));
    clients.push(client);
    return { client, log };
  };

  it("serves generated calls for a client with no credentials", async () => {
    const { client, log } = track((logger) => createClient({ server: proxyUrl, logger }));
    expect(client.source).toBe("explicit");
    expect(client.server).toBe(proxyUrl);
    // Plain HTTP without credentials is the intended setup: nothing to warn about.
    expect(log).toEqual([`kubegen: using explicit server ${proxyUrl}`]);

    const ns = await createNamespace(client, { body: { metadata: { name: namespace } } });
    expect(ns.metadata?.name).toBe(namespace);
    const created = await createNamespacedConfigMap(client, {
      namespace,
      body: { metadata: { name: configMap }, data: { path: "ambassador" } },
    });
    expect(created.metadata?.uid).toBeTruthy();

    const read = await readNamespacedConfigMap(client, { namespace, name: configMap });
    expect(read).toMatchObject({
      kind: "ConfigMap",
      metadata: { uid: created.metadata!.uid },
      data: { path: "ambassador" },
    });

    const namespaces = await listNamespace(client, {});
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(
      expect.arrayContaining(["default", "kube-system", namespace]),
    );

    // The object really is on the server, as the admin sees it directly.
    const direct = await readNamespacedConfigMap(admin, { namespace, name: configMap });
    expect(direct.metadata?.uid).toBe(created.metadata!.uid);
  });

  it("needs the proxy: the API server refuses the same anonymous client", async () => {
    const { client } = track(() =>
      createClient({ server: cluster.server, ca: cluster.caPem, retry: false }),
    );
    const error = await readNamespace(client, { name: "default" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUnauthorized(error) || isForbidden(error), String(error)).toBe(true);
  });

  describe("createClient() without a server finds a kubeconfig that points at the proxy", () => {
    let kubeconfig: string;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "kubegen-e2e-ambassador-"));
      kubeconfig = path.join(dir, "config");
      // No users: the proxy authenticates. The context's namespace becomes the client's default.
      await writeFile(
        kubeconfig,
        stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [{ name: "proxy", cluster: { server: proxyUrl } }],
          contexts: [{ name: "via-proxy", context: { cluster: "proxy", namespace } }],
          "current-context": "via-proxy",
        }),
      );
    });

    const expectProxyClient = async (client: Client, log: string[]) => {
      expect(client.source).toBe("kubeconfig");
      expect(client.server).toBe(proxyUrl);
      expect(client.description).toContain(kubeconfig);
      expect(client.namespace).toBe(namespace);
      expect(log.filter((m) => !m.startsWith("kubegen: using "))).toEqual([]);
      // No namespace given: the context's namespace is used.
      const read = await readNamespacedConfigMap(client, { name: configMap });
      expect(read.metadata).toMatchObject({ name: configMap, namespace });
    };

    it("with KUBECONFIG from the env option", async () => {
      const { client, log } = track((logger) =>
        createClient({
          env: { ...process.env, KUBECONFIG: kubeconfig, KUBERNETES_SERVICE_HOST: "" },
          logger,
        }),
      );
      await expectProxyClient(client, log);
    });

    it("with KUBECONFIG from process.env and no options at all", async () => {
      vi.stubEnv("KUBECONFIG", kubeconfig);
      vi.stubEnv("KUBERNETES_SERVICE_HOST", "");
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on("warning", onWarning);
      try {
        const client = createClient();
        clients.push(client);
        await expectProxyClient(client, []);
      } finally {
        process.off("warning", onWarning);
        vi.unstubAllEnvs();
      }
      expect(warnings.filter((w) => w.includes("kubegen") || w.includes(proxyUrl))).toEqual([]);
    });
  });
});
