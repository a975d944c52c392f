import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, defaultNamespace, resolveConnection } from "../../runtime/config.js";
import { connectionFromKubeconfig, loadKubeconfig } from "../../runtime/kubeconfig.js";
import type { Connection } from "../../runtime/types.js";

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "kubegen-config-"));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function write(rel: string, content: string): string {
  const file = path.join(tmp, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const b64 = (s: string) => Buffer.from(s).toString("base64");

/** Two files defining an overlapping cluster name and different current contexts. */
function twoFiles() {
  const a = write(
    "a/config",
    `apiVersion: v1
kind: Config
current-context: ctx-a
clusters:
- name: shared
  cluster: {server: "https://a.example:6443/"}
contexts:
- name: ctx-a
  context: {cluster: shared, user: alice, namespace: team-a}
users:
- name: alice
  user: {token: alice-secret-token}
`,
  );
  const b = write(
    "b/config",
    `current-context: ctx-b
clusters:
- name: shared
  cluster: {server: "https://b.example"}
- name: only-b
  cluster: {server: "https://only-b.example"}
contexts:
- name: ctx-a
  context: {cluster: only-b}
- name: ctx-b
  context: {cluster: only-b, user: alice}
users:
- name: alice
  user: {token: other-token}
`,
  );
  return { a, b };
}

describe("kubeconfig merging", () => {
  it("lets the first file win per name and for current-context", async () => {
    const { a, b } = twoFiles();
    const env = { KUBECONFIG: [a, path.join(tmp, "missing"), b].join(path.delimiter) };
    const merged = loadKubeconfig({ env });
    expect(merged.files).toEqual([a, b]);
    expect(merged.currentContext).toBe("ctx-a");
    expect(merged.clusters.get("shared")!.server).toBe("https://a.example:6443/");
    expect(merged.clusters.get("only-b")!.file).toBe(b);

    const conn = connectionFromKubeconfig(merged, { env });
    expect(conn.server).toBe("https://a.example:6443");
    expect(conn.source).toBe("kubeconfig");
    expect(conn.namespace).toBe("team-a");
    expect(conn.description).toBe(`kubeconfig ${a}${path.delimiter}${b}, context ctx-a`);
    expect(await conn.credentials!.authorization()).toBe("Bearer alice-secret-token");

    // A context only in the second file still resolves names against the merged maps.
    const other = connectionFromKubeconfig(merged, { context: "ctx-b" });
    expect(other.server).toBe("https://only-b.example");
    expect(await other.credentials!.authorization()).toBe("Bearer alice-secret-token");
  });

  it("falls back to $HOME/.kube/config from the given env", () => {
    write(
      "home/.kube/config",
      "current-context: c\nclusters: [{name: k, cluster: {server: 'https://home.example'}}]\ncontexts: [{name: c, context: {cluster: k}}]\n",
    );
    const conn = resolveConnection({ env: { HOME: path.join(tmp, "home") } });
    expect(conn.server).toBe("https://home.example");
  });

  it("resolves paths against the file that defined them", async () => {
    write("a/certs/ca.pem", PEM);
    write("b/client.crt", "CLIENT CERT");
    write("b/keys/client.key", "CLIENT KEY");
    write("b/token", "file-token\n");
    const a = write(
      "a/config",
      `current-context: c
clusters: [{name: k, cluster: {server: "https://x.example", certificate-authority: certs/ca.pem}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
`,
    );
    const b = write(
      "b/config",
      `users:
- name: u
  user: {client-certificate: client.crt, client-key: keys/client.key, tokenFile: ./token}
`,
    );
    const conn = resolveConnection({ kubeconfig: [a, b], env: {} });
    expect(String(conn.tls.ca)).toBe(PEM);
    expect(String(conn.tls.cert)).toBe("CLIENT CERT");
    expect(String(conn.tls.key)).toBe("CLIENT KEY");
    expect(conn.credentials!.description).toBe(`token file ${path.join(tmp, "b/token")}`);
    expect(await conn.credentials!.authorization()).toBe("Bearer file-token");
  });

  it("runs an exec plugin given by a path relative to its kubeconfig", async () => {
    const plugin = write(
      "plugins/bin/get-token",
      `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s-%s"}}' "$1" "$SUFFIX"\n`,
    );
    chmodSync(plugin, 0o755);
    const cfg = write(
      "plugins/config",
      `current-context: c
clusters: [{name: k, cluster: {server: "https://x.example"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [arg1]
      env: [{name: SUFFIX, value: fromenv}]
      interactiveMode: Never
`,
    );
    const conn = resolveConnection({ kubeconfig: cfg, env: { PATH: process.env.PATH } });
    expect(conn.credentials!.description).toBe(`exec plugin ${plugin}`);
    expect(await conn.credentials!.authorization()).toBe("Bearer arg1-fromenv");
  });

  it("decodes certificate-authority-data and client data fields", () => {
    const cfg = write(
      "config",
      `current-context: c
clusters: [{name: k, cluster: {server: "https://x.example", certificate-authority-data: ${b64(PEM)}, tls-server-name: api.internal, proxy-url: "http://proxy:3128"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {client-certificate-data: ${b64("CERT")}, client-key-data: ${b64("KEY")}}}]
`,
    );
    const conn = resolveConnection({ kubeconfig: cfg, env: {} });
    expect(Buffer.isBuffer(conn.tls.ca)).toBe(true);
    expect(String(conn.tls.ca)).toBe(PEM);
    expect(String(conn.tls.cert)).toBe("CERT");
    expect(String(conn.tls.key)).toBe("KEY");
    expect(conn.tls.servername).toBe("api.internal");
    expect(conn.tls.rejectUnauthorized).toBe(true);
    expect(conn.proxyUrl).toBe("http://proxy:3128");
    expect(conn.credentials).toBeUndefined();
    expect(conn.warnings).toEqual([]);
  });

  it("disables verification with a warning only for insecure-skip-tls-verify: true", () => {
    const cfg = write(
      "config",
      `current-context: c
clusters:
- {name: lab, cluster: {server: "https://lab.example", insecure-skip-tls-verify: true}}
- {name: safe, cluster: {server: "https://safe.example", insecure-skip-tls-verify: false}}
contexts: [{name: c, context: {cluster: lab}}, {name: s, context: {cluster: safe}}]
`,
    );
    const conn = resolveConnection({ kubeconfig: cfg, env: {} });
    expect(conn.tls.rejectUnauthorized).toBe(false);
    expect(conn.warnings).toHaveLength(1);
    expect(conn.warnings[0]).toMatch(/TLS verification is disabled for cluster "lab"/);

    const safe = resolveConnection({ kubeconfig: cfg, context: "s", env: {} });
    expect(safe.tls.rejectUnauthorized).toBe(true);
    expect(safe.warnings).toEqual([]);
  });

  it("uses basic auth from username/password", async () => {
    const cfg = write(
      "config",
      `current-context: c
clusters: [{name: k, cluster: {server: "https://x.example"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {username: bob, password: hunter2-secret}}]
`,
    );
    const conn = resolveConnection({ kubeconfig: cfg, env: {} });
    expect(await conn.credentials!.authorization()).toBe(`Basic ${b64("bob:hunter2-secret")}`);
  });
});

describe("kubeconfig errors", () => {
  const base = `clusters: [{name: k, cluster: {server: "https://x.example"}}]
users: [{name: u, user: {token: tok-secret-123, password: pw-secret-456}}]
contexts:
- {name: ok, context: {cluster: k, user: u}}
- {name: no-cluster, context: {cluster: ghost, user: u}}
- {name: no-user, context: {cluster: k, user: ghost}}
`;
  const expectConfigError = (fn: () => unknown, pattern: RegExp) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(pattern);
    return (err as Error).message;
  };

  it("reports a missing context, cluster, user and current-context", () => {
    const cfg = write("config", base);
    expectConfigError(
      () => resolveConnection({ kubeconfig: cfg, context: "nope", env: {} }),
      /context "nope" not found.*contexts: ok, no-cluster, no-user/,
    );
    expectConfigError(
      () => resolveConnection({ kubeconfig: cfg, context: "no-cluster", env: {} }),
      /cluster "ghost", which is not defined/,
    );
    expectConfigError(
      () => resolveConnection({ kubeconfig: cfg, context: "no-user", env: {} }),
      /user "ghost", which is not defined/,
    );
    expectConfigError(() => resolveConnection({ kubeconfig: cfg, env: {} }), /no current-context/);
  });

  it("names unreadable and invalid files", () => {
    const missing = path.join(tmp, "missing");
    expectConfigError(
      () => loadKubeconfig({ paths: [missing] }),
      new RegExp(`cannot read kubeconfig ${missing}`),
    );
    mkdirSync(path.join(tmp, "adir"));
    expectConfigError(() => loadKubeconfig({ env: { KUBECONFIG: path.join(tmp, "adir") } }), /adir: EISDIR/);
    const bad = write("bad", "users:\n  - name: u\n    user: {token: tok-secret-123\n");
    const msg = expectConfigError(
      () => loadKubeconfig({ paths: [bad] }),
      new RegExp(`kubeconfig ${bad} is not valid YAML at line`),
    );
    expect(msg).not.toContain("tok-secret-123");
    const typed = write("typed", "current-context: c\nclusters: [{name: k, cluster: {server: 6443}}]\n");
    expectConfigError(() => loadKubeconfig({ paths: [typed] }), /cluster k: server must be a string/);
  });

  it("never puts a token or password in messages, descriptions or warnings", async () => {
    const cfg = write("config", base + "current-context: ok\n");
    const bad = write("bad", base + "  - {broken: tok-secret-123, pw-secret-456\n");
    const texts: string[] = [];
    const collect = (fn: () => unknown) => {
      try {
        const c = fn() as Connection;
        texts.push(c.description, c.credentials?.description ?? "", ...c.warnings);
      } catch (e) {
        texts.push((e as Error).message);
      }
    };
    collect(() => resolveConnection({ kubeconfig: cfg, env: {} }));
    collect(() => resolveConnection({ kubeconfig: cfg, context: "nope", env: {} }));
    collect(() => resolveConnection({ kubeconfig: cfg, context: "no-cluster", env: {} }));
    collect(() => resolveConnection({ kubeconfig: bad, env: {} }));
    collect(() => resolveConnection({ server: "http://127.0.0.1:8001", token: "tok-secret-123", env: {} }));
    collect(() => resolveConnection({ server: "not a url", token: "tok-secret-123", env: {} }));
    expect(texts.length).toBe(9);
    for (const t of texts) {
      expect(t).not.toContain("tok-secret-123");
      expect(t).not.toContain("pw-secret-456");
    }
  });
});

describe("in-cluster", () => {
  function saDir(files: Record<string, string>) {
    const dir = path.join(tmp, "sa");
    mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    return dir;
  }
  const clusterEnv = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };

  it("uses the service-account token, CA and namespace file", async () => {
    const dir = saDir({ token: "sa-token\n", "ca.crt": PEM, namespace: "  team-b\n" });
    const conn = resolveConnection({ serviceAccountDir: dir, env: clusterEnv });
    expect(conn.source).toBe("in-cluster");
    expect(conn.server).toBe("https://10.96.0.1:443");
    expect(String(conn.tls.ca)).toBe(PEM);
    expect(conn.tls.rejectUnauthorized).toBe(true);
    expect(conn.namespace).toBe("team-b");
    expect(conn.credentials!.description).toBe(`token file ${path.join(dir, "token")}`);
    expect(await conn.credentials!.authorization()).toBe("Bearer sa-token");
    expect(defaultNamespace(undefined, conn)).toBe("team-b");
    expect(defaultNamespace("explicit-ns", conn)).toBe("explicit-ns");
  });

  it("brackets an IPv6 service host", () => {
    const dir = saDir({ token: "t" });
    const conn = resolveConnection({
      serviceAccountDir: dir,
      env: { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "6443" },
    });
    expect(conn.server).toBe("https://[fd00::1]:6443");
    expect(conn.namespace).toBeUndefined();
    expect(defaultNamespace(undefined, conn)).toBe("default");
  });

  it("is skipped without a token file, and the error lists what was tried", () => {
    const dir = saDir({ "ca.crt": PEM });
    let msg = "";
    try {
      resolveConnection({ serviceAccountDir: dir, env: clusterEnv });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      msg = (e as Error).message;
    }
    expect(msg).toContain("explicit options: no server given");
    expect(msg).toContain(`in-cluster: no service-account token at ${path.join(dir, "token")}`);
    expect(msg).toContain("kubeconfig: no path (KUBECONFIG and HOME unset) not found");

    const home = path.join(tmp, "home");
    expect(() => resolveConnection({ env: { HOME: home } })).toThrow(
      `kubeconfig: ${path.join(home, ".kube/config")} not found`,
    );
    expect(() => resolveConnection({ env: { HOME: home } })).toThrow(
      "KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set",
    );
  });
});

describe("precedence", () => {
  it("explicit > in-cluster > kubeconfig", () => {
    const dir = path.join(tmp, "sa");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "token"), "sa-token");
    const kc = write(
      "kc",
      `current-context: c\nclusters: [{name: k, cluster: {server: "https://kube.example"}}]\ncontexts: [{name: c, context: {cluster: k, namespace: kc-ns}}]\n`,
    );
    const env = { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443", KUBECONFIG: kc };

    expect(
      resolveConnection({ server: "https://explicit.example", serviceAccountDir: dir, env }).source,
    ).toBe("explicit");
    expect(resolveConnection({ serviceAccountDir: dir, env }).source).toBe("in-cluster");
    const off = resolveConnection({ serviceAccountDir: dir, env, inCluster: false });
    expect(off.source).toBe("kubeconfig");
    expect(off.server).toBe("https://kube.example");
    expect(defaultNamespace(undefined, off)).toBe("kc-ns");
    // Naming a kubeconfig or context explicitly asks for kubeconfig even inside a pod.
    expect(resolveConnection({ serviceAccountDir: dir, env, kubeconfig: kc }).source).toBe("kubeconfig");
    expect(resolveConnection({ serviceAccountDir: dir, env, context: "c" }).source).toBe("kubeconfig");
  });
});

describe("explicit options", () => {
  it("accepts an http server (kubectl proxy) with no credentials", async () => {
    const conn = resolveConnection({ server: "http://127.0.0.1:8001/", env: {} });
    expect(conn).toMatchObject({
      server: "http://127.0.0.1:8001",
      source: "explicit",
      credentials: undefined,
      warnings: [],
    });
    expect(conn.tls.rejectUnauthorized).toBe(true);

    const kc = write(
      "kc",
      `current-context: p\nclusters: [{name: proxy, cluster: {server: "http://127.0.0.1:8001"}}]\ncontexts: [{name: p, context: {cluster: proxy}}]\n`,
    );
    const viaKc = resolveConnection({ kubeconfig: kc, env: {} });
    expect(viaKc.server).toBe("http://127.0.0.1:8001");
    expect(viaKc.credentials).toBeUndefined();
    expect(viaKc.warnings).toEqual([]);
  });

  it("builds TLS and credentials from options", async () => {
    const caFile = write("ca.pem", PEM);
    const tokenPath = write("tok", "file-token\n");
    const conn = resolveConnection({
      server: "https://api.example:6443",
      caFile,
      cert: "CERT",
      key: "KEY",
      tlsServerName: "api.internal",
      proxyUrl: "http://proxy:3128",
      tokenFile: tokenPath,
      token: "ignored",
      env: {},
    });
    expect(String(conn.tls.ca)).toBe(PEM);
    expect(conn.tls).toMatchObject({
      cert: "CERT",
      key: "KEY",
      servername: "api.internal",
      rejectUnauthorized: true,
    });
    expect(conn.proxyUrl).toBe("http://proxy:3128");
    expect(conn.warnings).toEqual([]);
    expect(await conn.credentials!.authorization()).toBe("Bearer file-token");

    const custom = { description: "custom", authorization: async () => "Bearer custom" };
    expect(
      resolveConnection({ server: "https://a.example", token: "x", credentials: custom }).credentials,
    ).toBe(custom);
    const withToken = resolveConnection({ server: "https://a.example", token: "static" });
    expect(await withToken.credentials!.authorization()).toBe("Bearer static");
  });

  it("rejects a bad server URL and a lone cert", () => {
    expect(() => resolveConnection({ server: "ftp://x" })).toThrow(ConfigError);
    expect(() => resolveConnection({ server: "https://x", cert: "CERT" })).toThrow(/cert and key/);
  });
});
