/** Loading and merging kubeconfig files with kubectl's rules, and turning a context into a Connection. */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { basicAuth, execPlugin, staticToken, tokenFile } from "./credentials.js";
import type { ExecClusterInfo, ExecConfig } from "./credentials.js";
import type { Impersonation } from "./identity.js";
import type { Connection, Credentials, TlsSettings } from "./types.js";

// The YAML parser is loaded only when a kubeconfig is read: a client given a `server` (or running
// in a pod) never pays for it. A synchronous require keeps createClient synchronous.
// The parser's own types are not imported: the part used here is small, and leaving out the
// package's 41 declaration files keeps type-checking an application that imports the runtime fast.
interface YamlDocument {
  errors: { code: string; linePos?: { line: number; col: number }[] }[];
  toJS(): unknown;
}
let parseDocument: ((text: string) => YamlDocument) | undefined;
function parseYaml(text: string): YamlDocument {
  parseDocument ??= (
    createRequire(import.meta.url)("yaml") as { parseDocument: typeof parseDocument }
  ).parseDocument!;
  return parseDocument(text);
}

/** kubectl's wording for a CA combined with insecure-skip-tls-verify. */
export const INSECURE_WITH_CA =
  "specifying a root certificates file with the insecure flag is not allowed";

/** The configuration is missing, inconsistent or unreadable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** A cluster entry; file paths are already absolute. */
export interface KubeconfigCluster {
  /** The file that defined this entry. */
  file: string;
  server?: string;
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  tlsServerName?: string;
  proxyUrl?: string;
  insecureSkipTlsVerify: boolean;
  disableCompression: boolean;
  /** The `client.authentication.k8s.io/exec` extension, passed to exec plugins with provideClusterInfo. */
  execExtension?: unknown;
}

/** A user entry; file paths (and an exec command containing a slash) are already absolute. */
export interface KubeconfigUser {
  file: string;
  token?: string;
  tokenFile?: string;
  clientCertificate?: string;
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  /** `as`, `as-uid`, `as-groups`, `as-user-extra`. */
  impersonate?: Impersonation;
  /** Name of a legacy auth-provider, which is not supported (only reported in errors). */
  authProvider?: string;
}

export interface KubeconfigContext {
  file: string;
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** Several kubeconfig files merged: for each name the first file defining it wins. */
export interface Kubeconfig {
  /** Files actually read, in merge order. */
  files: string[];
  /** Every path considered, including missing ones. */
  tried: string[];
  currentContext?: string;
  clusters: Map<string, KubeconfigCluster>;
  users: Map<string, KubeconfigUser>;
  contexts: Map<string, KubeconfigContext>;
}

export interface LoadKubeconfigOptions {
  /** Files to read. A missing file is an error. Default: `KUBECONFIG`, else `~/.kube/config`, missing ones skipped. */
  paths?: string[];
  /** Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Default kubeconfig paths: the `KUBECONFIG` list, else `$HOME/.kube/config`. */
export function kubeconfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(path.delimiter).filter(Boolean);
  const home = env.HOME || env.USERPROFILE;
  return home ? [path.join(home, ".kube", "config")] : [];
}

export function loadKubeconfig(opts: LoadKubeconfigOptions = {}): Kubeconfig {
  const explicit = opts.paths !== undefined;
  const candidates = (opts.paths ?? kubeconfigPaths(opts.env ?? process.env)).map((p) =>
    path.resolve(p),
  );
  const merged: Kubeconfig = {
    files: [],
    tried: [...new Set(candidates)],
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
  };
  for (const file of merged.tried) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // kubectl skips missing entries of KUBECONFIG, but not an explicitly named file.
      if (code === "ENOENT" && !explicit) continue;
      throw new ConfigError(`cannot read kubeconfig ${file}: ${code ?? err}`);
    }
    mergeFile(merged, file, text);
    merged.files.push(file);
  }
  return merged;
}

function mergeFile(merged: Kubeconfig, file: string, text: string): void {
  const doc = parseYaml(text);
  if (doc.errors.length) {
    // The parser's own message quotes the offending line, which may hold a secret.
    const e = doc.errors[0];
    const at = e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : "";
    throw new ConfigError(`kubeconfig ${file} is not valid YAML${at} (${e.code})`);
  }
  const root = doc.toJS() ?? {};
  const r = new Reader(file);
  if (!isObject(root)) throw new ConfigError(`kubeconfig ${file} is not a YAML mapping`);

  const current = r.str(root, "current-context");
  if (current && merged.currentContext === undefined) merged.currentContext = current;

  for (const [name, c] of r.named(root, "clusters", "cluster")) {
    if (merged.clusters.has(name)) continue;
    const where = `cluster ${name}`;
    merged.clusters.set(name, {
      file,
      server: r.str(c, "server", where),
      certificateAuthority: r.path(c, "certificate-authority", where),
      certificateAuthorityData: r.str(c, "certificate-authority-data", where),
      tlsServerName: r.str(c, "tls-server-name", where),
      proxyUrl: r.str(c, "proxy-url", where),
      insecureSkipTlsVerify: r.bool(c, "insecure-skip-tls-verify", where),
      disableCompression: r.bool(c, "disable-compression", where),
      execExtension: r.extension(c, "client.authentication.k8s.io/exec", where),
    });
  }
  for (const [name, u] of r.named(root, "users", "user")) {
    if (merged.users.has(name)) continue;
    const where = `user ${name}`;
    const provider = u["auth-provider"];
    merged.users.set(name, {
      file,
      token: r.str(u, "token", where),
      tokenFile: r.path(u, "tokenFile", where),
      clientCertificate: r.path(u, "client-certificate", where),
      clientCertificateData: r.str(u, "client-certificate-data", where),
      clientKey: r.path(u, "client-key", where),
      clientKeyData: r.str(u, "client-key-data", where),
      username: r.str(u, "username", where),
      password: r.str(u, "password", where),
      exec: u.exec == null ? undefined : r.exec(u.exec, `${where} exec`),
      impersonate: r.impersonation(u, where),
      authProvider: isObject(provider) ? String(provider.name ?? "unnamed") : undefined,
    });
  }
  for (const [name, c] of r.named(root, "contexts", "context")) {
    if (merged.contexts.has(name)) continue;
    const where = `context ${name}`;
    merged.contexts.set(name, {
      file,
      cluster: r.str(c, "cluster", where),
      user: r.str(c, "user", where),
      namespace: r.str(c, "namespace", where),
    });
  }
}

/** Typed field access with errors naming the file and entry. */
class Reader {
  constructor(private file: string) {}

  fail(where: string, msg: string): never {
    throw new ConfigError(`kubeconfig ${this.file}: ${where}: ${msg}`);
  }

  /** `[{name, <key>: {...}}]` lists. */
  named(
    root: Record<string, unknown>,
    list: string,
    key: string,
  ): [string, Record<string, unknown>][] {
    const items = root[list];
    if (items == null) return [];
    if (!Array.isArray(items)) this.fail(list, "must be a list");
    return items.map((item, i) => {
      if (!isObject(item) || typeof item.name !== "string")
        this.fail(`${list}[${i}]`, "needs a string name");
      const body = item[key] ?? {};
      if (!isObject(body)) this.fail(`${key} ${item.name}`, `${key} must be a mapping`);
      return [item.name, body];
    });
  }

  str(o: Record<string, unknown>, key: string, where = "top level"): string | undefined {
    const v = o[key];
    if (v == null || v === "") return undefined;
    // Unquoted numbers are rejected (as kubectl does) rather than silently reformatted.
    if (typeof v !== "string") this.fail(where, `${key} must be a string`);
    return v;
  }

  bool(o: Record<string, unknown>, key: string, where: string): boolean {
    const v = o[key];
    if (v == null) return false;
    if (typeof v !== "boolean") this.fail(where, `${key} must be true or false`);
    return v;
  }

  /** A path relative to the defining file. */
  path(o: Record<string, unknown>, key: string, where: string): string | undefined {
    const v = this.str(o, key, where);
    return v === undefined ? undefined : path.resolve(path.dirname(this.file), v);
  }

  /** A named entry of a cluster's `extensions` list. */
  extension(o: Record<string, unknown>, name: string, where: string): unknown {
    const list = o.extensions;
    if (list == null) return undefined;
    if (!Array.isArray(list)) this.fail(where, "extensions must be a list");
    const entry = list.find((e) => isObject(e) && e.name === name) as
      Record<string, unknown> | undefined;
    return entry?.extension;
  }

  strings(o: Record<string, unknown>, key: string, where: string): string[] | undefined {
    const v = o[key];
    if (v == null) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string"))
      this.fail(where, `${key} must be a list of strings`);
    return v;
  }

  impersonation(u: Record<string, unknown>, where: string): Impersonation | undefined {
    const user = this.str(u, "as", where);
    const uid = this.str(u, "as-uid", where);
    const groups = this.strings(u, "as-groups", where);
    const rawExtra = u["as-user-extra"];
    let extra: Record<string, string[]> | undefined;
    if (rawExtra != null) {
      if (!isObject(rawExtra))
        this.fail(where, "as-user-extra must be a mapping of lists of strings");
      extra = {};
      for (const key of Object.keys(rawExtra))
        extra[key] = this.strings(rawExtra, key, `${where} as-user-extra`) ?? [];
    }
    if (!user && !uid && !groups?.length && !extra) return undefined;
    if (!user)
      this.fail(where, "as-uid, as-groups and as-user-extra require as (the user to impersonate)");
    return { user, uid, groups, extra };
  }

  exec(v: unknown, where: string): ExecConfig {
    if (!isObject(v)) this.fail(where, "must be a mapping");
    const command = this.str(v, "command", where) ?? this.fail(where, "command is required");
    const apiVersion =
      this.str(v, "apiVersion", where) ?? this.fail(where, "apiVersion is required");
    const args = v.args ?? [];
    if (!Array.isArray(args) || !args.every((a) => typeof a === "string"))
      this.fail(where, "args must be a list of strings");
    const env = v.env ?? [];
    if (
      !Array.isArray(env) ||
      !env.every((e) => isObject(e) && typeof e.name === "string" && typeof e.value === "string")
    ) {
      this.fail(where, "env must be a list of {name, value} strings");
    }
    // Like kubectl: a bare name is looked up on PATH, anything with a slash is a path.
    const isPath = command.includes("/") || command.includes(path.sep);
    return {
      apiVersion,
      command: isPath ? path.resolve(path.dirname(this.file), command) : command,
      args,
      env: env as ExecConfig["env"],
      installHint: this.str(v, "installHint", where),
      interactiveMode: this.interactiveMode(v, where),
      provideClusterInfo: this.bool(v, "provideClusterInfo", where),
    };
  }

  interactiveMode(v: Record<string, unknown>, where: string): ExecConfig["interactiveMode"] {
    const mode = this.str(v, "interactiveMode", where);
    // client-go requires it in v1 and defaults v1beta1 to IfAvailable; a missing one is read as
    // IfAvailable for both, so existing v1 kubeconfigs keep working.
    if (mode === undefined) return "IfAvailable";
    if (mode !== "Never" && mode !== "IfAvailable" && mode !== "Always") {
      this.fail(where, `interactiveMode must be Never, IfAvailable or Always, got "${mode}"`);
    }
    return mode;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export interface KubeconfigConnectionOptions {
  /** Context to use instead of `current-context`. */
  context?: string;
  /** Environment for exec plugins. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Send the user's credentials even when the server is a plain `http://` URL (default false). */
  sendCredentialsOverHttp?: boolean;
  /** Exec plugin time limit in ms (default 60 000). */
  execTimeoutMs?: number;
  /** Whether an exec plugin may prompt on this terminal (default: standard input is a TTY). */
  interactive?: boolean;
}

/** Builds a Connection from a context of a merged kubeconfig. Certificate files are read now. */
export function connectionFromKubeconfig(
  merged: Kubeconfig,
  opts: KubeconfigConnectionOptions = {},
): Connection {
  if (merged.files.length === 0) {
    throw new ConfigError(
      `no kubeconfig found (tried ${merged.tried.join(", ") || "no paths: KUBECONFIG and HOME unset"})`,
    );
  }
  const files = merged.files.join(path.delimiter);
  const name = opts.context || merged.currentContext;
  if (!name) throw new ConfigError(`kubeconfig ${files} has no current-context; choose a context`);
  const ctx = merged.contexts.get(name);
  if (!ctx) {
    const known = [...merged.contexts.keys()].join(", ") || "none";
    throw new ConfigError(
      `context "${name}" not found in kubeconfig ${files} (contexts: ${known})`,
    );
  }
  if (!ctx.cluster) throw new ConfigError(`context "${name}" (${ctx.file}) names no cluster`);
  const cluster = merged.clusters.get(ctx.cluster);
  if (!cluster)
    throw new ConfigError(
      `context "${name}" (${ctx.file}) names cluster "${ctx.cluster}", which is not defined`,
    );
  const user = ctx.user ? merged.users.get(ctx.user) : undefined;
  if (ctx.user && !user)
    throw new ConfigError(
      `context "${name}" (${ctx.file}) names user "${ctx.user}", which is not defined`,
    );

  const where = `cluster "${ctx.cluster}" (${cluster.file})`;
  if (!cluster.server) throw new ConfigError(`${where} has no server`);
  const server = checkServer(cluster.server, where);
  const warnings: string[] = [];
  const tls: TlsSettings = { rejectUnauthorized: !cluster.insecureSkipTlsVerify };
  if (cluster.insecureSkipTlsVerify) {
    // kubectl refuses the combination rather than silently dropping the CA.
    if (cluster.certificateAuthorityData || cluster.certificateAuthority) {
      throw new ConfigError(`${where}: ${INSECURE_WITH_CA}`);
    }
    warnings.push(
      `TLS verification is disabled for cluster "${ctx.cluster}" (insecure-skip-tls-verify)`,
    );
  } else if (cluster.certificateAuthorityData) {
    tls.ca = Buffer.from(cluster.certificateAuthorityData, "base64");
  } else if (cluster.certificateAuthority) {
    tls.ca = readPem(cluster.certificateAuthority, `certificate-authority of ${where}`);
  }
  if (cluster.tlsServerName) tls.servername = cluster.tlsServerName;
  if (cluster.proxyUrl) checkProxy(cluster.proxyUrl, where);

  let credentials: Credentials | undefined;
  if (user) {
    const uwhere = `user "${ctx.user}" (${user.file})`;
    if (user.clientCertificateData) tls.cert = Buffer.from(user.clientCertificateData, "base64");
    else if (user.clientCertificate)
      tls.cert = readPem(user.clientCertificate, `client-certificate of ${uwhere}`);
    if (user.clientKeyData) tls.key = Buffer.from(user.clientKeyData, "base64");
    else if (user.clientKey) tls.key = readPem(user.clientKey, `client-key of ${uwhere}`);
    if (!tls.cert !== !tls.key)
      throw new ConfigError(`${uwhere} needs both a client certificate and a client key`);

    // client-go's order: a token file beats a token; a token, basic auth or client certificate
    // each take precedence over an exec plugin.
    if (user.tokenFile) credentials = tokenFile(user.tokenFile);
    else if (user.token) credentials = staticToken(user.token);
    else if (user.username || user.password)
      credentials = basicAuth(user.username ?? "", user.password ?? "");
    else if (user.exec && !tls.cert) {
      const clusterInfo: ExecClusterInfo = {
        server,
        "tls-server-name": tls.servername,
        "insecure-skip-tls-verify": cluster.insecureSkipTlsVerify || undefined,
        "certificate-authority-data": tls.ca ? Buffer.from(tls.ca).toString("base64") : undefined,
        "proxy-url": cluster.proxyUrl,
        "disable-compression": cluster.disableCompression || undefined,
        config: cluster.execExtension,
      };
      credentials = execPlugin(user.exec, {
        env: opts.env ?? process.env,
        timeoutMs: opts.execTimeoutMs,
        interactive: opts.interactive,
        cluster: clusterInfo,
      });
    } else if (user.authProvider && !tls.cert) {
      throw new ConfigError(
        `${uwhere} uses auth-provider "${user.authProvider}", which is not supported; use an exec plugin`,
      );
    }
  }
  // kubectl sends no credentials to a plain http:// server: a token there is readable on the wire.
  if (server.startsWith("http:") && user && (credentials || tls.cert)) {
    if (opts.sendCredentialsOverHttp) plainHttpWarning(server, warnings);
    else {
      warnings.push(
        `the credentials of user "${ctx.user}" are not sent to ${server} (plain http); ` +
          "set sendCredentialsOverHttp to send them unencrypted",
      );
      credentials = undefined;
    }
  }

  return {
    server,
    source: "kubeconfig",
    description: `kubeconfig ${files}, context ${name}`,
    namespace: ctx.namespace,
    tls,
    proxyUrl: cluster.proxyUrl,
    credentials,
    impersonate: user?.impersonate,
    disableCompression: cluster.disableCompression || undefined,
    warnings,
  };
}

/** Validates a server URL and drops a trailing slash. */
export function checkServer(server: string, where: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ConfigError(`${where}: server "${server}" is not a valid URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`${where}: server "${server}" must be an http:// or https:// URL`);
  }
  return server.replace(/\/+$/, "");
}

export function checkProxy(proxyUrl: string, where: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(proxyUrl).protocol;
  } catch {}
  if (protocol !== "http:" && protocol !== "https:") {
    throw new ConfigError(
      `${where}: a proxy must be an http:// or https:// URL (SOCKS proxies are not supported)`,
    );
  }
}

/** Credentials over plain HTTP are readable on the wire; worth saying so. */
export function plainHttpWarning(server: string, warnings: string[]): void {
  if (server.startsWith("http:")) warnings.push(`credentials are sent unencrypted to ${server}`);
}

/** Reads a PEM file at startup, naming the file and its role on failure. */
export function readPem(file: string, role: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(
      `cannot read ${role}: ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
}
