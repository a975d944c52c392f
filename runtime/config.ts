/** Chooses how to reach the API server: explicit options, then in-cluster, then kubeconfig. */

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { staticToken, tokenFile } from "./credentials.js";
import {
  ConfigError,
  INSECURE_WITH_CA,
  checkProxy,
  checkServer,
  connectionFromKubeconfig,
  loadKubeconfig,
  plainHttpWarning,
  readPem,
} from "./kubeconfig.js";
import { proxyFromEnvironment } from "./proxy-env.js";
import type { Connection, Credentials, TlsSettings } from "./types.js";

export { ConfigError };

export interface ConnectionOptions {
  /** API server URL, e.g. `https://10.0.0.1:6443` or `http://127.0.0.1:8001` (kubectl proxy). Setting it selects the explicit options below and ignores in-cluster and kubeconfig. */
  server?: string;
  /** Bearer token (explicit mode). */
  token?: string;
  /** File holding a bearer token, re-read when it changes (explicit mode). Takes precedence over `token`. */
  tokenFile?: string;
  /** CA bundle (PEM) to verify the server (explicit mode). Default: the system roots. */
  ca?: string | Buffer;
  /** File holding the CA bundle (explicit mode); used when `ca` is not given. */
  caFile?: string;
  /** Client certificate (PEM) for mutual TLS (explicit mode). Needs `key`. */
  cert?: string | Buffer;
  /** Client private key (PEM) for mutual TLS (explicit mode). Needs `cert`. */
  key?: string | Buffer;
  /** Server name to verify instead of the URL's host (explicit mode). */
  tlsServerName?: string;
  /** Skip server certificate verification (explicit mode). Adds a warning to the connection. */
  insecureSkipTlsVerify?: boolean;
  /** HTTP(S) proxy URL to tunnel through (explicit mode). */
  proxyUrl?: string;
  /**
   * Without a proxy URL (option or kubeconfig `proxy-url`), take one from `HTTPS_PROXY` /
   * `HTTP_PROXY` and `NO_PROXY`, as kubectl does (default true; never for loopback servers).
   */
  proxyFromEnvironment?: boolean;
  /** Custom credentials (explicit mode); take precedence over `tokenFile` and `token`. */
  credentials?: Credentials;
  /**
   * Send kubeconfig credentials to a plain `http://` server (default false: like kubectl, they
   * are left out with a warning, since a token there is readable on the wire).
   */
  sendCredentialsOverHttp?: boolean;
  /** Time limit for a kubeconfig exec credential plugin in ms (default 60 000). */
  execTimeoutMs?: number;
  /** Set to false to never use the in-cluster service account. */
  inCluster?: boolean;
  /**
   * Service-account directory for in-cluster mode. Default: env `KUBEGEN_SERVICE_ACCOUNT_DIR`, else
   * `/var/run/secrets/kubernetes.io/serviceaccount`.
   */
  serviceAccountDir?: string;
  /** Kubeconfig file(s) to load instead of `KUBECONFIG` / `~/.kube/config`. Giving this (or `context`) skips in-cluster detection. */
  kubeconfig?: string | string[];
  /** Kubeconfig context to use instead of `current-context`. */
  context?: string;
  /** Environment to read (`KUBERNETES_SERVICE_*`, `KUBECONFIG`, `HOME`, exec plugin environment). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * Resolves the connection synchronously: explicit `server` > in-cluster service account >
 * kubeconfig. Certificate files are read now; exec plugins run at first use.
 */
export function resolveConnection(options: ConnectionOptions = {}): Connection {
  const env = options.env ?? process.env;
  const connection = chooseConnection(options, env);
  if (connection.proxyUrl || options.proxyFromEnvironment === false) return connection;
  const proxy = proxyFromEnvironment(connection.server, env);
  if (!proxy) return connection;
  return {
    ...connection,
    proxyUrl: proxy.proxyUrl,
    description: `${connection.description}, through the proxy in ${proxy.variable}`,
  };
}

function chooseConnection(options: ConnectionOptions, env: NodeJS.ProcessEnv): Connection {
  if (options.server) return explicitConnection(options.server, options);

  const tried = ["explicit options: no server given"];
  // Naming a kubeconfig or context is a request for kubeconfig, even inside a pod.
  const wantsKubeconfig = options.kubeconfig !== undefined || options.context !== undefined;
  if (options.inCluster === false) tried.push("in-cluster: disabled by options");
  else if (wantsKubeconfig)
    tried.push("in-cluster: skipped because a kubeconfig or context was given");
  else {
    const saDir =
      options.serviceAccountDir ?? env.KUBEGEN_SERVICE_ACCOUNT_DIR ?? SERVICE_ACCOUNT_DIR;
    const inCluster = inClusterConnection(saDir, env, tried);
    if (inCluster) return inCluster;
  }

  const paths = options.kubeconfig === undefined ? undefined : [options.kubeconfig].flat();
  const merged = loadKubeconfig({ paths, env });
  if (merged.files.length === 0) {
    const where = merged.tried.length
      ? merged.tried.join(", ")
      : "no path (KUBECONFIG and HOME unset)";
    tried.push(`kubeconfig: ${where} not found`);
    throw new ConfigError(`no Kubernetes configuration found; tried:\n  ${tried.join("\n  ")}`);
  }
  return connectionFromKubeconfig(merged, {
    context: options.context,
    env,
    sendCredentialsOverHttp: options.sendCredentialsOverHttp,
    execTimeoutMs: options.execTimeoutMs,
  });
}

function explicitConnection(server: string, o: ConnectionOptions): Connection {
  const url = checkServer(server, "options");
  const warnings: string[] = [];
  const tls: TlsSettings = { rejectUnauthorized: !o.insecureSkipTlsVerify };
  if (o.insecureSkipTlsVerify)
    warnings.push(`TLS verification is disabled for server ${url} (insecureSkipTlsVerify)`);
  const ca = o.ca ?? (o.caFile ? readPem(o.caFile, "caFile") : undefined);
  if (ca && o.insecureSkipTlsVerify) throw new ConfigError(`options: ${INSECURE_WITH_CA}`);
  if (ca) tls.ca = ca;
  if (!o.cert !== !o.key) throw new ConfigError("options: cert and key must be given together");
  if (o.cert) tls.cert = o.cert;
  if (o.key) tls.key = o.key;
  if (o.tlsServerName) tls.servername = o.tlsServerName;
  if (o.proxyUrl) checkProxy(o.proxyUrl, "options");

  const credentials =
    o.credentials ??
    (o.tokenFile ? tokenFile(o.tokenFile) : o.token ? staticToken(o.token) : undefined);
  if (credentials) plainHttpWarning(url, warnings);
  return {
    server: url,
    source: "explicit",
    description: `explicit server ${url}`,
    tls,
    proxyUrl: o.proxyUrl,
    credentials,
    warnings,
  };
}

function inClusterConnection(
  dir: string,
  env: NodeJS.ProcessEnv,
  tried: string[],
): Connection | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    tried.push("in-cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set");
    return undefined;
  }
  const tokenPath = path.join(dir, "token");
  if (!existsSync(tokenPath)) {
    tried.push(`in-cluster: no service-account token at ${tokenPath}`);
    return undefined;
  }
  const server = `https://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
  const warnings: string[] = [];
  const tls: TlsSettings = { rejectUnauthorized: true };
  const caPath = path.join(dir, "ca.crt");
  if (existsSync(caPath)) tls.ca = readPem(caPath, "service-account CA");
  else warnings.push(`no ${caPath}; verifying the API server against the system roots`);
  const namespace = readOptional(path.join(dir, "namespace"));
  return {
    server,
    source: "in-cluster",
    description: `in-cluster service account ${dir}, server ${server}`,
    namespace,
    tls,
    credentials: tokenFile(tokenPath),
    warnings,
  };
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The namespace to use: the client's option, else the connection's, else `default`. */
export function defaultNamespace(explicit: string | undefined, conn: Connection): string {
  return explicit || conn.namespace || "default";
}
