/**
 * Streams room: exec stdout/stdin, port-forward download/upload and log lines per second through
 * the real kube-apiserver and the fake kubelet, for kubegen, kubectl and client-node in the same
 * run; then the RSS a slow consumer (and a large upload) adds, each client in its own process.
 *
 *   node --import tsx bench/rooms/streams.ts [--quick]
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { Exec, KubeConfig, Log, PortForward } from "@kubernetes/client-node";
import { createNamespacedPod, patchNamespacedPodStatus } from "../../generated/core/v1/index.js";
import { createClient, type Client } from "../../runtime/index.js";
import {
  exec,
  portForward,
  portForwardConnection,
  streamNamespacedPodLog,
} from "../../runtime/streams/index.js";
import { startFakeKubelet } from "../../test/cluster/fake-kubelet.js";
import { startCluster } from "../../test/cluster/server.js";
import { writeRoomSection } from "../report.js";
import { backends, source } from "../streams/backends.js";
import {
  clientNodePingPongs,
  kubectlPortForward,
  pingPongs,
  SHORT_CONNECTIONS,
} from "../streams/port-forward.js";

const MB = 1024 * 1024;
const quick = process.argv.includes("--quick");
const SIZE = (quick ? 50 : 200) * MB;
const LINES = quick ? 200_000 : 1_000_000;
const SLOW_SIZE = (quick ? 200 : 1024) * MB;
const UPLOAD_SIZE = (quick ? 50 : 200) * MB;
const POD = "bench";
const NS = "default";

interface Target {
  server: string;
  token: string;
  ca: string;
  kubeconfig: string;
}

const sink = (onBytes: (n: number) => void = () => {}) =>
  new Writable({
    write(c: Buffer, _e, cb) {
      onBytes(c.length);
      cb();
    },
  });

/** Seconds `fn` took, or the seconds it reports (when setting up, e.g. spawning kubectl, is not part of it). */
async function timed(fn: () => Promise<void | number>): Promise<number> {
  const t0 = performance.now();
  const reported = await fn();
  return reported ?? (performance.now() - t0) / 1000;
}

/** Seconds `work` took, for `timed` to report. */
async function only(work: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdinFile?: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    if (stdinFile) {
      import("node:fs").then(({ createReadStream }) =>
        createReadStream(stdinFile).pipe(child.stdin),
      );
    } else child.stdin.end();
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")}: ${code} ${err}`)),
    );
  });
}

const download = (port: number) =>
  new Promise<void>((resolve, reject) => {
    let got = 0;
    const s = connect(port, "127.0.0.1");
    s.on("data", (c) => (got += c.length));
    s.on("error", reject);
    s.on("close", () => (got === SIZE ? resolve() : reject(new Error(`download got ${got}`))));
  });
const upload = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const s = connect(port, "127.0.0.1");
    s.on("error", reject);
    s.on("close", resolve);
    source(SIZE).pipe(s, { end: false });
  });

async function measure(t: Target, client: Client, kc: KubeConfig) {
  const { sendPort, recvPort, echoPort, close } = await backends(SIZE);
  const inputFile = join(process.env.TMPDIR ?? "/tmp", `kubegen-bench-${process.pid}`);
  writeFileSync(inputFile, Buffer.alloc(SIZE, 7));
  const kubectlEnv = { KUBECONFIG: t.kubeconfig };
  const rows: {
    name: string;
    unit: string;
    amount: number;
    kubegen: number;
    kubectl: number;
    clientNode: number;
  }[] = [];
  const row = async (
    name: string,
    unit: string,
    amount: number,
    fns: {
      kubegen: () => Promise<void | number>;
      kubectl: () => Promise<void | number>;
      clientNode: () => Promise<void | number>;
    },
  ) => {
    const secs = { kubegen: [] as number[], kubectl: [] as number[], clientNode: [] as number[] };
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      for (const k of ["kubegen", "kubectl", "clientNode"] as const)
        secs[k].push(await timed(fns[k]));
    }
    const best = (xs: number[]) => amount / Math.min(...xs);
    const r = {
      name,
      unit,
      amount,
      kubegen: best(secs.kubegen),
      kubectl: best(secs.kubectl),
      clientNode: best(secs.clientNode),
    };
    rows.push(r);
    console.log(r);
  };
  const execCmd = ["head", "-c", String(SIZE), "/dev/zero"];
  const countCmd = ["wc", "-c"];

  await row("exec stdout", "MB/s", SIZE / MB, {
    kubegen: async () => {
      const s = await exec(client, {
        namespace: NS,
        name: POD,
        container: "main",
        command: execCmd,
        stderr: false,
      });
      let got = 0;
      for await (const c of s.stdout!) got += (c as Buffer).length;
      if ((await s.exit).code !== 0 || got !== SIZE) throw new Error(`kubegen exec got ${got}`);
    },
    kubectl: () =>
      run("kubectl", ["exec", "-n", NS, POD, "-c", "main", "--", ...execCmd], kubectlEnv),
    clientNode: () =>
      new Promise<void>((resolve, reject) => {
        let got = 0;
        new Exec(kc)
          .exec(
            NS,
            POD,
            "main",
            execCmd,
            sink((n) => (got += n)),
            null,
            null,
            false,
            (st) =>
              st.status === "Success"
                ? setTimeout(
                    () =>
                      got === SIZE ? resolve() : reject(new Error(`client-node exec got ${got}`)),
                    0,
                  )
                : reject(new Error(JSON.stringify(st))),
          )
          .catch(reject);
      }),
  });

  await row("exec stdin", "MB/s", SIZE / MB, {
    kubegen: async () => {
      const s = await exec(client, {
        namespace: NS,
        name: POD,
        container: "main",
        command: countCmd,
        stdin: true,
        stderr: false,
      });
      let out = "";
      s.stdout!.on("data", (c) => (out += c));
      source(SIZE).pipe(s.stdin!);
      await s.exit;
      if (out.trim() !== String(SIZE)) throw new Error(`kubegen stdin: wc said ${out}`);
    },
    kubectl: () =>
      run(
        "kubectl",
        ["exec", "-i", "-n", NS, POD, "-c", "main", "--", ...countCmd],
        kubectlEnv,
        inputFile,
      ),
    clientNode: () =>
      new Promise<void>((resolve, reject) => {
        let out = "";
        const stdout = new Writable({ write: (c, _e, cb) => ((out += c), cb()) });
        new Exec(kc)
          .exec(NS, POD, "main", countCmd, stdout, null, source(SIZE), false, (st) =>
            st.status === "Success"
              ? setTimeout(
                  () =>
                    out.trim() === String(SIZE)
                      ? resolve()
                      : reject(new Error(`client-node stdin: ${out}`)),
                  0,
                )
              : reject(new Error(JSON.stringify(st))),
          )
          .catch(reject);
      }),
  });

  await row("port-forward download", "MB/s", SIZE / MB, {
    kubegen: async () => {
      const d = await portForwardConnection(client, { namespace: NS, name: POD }, sendPort);
      let got = 0;
      for await (const c of d) got += (c as Buffer).length;
      if (got !== SIZE) throw new Error(`kubegen pf got ${got}`);
    },
    kubectl: () => kubectlPortForward(t.kubeconfig, NS, POD, sendPort, download),
    clientNode: async () => {
      let got = 0;
      let ws: unknown;
      await new Promise<void>((resolve, reject) => {
        const out = sink((n) => {
          got += n;
          if (got >= SIZE) resolve();
        });
        new PortForward(kc)
          .portForward(NS, POD, [sendPort], out, null, new PassThrough())
          .then((w) => (ws = w), reject);
      });
      (ws as { close?: () => void } | undefined)?.close?.();
    },
  });

  await row("port-forward upload", "MB/s", SIZE / MB, {
    kubegen: async () => {
      const d = await portForwardConnection(client, { namespace: NS, name: POD }, recvPort);
      source(SIZE).pipe(d, { end: false });
      d.resume();
      await new Promise<void>((resolve, reject) => {
        d.on("end", resolve);
        d.on("error", reject);
      });
    },
    kubectl: () => kubectlPortForward(t.kubeconfig, NS, POD, recvPort, upload),
    clientNode: async () => {
      const ws = (await new PortForward(kc).portForward(
        NS,
        POD,
        [recvPort],
        sink(),
        null,
        source(SIZE),
      )) as {
        once(e: string, f: () => void): void;
      };
      await new Promise<void>((resolve) => ws.once("close", resolve));
    },
  });

  // Each forwarder is up and has carried one connection before the clock starts: neither kubectl's
  // process start nor the first session's handshake is what is measured.
  await row("port-forward short connections", "connections/s", SHORT_CONNECTIONS, {
    kubegen: async () => {
      const fwd = await portForward(client, { namespace: NS, name: POD }, echoPort);
      try {
        await pingPongs(fwd.address.port, 1);
        return await only(() => pingPongs(fwd.address.port));
      } finally {
        await fwd.close();
      }
    },
    kubectl: async () => {
      let secs = 0;
      await kubectlPortForward(t.kubeconfig, NS, POD, echoPort, async (local) => {
        await pingPongs(local, 1);
        secs = await only(() => pingPongs(local));
      });
      return secs;
    },
    clientNode: () => only(() => clientNodePingPongs(kc, NS, POD, echoPort)),
  });

  await row("log lines", "lines/s", LINES, {
    kubegen: async () => {
      let n = 0;
      for await (const _ of streamNamespacedPodLog(client, {
        namespace: NS,
        name: POD,
        container: "flood",
        tailLines: LINES,
      }))
        n++;
      if (n !== LINES) throw new Error(`kubegen log got ${n}`);
    },
    kubectl: () =>
      run("kubectl", ["logs", "-n", NS, POD, "-c", "flood", `--tail=${LINES}`], kubectlEnv),
    clientNode: () =>
      new Promise<void>((resolve, reject) => {
        const out = sink();
        out.on("finish", resolve);
        new Log(kc).log(NS, POD, "flood", out, { tailLines: LINES }).catch(reject);
      }),
  });
  close();
  return rows;
}

/** Child mode: one client, one slow consumer (or one upload); prints the RSS it added. */
async function child(which: string, mode: string, t: Target) {
  const client = createClient({ server: t.server, token: t.token, ca: t.ca });
  const kc = new KubeConfig();
  kc.loadFromFile(t.kubeconfig);
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  // The slow consumer takes 64 KiB per millisecond at most.
  const slowSink = () =>
    new Writable({
      highWaterMark: 64 * 1024,
      write: (_c, _e, cb) => void sleep(1).then(() => cb()),
    });
  const cmd = mode === "slow" ? ["head", "-c", String(SLOW_SIZE), "/dev/zero"] : ["wc", "-c"];
  const input = mode === "upload" ? source(UPLOAD_SIZE) : null;
  if (which === "kubegen") {
    const s = await exec(client, {
      namespace: NS,
      name: POD,
      container: "main",
      command: cmd,
      stdin: !!input,
      stderr: false,
    });
    if (input) input.pipe(s.stdin!);
    s.stdout!.pipe(mode === "slow" ? slowSink() : sink());
    await s.exit;
  } else {
    await new Promise<void>((resolve, reject) => {
      new Exec(kc)
        .exec(NS, POD, "main", cmd, mode === "slow" ? slowSink() : sink(), null, input, false, () =>
          resolve(),
        )
        .catch(reject);
    });
  }
  clearInterval(timer);
  process.stdout.write(JSON.stringify({ addedMB: (peak - base) / MB }) + "\n");
  process.exit(0);
}

async function rss(which: string, mode: string, t: Target): Promise<number> {
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn(
      process.execPath,
      [
        "--expose-gc",
        "--import",
        "tsx",
        process.argv[1],
        "--child",
        which,
        mode,
        ...(quick ? ["--quick"] : []),
      ],
      {
        env: { ...process.env, BENCH_TARGET: JSON.stringify(t) },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let text = "";
    c.stdout.on("data", (d) => (text += d));
    c.on("exit", (code) =>
      code === 0 ? resolve(text) : reject(new Error(`rss child ${which} ${mode}: ${code}`)),
    );
  });
  return (JSON.parse(out.trim().split("\n").pop()!) as { addedMB: number }).addedMB;
}

async function main() {
  if (process.argv.includes("--child")) {
    const i = process.argv.indexOf("--child");
    return child(
      process.argv[i + 1],
      process.argv[i + 2],
      JSON.parse(process.env.BENCH_TARGET!) as Target,
    );
  }
  const cluster = await startCluster();
  const kubelet = await startFakeKubelet(cluster, "bench-node");
  try {
    const t: Target = {
      server: cluster.server,
      token: cluster.adminToken,
      ca: cluster.caPem,
      kubeconfig: cluster.kubeconfigPath,
    };
    const client = createClient({ server: t.server, token: t.token, ca: t.ca });
    await createNamespacedPod(client, {
      namespace: NS,
      body: {
        metadata: { name: POD },
        spec: {
          nodeName: kubelet.nodeName,
          containers: ["main", "flood"].map((name) => ({ name, image: "none" })),
        },
      },
    });
    // kubectl port-forward refuses pods that are not Running (a client-side check).
    await patchNamespacedPodStatus(client, {
      namespace: NS,
      name: POD,
      patchType: "merge",
      body: { status: { phase: "Running" } },
    });
    const kc = new KubeConfig();
    kc.loadFromFile(t.kubeconfig);
    const rows = await measure(t, client, kc);
    const mem = [];
    for (const mode of ["slow", "upload"]) {
      const size = mode === "slow" ? SLOW_SIZE : UPLOAD_SIZE;
      const entry = {
        mode,
        size,
        kubegen: await rss("kubegen", mode, t),
        clientNode: await rss("client-node", mode, t),
      };
      console.log(entry);
      mem.push(entry);
    }
    await client.close();
    const f = (x: number) => (x >= 1000 ? Math.round(x).toLocaleString("en-US") : x.toFixed(0));
    const md = [
      "## Streams (exec, port-forward, logs)",
      "",
      `Through kube-apiserver v1.36.3 and the fake kubelet (test/cluster/fake-kubelet), ${SIZE / MB} MB transfers, ` +
        `${LINES.toLocaleString("en-US")} log lines; best of ${quick ? 1 : 3}. kubectl ${"1.32"} and client-node 2.0.1 in the same run. ` +
        "`node --import tsx bench/rooms/streams.ts" +
        (quick ? " --quick" : "") +
        "`",
      "",
      "| row | kubegen | kubectl | client-node | kubegen / kubectl |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...rows.map(
        (r) =>
          `| ${r.name} (${r.unit}) | ${f(r.kubegen)} | ${f(r.kubectl)} | ${f(r.clientNode)} | ${(r.kubegen / r.kubectl).toFixed(2)} |`,
      ),
      "",
      "RSS added (MB, peak minus start, each client in its own process):",
      "",
      "| case | kubegen | client-node |",
      "| --- | ---: | ---: |",
      ...mem.map(
        (m) =>
          `| ${m.mode === "slow" ? `slow consumer (64 KiB/ms) of ${m.size / MB} MB exec stdout` : `${m.size / MB} MB exec stdin upload`} | ${m.kubegen.toFixed(0)} | ${m.clientNode.toFixed(0)} |`,
      ),
    ].join("\n");
    await writeRoomSection("streams", md);
    console.log(md);
  } finally {
    await kubelet.stop();
    await cluster.stop();
  }
}

await main();
