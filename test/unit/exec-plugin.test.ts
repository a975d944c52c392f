/** Exec credential plugins: client certificates used for TLS, time limit, interactiveMode, cluster info. */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { createClient, send } from "../../runtime/index.js";
import { execPlugin, type ExecConfig } from "../../runtime/credentials.js";
import { caught, json, useHttpsServer } from "./support/https-server.js";

const harness = useHttpsServer({}, { requestClientCertificate: true });
const dir = mkdtempSync(path.join(os.tmpdir(), "kubegen-exec-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

/** A self-signed client certificate for `cn`. */
function clientCertificate(cn: string): { cert: string; key: string } {
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat([
      "-keyout",
      file(`${cn}.key`),
      "-out",
      file(`${cn}.crt`),
      "-days",
      "1",
      "-subj",
      `/CN=${cn}`,
    ]),
    { stdio: "pipe" },
  );
  return {
    cert: readFileSync(file(`${cn}.crt`), "utf8"),
    key: readFileSync(file(`${cn}.key`), "utf8"),
  };
}

/** A plugin that records KUBERNETES_EXEC_INFO and prints the credential in $OUT. */
function plugin(): string {
  const script = file("plugin.sh");
  writeFileSync(
    script,
    `#!/bin/sh\nprintf '%s' "$KUBERNETES_EXEC_INFO" > "$OUT.info"\ncat "$OUT"\n`,
  );
  chmodSync(script, 0o755);
  return script;
}

const API = "client.authentication.k8s.io/v1";
const credential = (status: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: API, kind: "ExecCredential", status });

function kubeconfig(execExtra = "", clusterExtra = ""): string {
  writeFileSync(file("ca.pem"), harness.server.ca);
  const config = file("config");
  writeFileSync(
    config,
    `current-context: c
clusters:
- name: k
  cluster:
    server: "${harness.server.url}"
    certificate-authority: ca.pem
${clusterExtra}
users:
- name: u
  user:
    exec:
      apiVersion: ${API}
      command: ${plugin()}
      interactiveMode: Never
      env: [{name: OUT, value: "${file("credential.json")}"}]
${execExtra}
contexts: [{name: c, context: {cluster: k, user: u}}]
`,
  );
  return config;
}

describe("exec plugin client certificates", () => {
  it("presents the plugin's certificate in the TLS handshake, and a renewed one on the next connection", async () => {
    const seen: { cn: string; authorization?: string }[] = [];
    harness.server.handle((req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push({ cn: String(peer.subject?.CN ?? ""), authorization: req.headers.authorization });
      json(res, 200, { kind: "Status", status: "Success" });
    });
    const first = clientCertificate("exec-user-1");
    const second = clientCertificate("exec-user-2");
    const expires = new Date(Date.now() + 1500).toISOString();
    writeFileSync(
      file("credential.json"),
      credential({
        clientCertificateData: first.cert,
        clientKeyData: first.key,
        expirationTimestamp: expires,
      }),
    );
    const client = createClient({ kubeconfig: kubeconfig() });
    try {
      await send(client, "GET", "/api/v1/pods", {});
      writeFileSync(
        file("credential.json"),
        credential({ clientCertificateData: second.cert, clientKeyData: second.key }),
      );
      await new Promise((r) => setTimeout(r, 1600));
      await send(client, "GET", "/api/v1/pods", {});
      await send(client, "GET", "/api/v1/pods", {});
    } finally {
      await client.close();
    }
    expect(seen).toEqual([{ cn: "exec-user-1" }, { cn: "exec-user-2" }, { cn: "exec-user-2" }]);
  });

  it("sends both a token and the certificate when the plugin returns both", async () => {
    const seen: { cn: string; authorization?: string }[] = [];
    harness.server.handle((req, res) => {
      seen.push({
        cn: String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? ""),
        authorization: req.headers.authorization,
      });
      json(res, 200, {});
    });
    const cert = clientCertificate("exec-both");
    writeFileSync(
      file("credential.json"),
      credential({ token: "tok", clientCertificateData: cert.cert, clientKeyData: cert.key }),
    );
    const client = createClient({ kubeconfig: kubeconfig() });
    await send(client, "GET", "/api/v1/pods", {}).finally(() => client.close());
    expect(seen).toEqual([{ cn: "exec-both", authorization: "Bearer tok" }]);
  });

  it("rejects a certificate without its key", async () => {
    writeFileSync(file("credential.json"), credential({ clientCertificateData: "CERT" }));
    const creds = execPlugin(
      {
        apiVersion: API,
        command: plugin(),
        env: [{ name: "OUT", value: file("credential.json") }],
      },
      { env: { PATH: process.env.PATH } },
    );
    expect(String(await caught(creds.authorization()))).toMatch(
      /clientCertificateData and clientKeyData together/,
    );
  });
});

describe("exec plugin process", () => {
  const slow = (): ExecConfig => {
    const script = file("slow.sh");
    writeFileSync(script, "#!/bin/sh\nsleep 20\n");
    chmodSync(script, 0o755);
    return { apiVersion: API, command: script };
  };

  it("is killed and fails clearly after timeoutMs", async () => {
    const started = performance.now();
    const error = await caught(execPlugin(slow(), { timeoutMs: 300 }).authorization());
    expect(String(error)).toMatch(/exec plugin .*slow\.sh did not finish within 300 ms/);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("honours interactiveMode: Never, IfAvailable and Always", async () => {
    writeFileSync(file("credential.json"), credential({ token: "t" }));
    const info = async (interactiveMode: ExecConfig["interactiveMode"], interactive: boolean) => {
      const cfg: ExecConfig = {
        apiVersion: API,
        command: plugin(),
        interactiveMode,
        env: [{ name: "OUT", value: file("credential.json") }],
      };
      await execPlugin(cfg, { env: { PATH: process.env.PATH }, interactive }).authorization();
      return JSON.parse(readFileSync(file("credential.json.info"), "utf8")).spec.interactive;
    };
    expect(await info("Never", true)).toBe(false);
    expect(await info("IfAvailable", true)).toBe(true);
    expect(await info("IfAvailable", false)).toBe(false);
    expect(await info("Always", true)).toBe(true);
    const cfg: ExecConfig = { apiVersion: API, command: plugin(), interactiveMode: "Always" };
    expect(String(await caught(execPlugin(cfg, { interactive: false }).authorization()))).toMatch(
      /needs a terminal \(interactiveMode: Always\), but standard input is not one/,
    );
  });

  it("reads interactiveMode from the kubeconfig and rejects unknown modes", () => {
    const config = kubeconfig().replace("interactiveMode: Never", "interactiveMode: Sometimes");
    writeFileSync(
      file("config"),
      readFileSync(config, "utf8").replace("interactiveMode: Never", "interactiveMode: Sometimes"),
    );
    expect(() => createClient({ kubeconfig: file("config") })).toThrow(
      /interactiveMode must be Never, IfAvailable or Always/,
    );
  });

  it("provideClusterInfo passes the cluster in KUBERNETES_EXEC_INFO", async () => {
    harness.server.handle((_req, res) => json(res, 200, {}));
    writeFileSync(file("credential.json"), credential({ token: "t" }));
    const config = kubeconfig(
      "      provideClusterInfo: true",
      `    extensions:
    - name: client.authentication.k8s.io/exec
      extension: {audience: kube}`,
    );
    const client = createClient({ kubeconfig: config });
    await send(client, "GET", "/api/v1/pods", {}).finally(() => client.close());
    const info = JSON.parse(readFileSync(file("credential.json.info"), "utf8"));
    expect(info.spec).toEqual({
      interactive: false,
      cluster: {
        server: harness.server.url,
        "certificate-authority-data": Buffer.from(harness.server.ca).toString("base64"),
        config: { audience: "kube" },
      },
    });
  });

  it("without provideClusterInfo the plugin gets no cluster", async () => {
    harness.server.handle((_req, res) => json(res, 200, {}));
    writeFileSync(file("credential.json"), credential({ token: "t" }));
    const client = createClient({ kubeconfig: kubeconfig() });
    await send(client, "GET", "/api/v1/pods", {}).finally(() => client.close());
    expect(JSON.parse(readFileSync(file("credential.json.info"), "utf8")).spec).toEqual({
      interactive: false,
    });
  });
});
