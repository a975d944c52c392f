/** kubeconfig behaviour matched to kubectl: no credentials to http:// servers, insecure + CA refused, yaml loaded lazily. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, createClient, resolveConnection, send } from "../../runtime/index.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "kubegen-parity-"));
const seen: IncomingHttpHeaders[] = [];
const server = createServer((req, res) => {
  seen.push(req.headers);
  res.writeHead(200, { "content-type": "application/json" }).end("{}");
});
let url = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(cluster: string, user = "token: kc-secret"): string {
  const file = path.join(dir, `config-${seen.length}-${Math.random()}`);
  writeFileSync(
    file,
    `current-context: c
clusters: [{name: k, cluster: {${cluster}}}]
users: [{name: u, user: {${user}}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
`,
  );
  return file;
}

describe("credentials and plain http", () => {
  it("does not send a kubeconfig user's token to an http:// server, and says why", async () => {
    seen.length = 0;
    const warnings: string[] = [];
    const client = createClient({
      kubeconfig: kubeconfig(`server: "${url}"`),
      logger: (m) => warnings.push(m),
    });
    await send(client, "GET", "/api/v1/pods", {}).finally(() => client.close());
    expect(seen[0].authorization).toBeUndefined();
    expect(warnings.join("\n")).toMatch(
      /credentials of user "u" are not sent to http:\/\/127\.0\.0\.1:\d+ \(plain http\); set sendCredentialsOverHttp/,
    );
    expect(warnings.join("\n")).not.toContain("kc-secret");
  });

  it("leaves out basic auth and exec plugins the same way", () => {
    const basic = resolveConnection({
      kubeconfig: kubeconfig(`server: "${url}"`, "username: a, password: b"),
    });
    expect(basic.credentials).toBeUndefined();
    const exec = resolveConnection({
      kubeconfig: kubeconfig(
        `server: "${url}"`,
        "exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/false}",
      ),
    });
    expect(exec.credentials).toBeUndefined();
  });

  it("sends them when sendCredentialsOverHttp is set, with a warning", async () => {
    seen.length = 0;
    const warnings: string[] = [];
    const client = createClient({
      kubeconfig: kubeconfig(`server: "${url}"`),
      sendCredentialsOverHttp: true,
      logger: (m) => warnings.push(m),
    });
    await send(client, "GET", "/api/v1/pods", {}).finally(() => client.close());
    expect(seen[0].authorization).toBe("Bearer kc-secret");
    expect(warnings.join("\n")).toContain(`credentials are sent unencrypted to ${url}`);
  });

  it("keeps https:// kubeconfig credentials untouched", () => {
    const conn = resolveConnection({ kubeconfig: kubeconfig(`server: "https://example.test"`) });
    expect(conn.credentials).toBeDefined();
    expect(conn.warnings).toEqual([]);
  });
});

describe("insecure-skip-tls-verify with a CA", () => {
  const kubectl = "specifying a root certificates file with the insecure flag is not allowed";

  it("is refused in a kubeconfig with kubectl's reason", () => {
    const ca = path.join(dir, "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\n");
    for (const field of [`certificate-authority: ${ca}`, "certificate-authority-data: Zm9v"]) {
      const file = kubeconfig(
        `server: "https://example.test", insecure-skip-tls-verify: true, ${field}`,
      );
      expect(() => resolveConnection({ kubeconfig: file })).toThrow(ConfigError);
      expect(() => resolveConnection({ kubeconfig: file })).toThrow(kubectl);
    }
  });

  it("is refused in explicit options", () => {
    expect(() =>
      resolveConnection({ server: "https://example.test", ca: "PEM", insecureSkipTlsVerify: true }),
    ).toThrow(kubectl);
  });
});

describe("disable-compression", () => {
  it("a kubeconfig cluster with disable-compression: true sends no Accept-Encoding", async () => {
    seen.length = 0;
    const quiet = () => {};
    const on = createClient({ kubeconfig: kubeconfig(`server: "${url}"`), logger: quiet });
    const off = createClient({
      kubeconfig: kubeconfig(`server: "${url}", disable-compression: true`),
      logger: quiet,
    });
    await send(on, "GET", "/api/v1/pods", {}).finally(() => on.close());
    await send(off, "GET", "/api/v1/pods", {}).finally(() => off.close());
    expect(seen.map((h) => h["accept-encoding"])).toEqual(["gzip", undefined]);
  });
});

describe("yaml is loaded only to parse a kubeconfig", () => {
  it("an explicit server never loads it; the first kubeconfig does", async () => {
    const script = `
      const { createRequire } = await import("node:module");
      const { createClient } = await import(${JSON.stringify(path.resolve(__dirname, "../../runtime/index.ts"))});
      const cache = createRequire(import.meta.url).cache;
      const loaded = () => Object.keys(cache).some((k) => k.includes("/node_modules/yaml/"));
      createClient({ server: "https://127.0.0.1:1", token: "t" });
      const before = loaded();
      createClient({ kubeconfig: ${JSON.stringify(kubeconfig('server: "https://example.test"'))} });
      console.log(JSON.stringify({ before, after: loaded() }));
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        cwd: path.resolve(__dirname, "../.."),
      },
    );
    expect(JSON.parse(stdout.trim().split("\n").pop()!)).toEqual({ before: false, after: true });
  });
});
