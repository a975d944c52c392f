/** Credentials implementations: static token, basic auth, rotating token file, exec plugin. */

import { execFile } from "node:child_process";
import type { ExecFileException } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import type { Credentials } from "./types.js";

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
}

export interface ExecPluginOptions {
  /** Base environment for the plugin. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Working directory for the plugin. Default: the current directory. */
  cwd?: string;
  /** Clock, for tests. */
  now?: () => number;
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
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  for (const { name, value } of config.env ?? []) env[name] = value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({
    apiVersion: config.apiVersion,
    kind: "ExecCredential",
    spec: { interactive: false },
  });

  let cached: { token: string; renewAt: number } | undefined;
  let lastToken: string | undefined; // only used to scrub it from plugin stderr
  let inflight: Promise<string> | undefined;

  function run(): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        command,
        config.args ?? [],
        { env, cwd: options.cwd, maxBuffer: 4 * 1024 * 1024, windowsHide: true },
        (err, stdout, stderr) => {
          if (err) return reject(execError(err, String(stderr)));
          try {
            resolve(parse(String(stdout)));
          } catch (e) {
            reject(e);
          }
        },
      );
    });
  }

  function execError(err: ExecFileException, stderr: string) {
    if (err.code === "ENOENT") {
      const hint = config.installHint ? `\n${config.installHint.trim()}` : "";
      return new CredentialsError(`exec plugin command "${command}" not found${hint}`);
    }
    const status =
      typeof err.code === "number"
        ? `exited with code ${err.code}`
        : err.signal
          ? `was killed by ${err.signal}`
          : `failed (${err.code ?? "unknown error"})`;
    let detail = stderr.trim();
    if (lastToken) detail = detail.split(lastToken).join("[redacted]");
    if (detail.length > 500) detail = `${detail.slice(0, 500)}…`;
    return new CredentialsError(`exec plugin ${command} ${status}${detail ? `: ${detail}` : ""}`);
  }

  function parse(stdout: string): string {
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
    if (typeof status.token !== "string" || !status.token) {
      const why = status.clientCertificateData
        ? "returned a client certificate, which is not supported"
        : "returned no status.token";
      throw new CredentialsError(`exec plugin ${command} ${why}`);
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
    cached = { token: status.token, renewAt };
    lastToken = status.token;
    return status.token;
  }

  return {
    description: `exec plugin ${command}`,
    async authorization() {
      if (cached && now() < cached.renewAt) return `Bearer ${cached.token}`;
      inflight ??= run().finally(() => (inflight = undefined));
      return `Bearer ${await inflight}`;
    },
    async refresh() {
      cached = undefined;
      return true;
    },
  };
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? "unknown error";
}
