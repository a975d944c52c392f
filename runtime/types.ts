/** Shapes shared by the runtime's rooms: config produces a Connection, transport consumes it. */
import type { Impersonation } from "./identity.js";

/** Where a client's settings came from. */
export type ConfigSource = "explicit" | "in-cluster" | "kubeconfig";

/** TLS material for talking to the API server. PEM strings or buffers. */
export interface TlsSettings {
  /** CA bundle used to verify the server. Absent: the system roots. */
  ca?: string | Buffer;
  /** Client certificate and key (mutual TLS). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Expected server name (kubeconfig `tls-server-name`). */
  servername?: string;
  /** Verify the server certificate. False only when explicitly asked for. */
  rejectUnauthorized: boolean;
}

/** A client certificate and its key (PEM), presented in the TLS handshake. */
export interface ClientCertificate {
  cert: string | Buffer;
  key: string | Buffer;
}

/** Supplies the `Authorization` header; may refresh itself (rotating token files, exec plugins). */
export interface Credentials {
  /** The header value (`Bearer …` or `Basic …`), or undefined for anonymous requests. */
  authorization(): Promise<string | undefined>;
  /**
   * Called once after a 401. Returns true when the credentials were reloaded and a retry may
   * succeed (a rotated token file, an expired exec credential).
   */
  refresh?(): Promise<boolean>;
  /**
   * The client certificate the last `authorization()` obtained, if these credentials produce one
   * (an exec plugin returning `clientCertificateData`). The same object until it changes.
   */
  clientCertificate?(): ClientCertificate | undefined;
  /** Short, secret-free description for messages, e.g. `token file /var/run/…/token`. */
  readonly description: string;
}

/** Everything needed to reach one API server as one identity. */
export interface Connection {
  /** Base URL without a trailing slash, e.g. `https://10.96.0.1:443` or `http://127.0.0.1:8001`. */
  server: string;
  source: ConfigSource;
  /** Human-readable account of the choice, e.g. `kubeconfig /home/me/.kube/config, context kind-dev`. */
  description: string;
  /** Namespace the configuration suggests (in-cluster namespace file, context namespace). */
  namespace?: string;
  tls: TlsSettings;
  /** Plain HTTP(S) proxy to tunnel through (kubeconfig `proxy-url`). */
  proxyUrl?: string;
  credentials?: Credentials;
  /** Impersonation the configuration asks for (kubeconfig `as`, `as-uid`, `as-groups`, `as-user-extra`). */
  impersonate?: Impersonation;
  /** The kubeconfig cluster sets `disable-compression: true`. */
  disableCompression?: boolean;
  /** Warnings gathered while resolving (e.g. insecure-skip-tls-verify). */
  warnings: string[];
}
