// Starts a throwaway etcd + kube-apiserver on 127.0.0.1 for the e2e tests. There is no
// controller-manager, scheduler or kubelet: objects are stored and validated, nothing
// reconciles them (pods stay Pending, deleted namespaces stay Terminating).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "undici";
import { stringify } from "yaml";
import { type Binaries, ensureBinaries } from "./build.js";

export interface Cluster {
  /** https://127.0.0.1:PORT */
  server: string;
  /** PEM that verifies the apiserver's serving certificate. */
  caPem: string;
  /** Bearer token of a member of system:masters. */
  adminToken: string;
  /**
   * CA the apiserver trusts for client certificates (`--client-ca-file`), PEM certificate and
   * key, so tests can issue certificates for any user (CN) and groups (O).
   */
  clientCa: { cert: string; key: string };
  /** kubeconfig (context kubegen-e2e, namespace default) for kubectl and the client. */
  kubeconfigPath: string;
  /** etcd's client URL (plain HTTP on loopback), for tests that need to compact history. */
  etcdUrl: string;
  /** Temp dir holding data, certificates and logs; removed by stop(). */
  dir: string;
  /**
   * Kills kube-apiserver (SIGKILL) and starts it again with the same flags on the same port and
   * the same etcd, after `downMs`; resolves when /readyz answers again.
   */
  restartApiserver(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Defaults to ensureBinaries(). */
  binaries?: Binaries;
  /** How long to wait for /readyz. */
  readyTimeoutMs?: number;
  /** Extra kube-apiserver flags, e.g. --runtime-config or --feature-gates. */
  apiserverArgs?: string[];
}

const ISSUER = "https://kubernetes.default.svc.cluster.local";
const log = (msg: string) => process.stderr.write(`[kubegen cluster] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startCluster(opts: StartOptions = {}): Promise<Cluster> {
  const bins = opts.binaries ?? (await ensureBinaries());
  const dir = mkdtempSync(join(tmpdir(), "kubegen-e2e-"));
  const procs: Proc[] = [];
  const cleanup = guardAgainstLeaks(dir, procs);
  const t0 = Date.now();
  try {
    const [etcdPort, peerPort, apiPort] = await freePorts(3);
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = launch("etcd", bins.etcd, dir, procs, [
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      // The data is thrown away after the run, so durability only costs time.
      "--unsafe-no-fsync",
    ]);
    await waitFor("etcd /health", 30_000, [etcd], async () => {
      const res = await fetch(`${etcdUrl}/health`);
      return res.ok && ((await res.json()) as { health?: string }).health === "true";
    });
    const tEtcd = Date.now();

    const adminToken = randomBytes(24).toString("hex");
    writeFileSync(
      join(dir, "tokens.csv"),
      `${adminToken},kubegen-admin,kubegen-admin,"system:masters"\n`,
    );
    const sa = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    writeFileSync(join(dir, "sa.pub"), sa.publicKey);
    writeFileSync(join(dir, "sa.key"), sa.privateKey, { mode: 0o600 });

    const clientCa = makeClientCa(dir);
    const certDir = join(dir, "certs");
    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      `--secure-port=${apiPort}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      // Nothing else serves the API, so the kubernetes Endpoints need no reconciling.
      "--endpoint-reconciler-type=none",
      // Without --tls-cert-file the apiserver writes a self-signed pair here.
      `--cert-dir=${certDir}`,
      `--token-auth-file=${join(dir, "tokens.csv")}`,
      `--client-ca-file=${join(dir, "client-ca.crt")}`,
      "--authorization-mode=RBAC",
      `--service-account-issuer=${ISSUER}`,
      `--service-account-key-file=${join(dir, "sa.pub")}`,
      `--service-account-signing-key-file=${join(dir, "sa.key")}`,
      `--api-audiences=${ISSUER}`,
      "--service-cluster-ip-range=10.0.0.0/24",
      "--allow-privileged=true",
      // The ServiceAccount admission plugin rejects pods whose service account does not
      // exist, and with no controller-manager no namespace ever gets its `default` one.
      // Disabling it lets tests create pods in any namespace; the price is that pods are
      // not defaulted to serviceAccountName=default nor given a token volume.
      "--disable-admission-plugins=ServiceAccount",
      ...(opts.apiserverArgs ?? []),
    ];
    let apiserver = launch("kube-apiserver", bins.apiserver, dir, procs, apiserverArgs);
    const server = `https://127.0.0.1:${apiPort}`;

    // Poll /readyz without verifying TLS: the certificate only exists once the apiserver
    // has generated it. It is read and checked right after.
    const waitReady = async () => {
      const insecure = new Agent({ connect: { rejectUnauthorized: false } });
      try {
        await waitFor(
          "kube-apiserver /readyz",
          opts.readyTimeoutMs ?? 60_000,
          [etcd, apiserver],
          async () => {
            const res = await request(`${server}/readyz`, {
              dispatcher: insecure,
              headers: { authorization: `Bearer ${adminToken}` },
            });
            await res.body.text();
            return res.statusCode === 200;
          },
        );
      } finally {
        await insecure.close();
      }
    };
    await waitReady();
    // The serving certificate stays in certDir, so a restarted apiserver serves the same one.
    const restartApiserver = async (options: { downMs?: number } = {}) => {
      if (alive(apiserver)) {
        apiserver.child.kill("SIGKILL");
        await apiserver.exited;
      }
      if (options.downMs) await sleep(options.downMs);
      apiserver = launch("kube-apiserver", bins.apiserver, dir, procs, apiserverArgs);
      await waitReady();
    };

    // apiserver.crt holds the serving certificate followed by the self-signed CA that
    // issued it, so trusting the whole file trusts exactly this apiserver.
    const caPem = readFileSync(join(certDir, "apiserver.crt"), "utf8");
    if (!new X509Certificate(caPem).checkIP("127.0.0.1")) {
      throw new Error(`${certDir}/apiserver.crt has no IP SAN 127.0.0.1`);
    }

    const kubeconfigPath = join(dir, "kubeconfig");
    writeFileSync(kubeconfigPath, kubeconfig(server, caPem, adminToken), { mode: 0o600 });

    const tReady = Date.now();
    log(
      `cluster up at ${server} in ${secs(tReady - t0)} ` +
        `(etcd ${secs(tEtcd - t0)}, kube-apiserver ${secs(tReady - tEtcd)})`,
    );

    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= cleanup());
    return {
      server,
      caPem,
      adminToken,
      clientCa,
      kubeconfigPath,
      etcdUrl,
      dir,
      restartApiserver,
      stop,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

interface Proc {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
}

function launch(name: string, bin: string, dir: string, procs: Proc[], args: string[]): Proc {
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, "a");
  // A process group of its own: a Ctrl-C in the terminal reaches only us, and stop() shuts
  // the apiserver down before etcd instead of both dying at once.
  const child = spawn(bin, args, { stdio: ["ignore", fd, fd], detached: true });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("error", (e) => appendFileSync(logFile, `spawn failed: ${e.message}\n`));
  const proc = { name, child, logFile, exited };
  procs.push(proc);
  if (child.pid) appendFileSync(join(dir, "pids"), `${child.pid}\n`);
  return proc;
}

const alive = (p: Proc) =>
  p.child.exitCode === null && p.child.signalCode === null && p.child.pid !== undefined;

async function waitFor(
  what: string,
  timeoutMs: number,
  procs: Proc[],
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    const dead = procs.find((p) => !alive(p));
    if (dead) {
      throw new Error(
        `${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode}) ` +
          `while waiting for ${what}:\n${tail(dead.logFile)}`,
      );
    }
    if (Date.now() > deadline) {
      const last = procs[procs.length - 1];
      throw new Error(
        `timed out after ${secs(timeoutMs)} waiting for ${what}; ${last.name} log:\n${tail(last.logFile)}`,
      );
    }
    await sleep(250);
  }
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Terminates gracefully, then forcefully. */
async function terminate(p: Proc, graceMs = 5000): Promise<void> {
  if (!alive(p)) return;
  p.child.kill("SIGTERM");
  const timer = setTimeout(() => p.child.kill("SIGKILL"), graceMs);
  await p.exited;
  clearTimeout(timer);
}

// The cluster must not outlive the test run, however that run ends: on normal exit and on
// signals nobody else handles the children are killed synchronously, and a watchdog shell
// kills them if this process dies without running any handler (e.g. SIGKILL).
const killers = new Set<() => void>();
const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const killAll = () => killers.forEach((kill) => kill());
function onSignal(sig: NodeJS.Signals) {
  // Whoever else listens (a CLI, the test runner) owns shutdown; the exit hook remains.
  if (process.listenerCount(sig) > 1) return;
  killAll();
  process.removeListener(sig, onSignal);
  process.kill(process.pid, sig);
}

function guardAgainstLeaks(dir: string, procs: Proc[]): () => Promise<void> {
  const watchdog = spawn(
    "sh",
    [
      "-c",
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -9 $(cat "$2/pids" 2>/dev/null) 2>/dev/null; rm -rf "$2"',
      "watchdog",
      String(process.pid),
      dir,
    ],
    { detached: true, stdio: "ignore" },
  );
  watchdog.unref();

  const killNow = () => {
    watchdog.kill("SIGKILL");
    for (const p of procs) if (alive(p)) p.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  if (killers.size === 0) {
    process.on("exit", killAll);
    for (const s of signals) process.on(s, onSignal);
  }
  killers.add(killNow);

  return async () => {
    killers.delete(killNow);
    if (killers.size === 0) {
      process.removeListener("exit", killAll);
      for (const s of signals) process.removeListener(s, onSignal);
    }
    watchdog.kill("SIGKILL");
    // The apiserver first, so that it does not spend its shutdown retrying a dead etcd.
    for (const p of [...procs].reverse()) await terminate(p);
    rmSync(dir, { recursive: true, force: true });
  };
}

function freePorts(n: number): Promise<number[]> {
  // All listeners stay open until every port is known, so the ports are distinct.
  const servers = Array.from({ length: n }, () => createServer());
  return Promise.all(
    servers.map(
      (s) =>
        new Promise<number>((resolve, reject) => {
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve((s.address() as { port: number }).port));
        }),
    ),
  ).finally(() => servers.forEach((s) => s.close()));
}

/** A throwaway CA for client certificates (openssl's `req -x509` marks it CA:TRUE). */
function makeClientCa(dir: string): { cert: string; key: string } {
  const cert = join(dir, "client-ca.crt");
  const key = join(dir, "client-ca.key");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat([
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      "/CN=kubegen-e2e-client-ca",
    ]),
    { stdio: "pipe" },
  );
  return { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") };
}

function kubeconfig(server: string, caPem: string, token: string): string {
  const name = "kubegen-e2e";
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") },
      },
    ],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: "default" } }],
    "current-context": name,
  });
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
