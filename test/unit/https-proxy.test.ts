/**
 * An `https://` proxy: calls and streams speak TLS to the proxy, verified like any server (here
 * through NODE_EXTRA_CA_CERTS), and TLS to the API server inside the tunnel.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { testCertificates } from "./support/https-server.js";

const child = fileURLToPath(new URL("./support/https-proxy-child.ts", import.meta.url));

async function runChild(trustProxy: boolean) {
  const tls = testCertificates();
  const dir = mkdtempSync(join(tmpdir(), "kubegen-https-proxy-"));
  try {
    writeFileSync(join(dir, "ca.crt"), tls.ca);
    const env: NodeJS.ProcessEnv = { ...process.env, KUBEGEN_TEST_TLS: JSON.stringify(tls) };
    delete env.NODE_EXTRA_CA_CERTS;
    if (trustProxy) env.NODE_EXTRA_CA_CERTS = join(dir, "ca.crt");
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", child], {
      env,
    });
    return JSON.parse(stdout) as {
      call: { value?: unknown; error?: string };
      exec: { value?: string; error?: string };
      tunnels: { target: string; proxyAuthorization?: string; firstByte?: number }[];
      tokenOnWire: boolean;
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("https:// proxy", () => {
  it("carries calls and exec with TLS to the proxy and TLS inside the tunnel", async () => {
    const result = await runChild(true);
    expect(result.call).toEqual({ value: { kind: "APIVersions" } });
    expect(result.exec).toEqual({ value: "through" });
    expect(result.tunnels).toHaveLength(2);
    for (const tunnel of result.tunnels) {
      expect(tunnel.target).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(tunnel.proxyAuthorization).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
      expect(tunnel.firstByte).toBe(0x16);
    }
    expect(result.tokenOnWire).toBe(false);
  }, 60_000);

  it("refuses a proxy whose certificate it cannot verify", async () => {
    const result = await runChild(false);
    expect(result.call.error).toMatch(/certificate/i);
    expect(result.exec.error).toMatch(/certificate/i);
    expect(result.tunnels).toEqual([]);
  }, 60_000);
});
