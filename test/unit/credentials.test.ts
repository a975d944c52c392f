import { chmodSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { basicAuth, execPlugin, staticToken, tokenFile } from "../../runtime/credentials.js";
import type { ExecConfig } from "../../runtime/credentials.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "kubegen-cred-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Bumps the mtime explicitly: two writes within one timestamp tick would look unchanged. */
function rotate(file: string, content: string, secondsAhead: number) {
  writeFileSync(file, content);
  const t = new Date(Date.now() + secondsAhead * 1000);
  utimesSync(file, t, t);
}

describe("staticToken and basicAuth", () => {
  it("build the Authorization header without exposing the secret in the description", async () => {
    const t = staticToken("abc.def");
    expect(await t.authorization()).toBe("Bearer abc.def");
    expect(t.description).not.toContain("abc.def");

    const b = basicAuth("alice", "pa:ss");
    expect(await b.authorization()).toBe(`Basic ${Buffer.from("alice:pa:ss").toString("base64")}`);
    expect(b.description).toContain("alice");
    expect(b.description).not.toContain("pa:ss");
  });
});

describe("tokenFile", () => {
  it("reads and trims the token, and picks up a rotated file", async () => {
    const file = path.join(dir, "token");
    writeFileSync(file, "  token-one\n");
    const creds = tokenFile(file, { checkIntervalMs: 0 });
    expect(await creds.authorization()).toBe("Bearer token-one");
    expect(creds.description).toBe(`token file ${file}`);

    // Same size, newer mtime: rotations usually keep the length.
    rotate(file, "  token-two\n", 5);
    expect(await creds.authorization()).toBe("Bearer token-two");
  });

  it("checks the file at most once per interval; refresh() re-reads at once", async () => {
    const file = path.join(dir, "token");
    writeFileSync(file, "token-one");
    const creds = tokenFile(file); // default 1 s interval
    expect(await creds.authorization()).toBe("Bearer token-one");

    rotate(file, "token-two", 5);
    expect(await creds.authorization()).toBe("Bearer token-one");

    expect(await creds.refresh!()).toBe(true);
    expect(await creds.authorization()).toBe("Bearer token-two");
    expect(await creds.refresh!()).toBe(false);
  });

  it("re-reads after the interval has passed", async () => {
    const file = path.join(dir, "token");
    writeFileSync(file, "token-one");
    const creds = tokenFile(file, { checkIntervalMs: 50 });
    expect(await creds.authorization()).toBe("Bearer token-one");
    rotate(file, "token-two", 5);
    await new Promise((r) => setTimeout(r, 80));
    expect(await creds.authorization()).toBe("Bearer token-two");
  });

  it("names the file when it cannot be read, and keeps the last token during a brief gap", async () => {
    const missing = path.join(dir, "nope");
    await expect(tokenFile(missing).authorization()).rejects.toThrow(missing);

    const file = path.join(dir, "token");
    writeFileSync(file, "token-one");
    const creds = tokenFile(file, { checkIntervalMs: 0 });
    await creds.authorization();
    rmSync(file);
    expect(await creds.authorization()).toBe("Bearer token-one");
  });
});

/** A credential plugin: logs its args and exec info, then prints what its env asks for. */
function writePlugin(): string {
  const script = path.join(dir, "plugin.sh");
  writeFileSync(
    script,
    `#!/bin/sh
echo "$*" >> "$LOG"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$LOG.info"
printf '%s' "$BASE" > "$LOG.base"
if [ -f "$LOG.fail" ]; then echo "denied for $TOKEN" >&2; exit 3; fi
if [ "$MODE" = badjson ]; then printf 'oops %s' "$TOKEN"; exit 0; fi
exp=""
if [ -n "$EXP" ]; then exp=",\\"expirationTimestamp\\":\\"$EXP\\""; fi
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s"%s}}' "$API" "$TOKEN" "$exp"
`,
  );
  chmodSync(script, 0o755);
  return script;
}

function pluginConfig(api: string, extra: Record<string, string> = {}): ExecConfig & { log: string } {
  const log = path.join(dir, "calls.log");
  const vars = { LOG: log, API: api, TOKEN: "exec-secret-token", ...extra };
  return {
    apiVersion: api,
    command: writePlugin(),
    args: ["get-token", "--cluster", "dev"],
    env: Object.entries(vars).map(([name, value]) => ({ name, value })),
    log,
  };
}

const calls = (log: string) => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").length : 0);
const baseEnv = { PATH: process.env.PATH, BASE: "from-base-env" };

describe("execPlugin", () => {
  for (const api of ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]) {
    it(`runs a ${api.split("/")[1]} plugin with args, env and KUBERNETES_EXEC_INFO`, async () => {
      const cfg = pluginConfig(api);
      const creds = execPlugin(cfg, { env: baseEnv });
      expect(await creds.authorization()).toBe("Bearer exec-secret-token");
      expect(readFileSync(cfg.log, "utf8").trim()).toBe("get-token --cluster dev");
      expect(JSON.parse(readFileSync(`${cfg.log}.info`, "utf8"))).toEqual({
        apiVersion: api,
        kind: "ExecCredential",
        spec: { interactive: false },
      });
      expect(readFileSync(`${cfg.log}.base`, "utf8")).toBe("from-base-env");
      expect(creds.description).not.toContain("exec-secret-token");
    });
  }

  it("caches a credential without expiry until refresh()", async () => {
    const cfg = pluginConfig("client.authentication.k8s.io/v1");
    const creds = execPlugin(cfg, { env: baseEnv });
    await creds.authorization();
    await creds.authorization();
    expect(calls(cfg.log)).toBe(1);
    expect(await creds.refresh!()).toBe(true);
    await creds.authorization();
    expect(calls(cfg.log)).toBe(2);
  });

  it("caches until shortly before expirationTimestamp", async () => {
    const expires = Date.parse("2030-01-01T00:00:00Z");
    let now = expires - 3600_000;
    const cfg = pluginConfig("client.authentication.k8s.io/v1beta1", { EXP: "2030-01-01T00:00:00Z" });
    const creds = execPlugin(cfg, { env: baseEnv, now: () => now });
    await creds.authorization();
    now = expires - 60_000;
    await creds.authorization();
    expect(calls(cfg.log)).toBe(1);
    now = expires - 5_000; // inside the renewal margin
    await creds.authorization();
    expect(calls(cfg.log)).toBe(2);
  });

  it("runs again on every call when the credential is already expired", async () => {
    const cfg = pluginConfig("client.authentication.k8s.io/v1", { EXP: "2001-01-01T00:00:00Z" });
    const creds = execPlugin(cfg, { env: baseEnv });
    expect(await creds.authorization()).toBe("Bearer exec-secret-token");
    await creds.authorization();
    expect(calls(cfg.log)).toBe(2);
  });

  it("shares one execution among concurrent callers", async () => {
    const cfg = pluginConfig("client.authentication.k8s.io/v1");
    const creds = execPlugin(cfg, { env: baseEnv });
    const all = await Promise.all(Array.from({ length: 5 }, () => creds.authorization()));
    expect(new Set(all)).toEqual(new Set(["Bearer exec-secret-token"]));
    expect(calls(cfg.log)).toBe(1);
  });

  it("names a missing command and its installHint", async () => {
    const creds = execPlugin(
      {
        apiVersion: "client.authentication.k8s.io/v1",
        command: "kubegen-no-such-plugin",
        installHint: "brew install thing",
      },
      { env: baseEnv },
    );
    const err = await creds.authorization().catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('"kubegen-no-such-plugin" not found');
    expect((err as Error).message).toContain("brew install thing");
  });

  it("reports a failing plugin's exit code and stderr without the token", async () => {
    const cfg = pluginConfig("client.authentication.k8s.io/v1");
    const creds = execPlugin(cfg, { env: baseEnv });
    await creds.authorization();
    writeFileSync(`${cfg.log}.fail`, "");
    await creds.refresh!();
    const err = (await creds.authorization().catch((e: Error) => e)) as Error;
    expect(err.message).toContain("exited with code 3");
    expect(err.message).toContain("denied for");
    expect(err.message).not.toContain("exec-secret-token");
  });

  it("rejects invalid JSON without quoting the output", async () => {
    const cfg = pluginConfig("client.authentication.k8s.io/v1", { MODE: "badjson" });
    const err = (await execPlugin(cfg, { env: baseEnv })
      .authorization()
      .catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/invalid JSON/);
    expect(err.message).not.toContain("exec-secret-token");
  });

  it("rejects an apiVersion mismatch and unsupported versions", async () => {
    const cfg = pluginConfig("client.authentication.k8s.io/v1beta1");
    cfg.env!.find((e) => e.name === "API")!.value = "client.authentication.k8s.io/v1";
    await expect(execPlugin(cfg, { env: baseEnv }).authorization()).rejects.toThrow(/apiVersion/);
    expect(() => execPlugin({ ...cfg, apiVersion: "client.authentication.k8s.io/v1alpha1" })).toThrow(
      /unsupported apiVersion/,
    );
  });
});
