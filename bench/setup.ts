/** Before any section runs: the machine's description, the certificate, compiled JavaScript, the test server. */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { bundleRuntime } from "../packaging/bundle-runtime.js";
import { ROOT } from "./report.js";
import { JS, WORK, childEnv, packageDir, packageVersion } from "./support.js";

export type Machine = ReturnType<typeof machine>;

export function machine() {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
  } catch {
    // Not a checkout.
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    nproc: os.availableParallelism(),
    cpu: model,
    ramGb: os.totalmem() / 1024 ** 3,
    node: process.version,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    loadStart: os.loadavg(),
    commit,
    versions: {
      undici: packageVersion("undici"),
      yaml: packageVersion("yaml"),
      clientNode: packageVersion("@kubernetes/client-node"),
      clientNodeUndici: packageVersion(
        "undici",
        packageDir("@kubernetes/client-node", ROOT) ?? ROOT,
      ),
      typescript: packageVersion("typescript"),
      esbuild: esbuild.version,
    },
  };
}

/** RSA 2048, as kubeadm issues for API servers; the client verifies it against this self-signed cert. */
export function ensureCert(): { cert: string; key: string } {
  const cert = join(WORK, "cert.pem");
  const key = join(WORK, "key.pem");
  if (!existsSync(cert) || !existsSync(key)) {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "3650",
        "-subj",
        "/CN=kubegen-bench",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: "ignore" },
    );
  }
  return { cert, key };
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => join(ROOT, dir, f));
}

/**
 * Measured processes run compiled JavaScript, as an installed package would: one module per file
 * (what tsc emits), then the runtime's entries bundled exactly as `npm run build` ships them
 * (packaging/bundle-runtime.ts). Layout mirrors the repository.
 */
export async function compile(): Promise<void> {
  const bench = ["fixtures", "clients", "worker", "server", "cold-start", "gen-phases"].map((f) =>
    join(ROOT, "bench", `${f}.ts`),
  );
  await esbuild.build({
    entryPoints: [
      ...tsFiles("runtime"),
      ...tsFiles("generator"),
      ...tsFiles("templates"),
      ...tsFiles("generated"),
      ...bench,
    ],
    outdir: JS,
    outbase: ROOT,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "error",
  });
  await bundleRuntime(join(JS, "runtime"));
}

export function startServer(
  cert: string,
  key: string,
): Promise<{ server: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(JS, "bench/server.js"), cert, key], {
      env: childEnv(),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c;
      const nl = out.indexOf("\n");
      if (nl !== -1)
        resolve({
          server: `https://127.0.0.1:${(JSON.parse(out.slice(0, nl)) as { port: number }).port}`,
          child,
        });
    });
    child.on("exit", (code) => reject(new Error(`test server exited ${code}`)));
  });
}
