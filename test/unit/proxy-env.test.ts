/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY as kubectl reads them: the rules, then calls and streams
 * through a loopback CONNECT proxy that maps `kube.test` (a name no resolver knows) to loopback.
 */
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { ConfigError, createClient, resolveConnection } from "../../runtime/index.js";
import { bypassed, proxyFromEnvironment } from "../../runtime/proxy-env.js";
import { run } from "../../runtime/streams/index.js";
import { startConnectProxy, type ConnectProxy } from "../tools/connect-proxy.js";
import { json, useHttpsServer } from "./support/https-server.js";

describe("proxy from the environment: the rules", () => {
  const env = { HTTPS_PROXY: "http://proxy.example:3128", HTTP_PROXY: "http://plain.example:80" };

  it("takes HTTPS_PROXY for https servers and HTTP_PROXY for http ones, upper case first", () => {
    expect(proxyFromEnvironment("https://kube.example:6443", env)).toEqual({
      proxyUrl: "http://proxy.example:3128",
      variable: "HTTPS_PROXY",
    });
    expect(proxyFromEnvironment("http://kube.example:8080", env)?.variable).toBe("HTTP_PROXY");
    expect(
      proxyFromEnvironment("https://kube.example", {
        https_proxy: "http://lower.example:1",
        HTTPS_PROXY: "http://upper.example:1",
      })?.proxyUrl,
    ).toBe("http://upper.example:1");
    expect(
      proxyFromEnvironment("https://kube.example", { https_proxy: "lower.example:8" }),
    ).toEqual({
      proxyUrl: "http://lower.example:8",
      variable: "https_proxy",
    });
    expect(
      proxyFromEnvironment("https://kube.example", { HTTP_PROXY: "http://p:1" }),
    ).toBeUndefined();
  });

  it("never proxies localhost or loopback addresses", () => {
    for (const server of [
      "https://localhost:6443",
      "https://127.0.0.1:6443",
      "https://127.9.9.9",
      "https://[::1]:6443",
    ])
      expect(proxyFromEnvironment(server, env), server).toBeUndefined();
    expect(proxyFromEnvironment("https://10.96.0.1:443", env)?.proxyUrl).toBe(
      "http://proxy.example:3128",
    );
  });

  it("reads NO_PROXY as Go does", () => {
    const cases: [string, string, string, boolean][] = [
      ["kube.example", "443", "*", true],
      ["kube.example", "443", "example", true],
      ["kube.example", "443", "ample", false],
      ["kube.example", "443", "kube.example", true],
      ["a.kube.example", "443", "kube.example", true],
      ["xkube.example", "443", "kube.example", false],
      ["kube.example", "443", ".kube.example", false],
      ["a.kube.example", "443", ".kube.example", true],
      ["a.kube.example", "443", "*.kube.example", true],
      ["kube.example", "443", "kube.example:6443", false],
      ["kube.example", "6443", "kube.example:6443", true],
      ["10.96.0.1", "443", "10.0.0.0/8", true],
      ["11.96.0.1", "443", "10.0.0.0/8", false],
      ["10.96.0.1", "443", "10.96.0.1", true],
      ["10.96.0.1", "443", "10.96.0.2", false],
      ["fd00::1", "443", "fd00::/8", true],
      ["fd00::1", "443", "[fd00::1]:443", true],
      ["kube.example", "443", " other.example , KUBE.example ", true],
    ];
    for (const [host, port, noProxy, expected] of cases)
      expect(bypassed(host, port, noProxy), `${host}:${port} against ${noProxy}`).toBe(expected);
    expect(
      proxyFromEnvironment("https://kube.example", { ...env, no_proxy: "kube.example" }),
    ).toBeUndefined();
  });

  it("refuses a SOCKS proxy instead of going around it", () => {
    expect(() =>
      proxyFromEnvironment("https://kube.example", { HTTPS_PROXY: "socks5://127.0.0.1:1080" }),
    ).toThrow(
      /HTTPS_PROXY: a proxy must be an http:\/\/ or https:\/\/ URL \(SOCKS proxies are not supported\)/,
    );
    expect(() =>
      resolveConnection({ server: "https://kube.example", env: { HTTPS_PROXY: "socks5://p:1" } }),
    ).toThrow(ConfigError);
  });

  it("a proxy URL from options or kubeconfig wins; proxyFromEnvironment: false turns it off", () => {
    expect(
      resolveConnection({ server: "https://kube.example", proxyUrl: "http://mine:1", env })
        .proxyUrl,
    ).toBe("http://mine:1");
    expect(
      resolveConnection({ server: "https://kube.example", proxyFromEnvironment: false, env })
        .proxyUrl,
    ).toBeUndefined();
    const viaEnv = resolveConnection({ server: "https://kube.example", env });
    expect(viaEnv.proxyUrl).toBe("http://proxy.example:3128");
    expect(viaEnv.description).toBe(
      "explicit server https://kube.example, through the proxy in HTTPS_PROXY",
    );
  });
});

describe("proxy from the environment: on the wire", () => {
  const harness = useHttpsServer();
  const auth = `Basic ${Buffer.from("u:p").toString("base64")}`;
  let proxy: ConnectProxy;
  beforeAll(async () => {
    proxy = await startConnectProxy(auth, { hosts: { "kube.test": "127.0.0.1" } });
  });
  afterAll(() => proxy.close());

  it("tunnels calls to a named server through HTTPS_PROXY, token inside TLS only", async () => {
    harness.server.handle((_req, res) => json(res, 200, { kind: "Namespace" }));
    const port = new URL(harness.server.url).port;
    proxy.tunnels.length = 0;
    const client = harness.client({
      server: `https://kube.test:${port}`,
      token: "secret-token",
      env: { HTTPS_PROXY: `http://u:p@127.0.0.1:${proxy.port}` },
    });
    expect(client.description).toContain("through the proxy in HTTPS_PROXY");
    const { send } = await import("../../runtime/index.js");
    expect(await send(client, "GET", "/api/v1/namespaces/default", {})).toEqual({
      kind: "Namespace",
    });
    expect(proxy.tunnels).toEqual([
      expect.objectContaining({ target: `kube.test:${port}`, proxyAuthorization: auth }),
    ]);
    expect(proxy.tunnels[0].authorization).toBeUndefined();
    expect(proxy.tunnels[0].firstByte).toBe(0x16);
    expect(proxy.wire().includes("secret-token")).toBe(false);
    expect(harness.server.requests[0].headers.authorization).toBe("Bearer secret-token");
  });

  it("goes direct to a loopback server with HTTPS_PROXY set", async () => {
    harness.server.handle((_req, res) => json(res, 200, {}));
    proxy.tunnels.length = 0;
    const client = harness.client({ env: { HTTPS_PROXY: `http://u:p@127.0.0.1:${proxy.port}` } });
    const { send } = await import("../../runtime/index.js");
    await send(client, "GET", "/api", {});
    expect(proxy.tunnels).toEqual([]);
  });
});

describe("proxy from the environment: streams", () => {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, handleProtocols: (p) => [...p][0] ?? false });
  const auth = `Basic ${Buffer.from("u:p").toString("base64")}`;
  let proxy: ConnectProxy;
  beforeAll(async () => {
    wss.on("connection", (socket) => {
      socket.send(Buffer.concat([Buffer.from([1]), Buffer.from("hi")]));
      socket.send(Buffer.concat([Buffer.from([3]), Buffer.from('{"status":"Success"}')]));
      socket.close(1000);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    proxy = await startConnectProxy(auth, { hosts: { "kube.test": "127.0.0.1" } });
  });
  afterAll(async () => {
    await proxy.close();
    wss.close();
    await new Promise((r) => server.close(r));
  });

  it("exec to an http:// server goes through HTTP_PROXY", async () => {
    const port = (server.address() as { port: number }).port;
    const client = createClient({
      server: `http://kube.test:${port}`,
      env: { HTTP_PROXY: `http://u:p@127.0.0.1:${proxy.port}` },
      logger: () => {},
    });
    try {
      const result = await run(client, { name: "p", namespace: "d", command: ["x"] });
      expect(result).toMatchObject({ stdout: "hi", code: 0 });
      expect(proxy.tunnels.map((t) => t.target)).toEqual([`kube.test:${port}`]);
    } finally {
      await client.close();
    }
  });
});
