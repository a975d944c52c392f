// Provides the kube-apiserver and etcd binaries the e2e tests run against: prebuilt ones
// named by KUBEGEN_APISERVER_BIN / KUBEGEN_ETCD_BIN (each on its own), or else ones built
// from the Go modules next to this file and cached per version under
// ${KUBEGEN_CACHE_DIR:-~/.cache/kubegen}/bin (a cold build takes up to ~15 minutes).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Binaries {
  apiserver: string;
  etcd: string;
}

/** Thrown when there is neither a prebuilt binary nor a Go toolchain to build one. */
export class BinariesUnavailableError extends Error {
  override name = "BinariesUnavailableError";
}

const here = dirname(fileURLToPath(import.meta.url));

interface Target {
  name: string;
  envVar: string;
  moduleDir: string;
  version: string;
  ldflags: string;
}

// Versions come from the go.mod files so that they are pinned in exactly one place.
function moduleVersion(moduleDir: string, modulePath: string): string {
  const gomod = readFileSync(join(moduleDir, "go.mod"), "utf8");
  const escaped = modulePath.replace(/[./]/g, (c) => `\\${c}`);
  const m = new RegExp(`(?:^|\\s)${escaped} (v\\S+)`, "m").exec(gomod);
  if (!m) throw new Error(`${modulePath} not found in ${moduleDir}/go.mod`);
  return m[1];
}

export function targets(): { apiserver: Target; etcd: Target } {
  const apiDir = join(here, "kube-apiserver");
  const etcdDir = join(here, "etcd");
  const kube = moduleVersion(apiDir, "k8s.io/kubernetes");
  const [major, minor] = kube.slice(1).split(".");
  // Kubernetes' release builds stamp the version with -X (hack/lib/version.sh); without it
  // /version would report v0.0.0-master.
  const ldflags = Object.entries({
    gitVersion: kube,
    gitMajor: major,
    gitMinor: minor,
    gitTreeState: "clean",
  })
    .flatMap(([k, v]) => [
      `-X k8s.io/component-base/version.${k}=${v}`,
      `-X k8s.io/client-go/pkg/version.${k}=${v}`,
    ])
    .join(" ");
  return {
    apiserver: {
      name: "kube-apiserver",
      envVar: "KUBEGEN_APISERVER_BIN",
      moduleDir: apiDir,
      version: kube,
      ldflags,
    },
    etcd: {
      name: "etcd",
      envVar: "KUBEGEN_ETCD_BIN",
      moduleDir: etcdDir,
      version: moduleVersion(etcdDir, "go.etcd.io/etcd/server/v3"),
      ldflags: "",
    },
  };
}

/** The fake kubelet of the stream tests (test/cluster/fake-kubelet), versioned by the upstream streaming packages it serves. */
export function fakeKubeletTarget(): Target {
  const moduleDir = join(here, "fake-kubelet");
  return {
    name: "fake-kubelet",
    envVar: "KUBEGEN_FAKE_KUBELET_BIN",
    moduleDir,
    // The source is ours and changes, so it is part of the cache key.
    version: `${moduleVersion(moduleDir, "k8s.io/cri-streaming")}-${createHash("sha256")
      .update(readFileSync(join(moduleDir, "main.go")))
      .update(readFileSync(join(moduleDir, "go.sum")))
      .digest("hex")
      .slice(0, 12)}`,
    ldflags: "",
  };
}

export const ensureFakeKubelet = (): Promise<string> => ensure(fakeKubeletTarget());

export function cacheDir(): string {
  return join(process.env.KUBEGEN_CACHE_DIR ?? join(homedir(), ".cache", "kubegen"), "bin");
}

const log = (msg: string) => process.stderr.write(`[kubegen cluster] ${msg}\n`);

export async function ensureBinaries(): Promise<Binaries> {
  const t = targets();
  return { apiserver: await ensure(t.apiserver), etcd: await ensure(t.etcd) };
}

async function ensure(t: Target): Promise<string> {
  const prebuilt = process.env[t.envVar];
  if (prebuilt) {
    try {
      accessSync(prebuilt, constants.X_OK);
    } catch {
      throw new Error(`${t.envVar}=${prebuilt} is not an executable file`);
    }
    return prebuilt;
  }
  const bin = join(cacheDir(), `${t.name}-${t.version}`);
  if (existsSync(bin)) return bin;

  if (!haveGo()) {
    throw new BinariesUnavailableError(
      `no ${t.name} ${t.version}: \`go\` is not on PATH, so it cannot be built from test/cluster/${t.name}. ` +
        `Install Go (version: see that go.mod), or set KUBEGEN_APISERVER_BIN and KUBEGEN_ETCD_BIN ` +
        `to prebuilt kube-apiserver and etcd binaries.`,
    );
  }
  const release = await lock(cacheDir());
  try {
    // Another process may have built it while we waited for the lock.
    if (!existsSync(bin)) await build(t, bin);
  } finally {
    release();
  }
  return bin;
}

const haveGo = () => spawnSync("go", ["version"], { stdio: "ignore" }).status === 0;

async function build(t: Target, bin: string): Promise<void> {
  // Under the lock, any temp file left next to bin comes from a build that was killed.
  for (const f of readdirSync(dirname(bin))) {
    if (f.startsWith(`${basename(bin)}.tmp-`)) rmSync(join(dirname(bin), f), { force: true });
  }
  const tmp = `${bin}.tmp-${process.pid}`;
  const started = Date.now();
  log(`building ${t.name} ${t.version} into ${bin} (the first build can take ~15 minutes)`);
  const args = ["build", "-trimpath", "-buildvcs=false", "-ldflags", t.ldflags, "-o", tmp, "."];
  // Progress: go build is silent until it finishes.
  const heartbeat = setInterval(
    () => log(`still building ${t.name} (${Math.round((Date.now() - started) / 1000)}s)`),
    30_000,
  );
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn("go", args, {
        cwd: t.moduleDir,
        env: { ...process.env, GOTOOLCHAIN: "local" },
        stdio: ["ignore", "inherit", "inherit"],
      });
      child.on("error", reject);
      child.on("exit", resolve);
    });
    if (code !== 0)
      throw new Error(`go build of ${t.name} failed (exit ${code}); see the output above`);
    // Rename is atomic, so nobody ever sees a half-written binary under the final name.
    renameSync(tmp, bin);
  } finally {
    clearInterval(heartbeat);
    rmSync(tmp, { force: true });
  }
  log(`built ${t.name} in ${Math.round((Date.now() - started) / 1000)}s`);
}

// mkdir is atomic, which makes a directory a simple cross-process lock. A lock whose owner
// has died is taken over.
async function lock(dir: string): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const lockDir = join(dir, ".build.lock");
  const pidFile = join(lockDir, "pid");
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(pidFile, String(process.pid));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    if (lockIsStale(lockDir, pidFile)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) log(`waiting for another process building into ${dir} (lock ${lockDir})`);
    announced = true;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function lockIsStale(lockDir: string, pidFile: string): boolean {
  try {
    const pid = Number(readFileSync(pidFile, "utf8"));
    process.kill(pid, 0);
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return true;
    // No pid file yet: the owner is between mkdir and write, unless it died right there.
    if (code === "ENOENT") {
      try {
        return Date.now() - statSync(lockDir).mtimeMs > 60_000;
      } catch {
        return false;
      }
    }
    return false;
  }
}
