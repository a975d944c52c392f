/** Credentials implementations: static token, basic auth, rotating token file, exec plugin. */

import { spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import type { ClientCertificate, Credentials } from "./types.js";

/** A credential could not be obtained. Messages never contain the secret itself. */
export class CredentialsError extends Error {
  override name = "CredentialsError";
}

/** A fixed bearer token. */
export function staticToken(token: string): Credentials {
  const header = `Bearer ${token}`;
  return { description: "static token", authorization: async () => header };
}

/** HTTP Basic authentication. */
export function basicAuth(username: string, password: string): Credentials {
  const header = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  return { description: `basic auth as ${username}`, authorization: async () => header };
}

export interface TokenFileOptions {
  /** Minimum time between `stat` calls on the file. Default 1000 ms. */
  checkIntervalMs?: number;
}

/**
 * A bearer token read from a file and re-read when the file changes, so rotated projected
 * service-account tokens (refreshed hourly by the kubelet) are picked up without a restart.
 */
export function tokenFile(file: string, options: TokenFileOptions = {}): Credentials {
  const interval = options.checkIntervalMs ?? 1000;
  let token: string | undefined;
  let seen = ""; // mtime and size of the version we hold
  let lastCheck = -Infinity;
  let pending: Promise<void> | undefined;

  async function load(force: boolean): Promise<void> {
    let st;
    try {
      st = await stat(file);
    } catch (err) {
      // Keep serving the last good token while the file is briefly missing (atomic swaps).
      if (token !== undefined && !force) return;
      throw new CredentialsError(`cannot read token file ${file}: ${errCode(err)}`);
    }
    const version = `${st.mtimeMs}:${st.size}`;
    if (!force && version === seen && token !== undefined) return;
    let text;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if (token !== undefined && !force) return;
      throw new CredentialsError(`cannot read token file ${file}: ${errCode(err)}`);
    }
    const next = text.trim();
    if (!next) {
      if (token !== undefined && !force) return;
      throw new CredentialsError(`token file ${file} is empty`);
    }
    token = next;
    seen = version;
  }

  // Concurrent callers share one stat/read.
  function once(force: boolean): Promise<void> {
    pending ??= load(force).finally(() => (pending = undefined));
    return pending;
  }

  return {
    description: `token file ${file}`,
    async authorization() {
      const now = Date.now();
      if (token === undefined || now - lastCheck >= interval) {
        lastCheck = now;
        await once(false);
      }
      return `Bearer ${token}`;
    },
    async refresh() {
      const before = token;
      if (pending) await pending.catch(() => {});
      lastCheck = Date.now();
      await once(true);
      return token !== before;
    },
  };
}

/** The `exec` stanza of a kubeconfig user. */
export interface ExecConfig {
  /** `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`. */
  apiVersion: string;
  command: string;
  args?: string[];
  /** Extra environment variables for the plugin, on top of the process environment. */
  env?: { name: string; value: string }[];
  /** Shown when the command is missing, e.g. how to install it. */
  installHint?: string;
  /**
   * `Never`: the plugin never gets the terminal. `IfAvailable` (default): it does when standard
   * input is a terminal. `Always`: it must, and fails clearly when there is none.
   */
  interactiveMode?: "Never" | "IfAvailable" | "Always";
  /** Pass the cluster's details to the plugin in `KUBERNETES_EXEC_INFO` (`spec.cluster`). */
  provideClusterInfo?: boolean;
}

/** `spec.cluster` of `KUBERNETES_EXEC_INFO`, named as client-go names its fields. */
export interface ExecClusterInfo {
  server: string;
  "tls-server-name"?: string;
  "insecure-skip-tls-verify"?: boolean;
  /** Base64 of the CA bundle. */
  "certificate-authority-data"?: string;
  "proxy-url"?: string;
  "disable-compression"?: boolean;
  /** The cluster's `client.authentication.k8s.io/exec` extension. */
  config?: unknown;
}

export interface ExecPluginOptions {
  /** Base environment for the plugin. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Working directory for the plugin. Default: the current directory. */
  cwd?: string;
  /** Clock, for tests. */
  now?: () => number;
  /** The plugin is killed and the call fails after this many ms (default 60 000). */
  timeoutMs?: number;
  /** Whether a terminal is available for the plugin to prompt on. Default: standard input is a TTY. */
  interactive?: boolean;
  /** Sent as `spec.cluster` when the config has `provideClusterInfo`. */
  cluster?: ExecClusterInfo;
}

const EXEC_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];

/**
 * Runs a client-go credential plugin and returns the token it prints. The token is cached until
 * its `expirationTimestamp` (renewed shortly before), or until `refresh()` when it has none.
 */
export function execPlugin(config: ExecConfig, options: ExecPluginOptions = {}): Credentials {
  const { command } = config;
  if (!EXEC_VERSIONS.includes(config.apiVersion)) {
    throw new CredentialsError(
      `exec plugin ${command}: unsupported apiVersion "${config.apiVersion}" (expected ${EXEC_VERSIONS.join(" or ")})`,
    );
  }
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const mode = config.interactiveMode ?? "IfAvailable";
  const terminal = options.interactive ?? Boolean(process.stdin.isTTY);
  const interactive = mode !== "Never" && terminal;
  if (config.provideClusterInfo && !options.cluster) {
    throw new CredentialsError(`exec plugin ${command}: provideClusterInfo needs the cluster's details`);
  }
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  for (const { name, value } of config.env ?? []) env[name] = value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({
    apiVersion: config.apiVersion,
    kind: "ExecCredential",
    spec: {
      interactive,
      ...(config.provideClusterInfo ? { cluster: options.cluster } : undefined),
    },
  });

  let cached: { token?: string; certificate?: ClientCertificate; renewAt: number } | undefined;
  let lastToken: string | undefined; // only used to scrub it from plugin stderr
  let inflight: Promise<void> | undefined;

  function run(): Promise<void> {
    if (mode === "Always" && !terminal) {
      return Promise.reject(
        new CredentialsError(
          `exec plugin ${command} needs a terminal (interactiveMode: Always), but standard input is not one`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      // An interactive plugin reads the terminal and prompts on stderr; stdout is the credential.
      const child = spawn(command, config.args ?? [], {
        env,
        cwd: options.cwd,
        windowsHide: true,
        stdio: [interactive ? "inherit" : "ignore", "pipe", interactive ? "inherit" : "pipe"],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let settled = false;
      const settle = (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      // Killed plugins may leave children holding the pipes open, so a failure settles at once.
      const fail = (e: CredentialsError) => {
        child.kill("SIGKILL");
        child.stdout?.destroy();
        child.stderr?.destroy();
        settle(e);
      };
      const timer = setTimeout(
        () => fail(new CredentialsError(`exec plugin ${command} did not finish within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.stdout!.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > 4 * 1024 * 1024) fail(new CredentialsError(`exec plugin ${command} printed more than 4 MiB`));
        else out.push(chunk);
      });
      child.stderr?.on("data", (chunk: Buffer) => err.length < 64 && err.push(chunk));
      child.on("error", (e: NodeJS.ErrnoException) => settle(execError(e.code, null, "")));
      child.on("close", (code, signal) => {
        if (settled) return;
        if (code !== 0) return settle(execError(code, signal, Buffer.concat(err).toString("utf8")));
        try {
          parse(Buffer.concat(out).toString("utf8"));
          settle(undefined);
        } catch (e) {
          settle(e);
        }
      });
    });
  }

  function execError(code: number | string | null | undefined, signal: string | null, stderr: string) {
    if (code === "ENOENT") {
      const hint = config.installHint ? `\n${config.installHint.trim()}` : "";
      return new CredentialsError(`exec plugin command "${command}" not found${hint}`);
    }
    const status =
      typeof code === "number"
        ? `exited with code ${code}`
        : signal
          ? `was killed by ${signal}`
          : `failed (${code ?? "unknown error"})`;
    let detail = stderr.trim();
    if (lastToken) detail = detail.split(lastToken).join("[redacted]");
    if (detail.length > 500) detail = `${detail.slice(0, 500)}…`;
    return new CredentialsError(`exec plugin ${command} ${status}${detail ? `: ${detail}` : ""}`);
  }

  function parse(stdout: string): void {
    let cred: any;
    try {
      cred = JSON.parse(stdout);
    } catch {
      // The parser's message quotes the input, which may hold a token.
      throw new CredentialsError(`exec plugin ${command} printed invalid JSON (${stdout.length} bytes)`);
    }
    if (cred?.kind !== "ExecCredential") {
      throw new CredentialsError(`exec plugin ${command} did not print an ExecCredential`);
    }
    if (cred.apiVersion !== config.apiVersion) {
      throw new CredentialsError(
        `exec plugin ${command} returned apiVersion "${cred.apiVersion}", configured "${config.apiVersion}"`,
      );
    }
    const status = cred.status ?? {};
    const hasToken = typeof status.token === "string" && status.token !== "";
    const certData = status.clientCertificateData;
    const keyData = status.clientKeyData;
    if (!certData !== !keyData) {
      throw new CredentialsError(`exec plugin ${command} must return clientCertificateData and clientKeyData together`);
    }
    if (!hasToken && !certData) {
      throw new CredentialsError(`exec plugin ${command} returned neither status.token nor a client certificate`);
    }
    let renewAt = Infinity;
    if (status.expirationTimestamp != null) {
      const expires = Date.parse(status.expirationTimestamp);
      if (Number.isNaN(expires)) {
        throw new CredentialsError(`exec plugin ${command} returned an invalid expirationTimestamp`);
      }
      // Renew a little early so a request doesn't race the expiry; short-lived tokens get a
      // proportionally smaller margin.
      const t = now();
      renewAt = expires - Math.min(10_000, Math.max(0, expires - t) / 10);
    }
    // A renewed certificate is a new object, so the transport knows to reconnect with it.
    const same = cached?.certificate?.cert === certData && cached?.certificate?.key === keyData;
    const certificate = certData ? (same ? cached!.certificate : { cert: certData, key: keyData }) : undefined;
    cached = { token: hasToken ? status.token : undefined, certificate, renewAt };
    if (hasToken) lastToken = status.token;
  }

  return {
    description: `exec plugin ${command}`,
    async authorization() {
      if (!cached || now() >= cached.renewAt) {
        inflight ??= run().finally(() => (inflight = undefined));
        await inflight;
      }
      return cached?.token === undefined ? undefined : `Bearer ${cached.token}`;
    },
    clientCertificate: () => cached?.certificate,
    async refresh() {
      // Expire rather than forget: requests in flight keep the certificate they connected with.
      if (cached) cached.renewAt = -Infinity;
      return true;
    },
  };
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? "unknown error";
}
