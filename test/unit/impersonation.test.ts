/** Impersonation headers: client option, kubeconfig `as*` fields, per-call override, watches too. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, createClient, send, watch } from "../../runtime/index.js";
import { escapeExtraKey } from "../../runtime/identity.js";
import { json, useHttpsServer } from "./support/https-server.js";

const harness = useHttpsServer({ token: "t0ken" });
const client = harness.client;
const dir = mkdtempSync(path.join(os.tmpdir(), "kubegen-imp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every `impersonate-*` header as sent, repeated ones kept apart (rawHeaders, not the joined map). */
const seen: Record<string, string[]>[] = [];
function recordImpersonation(req: IncomingMessage): void {
  const out: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (name.startsWith("impersonate-")) (out[name] ??= []).push(req.rawHeaders[i + 1]);
  }
  seen.push(out);
}
function answer() {
  seen.length = 0;
  harness.server.handle((req, res) => {
    recordImpersonation(req);
    json(res, 200, { kind: "PodList", metadata: {}, items: [] });
  });
}

describe("impersonation", () => {
  it("sends Impersonate-User, -Uid, one -Group per group and -Extra-<escaped key> per value", async () => {
    answer();
    const c = client({
      impersonate: {
        user: "jane",
        uid: "42",
        groups: ["devs", "system:authenticated"],
        extra: { "example.com/scopes": ["view", "edit"], "ä%": ["x"] },
      },
    });
    await send(c, "GET", "/api/v1/pods", {});
    expect(seen[0]).toEqual({
      "impersonate-user": ["jane"],
      "impersonate-uid": ["42"],
      "impersonate-group": ["devs", "system:authenticated"],
      "impersonate-extra-example.com%2fscopes": ["view", "edit"],
      "impersonate-extra-%c3%a4%25": ["x"],
    });
    expect(harness.server.requests[0].headers.authorization).toBe("Bearer t0ken");
  });

  it("escapes extra keys as client-go's headerKeyEscape does", () => {
    expect(escapeExtraKey("example.com/scopes")).toBe("example.com%2Fscopes");
    expect(escapeExtraKey("a b%c")).toBe("a%20b%25c");
    expect(escapeExtraKey("Ünï")).toBe("%C3%9Cn%C3%AF");
    expect(escapeExtraKey("token-chars!#$&'*+-.^_`|~")).toBe("token-chars!#$&'*+-.^_`|~");
  });

  it("a call's impersonate replaces the client's; false sends as the credentials' own user", async () => {
    answer();
    const c = client({ impersonate: { user: "jane", groups: ["devs"] } });
    await send(c, "GET", "/api/v1/pods", {}, { impersonate: { user: "joe" } });
    await send(c, "GET", "/api/v1/pods", {}, { impersonate: false });
    await send(c, "GET", "/api/v1/pods", {});
    expect(seen).toEqual([
      { "impersonate-user": ["joe"] },
      {},
      { "impersonate-user": ["jane"], "impersonate-group": ["devs"] },
    ]);
  });

  it("watches carry the same headers", async () => {
    harness.server.handle((req, res) => {
      recordImpersonation(req);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        `${JSON.stringify({ type: "ADDED", object: { metadata: { resourceVersion: "1" } } })}\n`,
      );
    });
    seen.length = 0;
    const c = client({ impersonate: { user: "jane" } });
    for await (const _ of watch(c, "/api/v1/pods", { timeoutSeconds: 1 })) break;
    expect(seen[0]).toEqual({ "impersonate-user": ["jane"] });
  });

  it("refuses groups, uid or extras without a user, before sending anything", async () => {
    answer();
    expect(() => client({ impersonate: { groups: ["devs"] } })).toThrow(
      /requires impersonating a user/,
    );
    await expect(
      send(client(), "GET", "/api/v1/pods", {}, { impersonate: { uid: "1" } }),
    ).rejects.toThrow(/requires impersonating a user/);
    expect(harness.server.requests).toHaveLength(0);
  });

  it("takes as, as-uid, as-groups and as-user-extra from the kubeconfig user; the client option wins", async () => {
    answer();
    const kubeconfig = path.join(dir, "config");
    writeFileSync(path.join(dir, "ca.pem"), harness.server.ca);
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
current-context: c
clusters: [{name: k, cluster: {server: "${harness.server.url}", certificate-authority: ca.pem}}]
users:
- name: u
  user:
    token: kc-token
    as: jane
    as-uid: "7"
    as-groups: [devs, ops]
    as-user-extra: {reason: [audit]}
contexts: [{name: c, context: {cluster: k, user: u}}]
`,
    );
    const c = createClient({ kubeconfig });
    const override = createClient({ kubeconfig, impersonate: { user: "joe" } });
    const none = createClient({ kubeconfig, impersonate: false });
    try {
      await send(c, "GET", "/api/v1/pods", {});
      await send(override, "GET", "/api/v1/pods", {});
      await send(none, "GET", "/api/v1/pods", {});
    } finally {
      await Promise.all([c.close(), override.close(), none.close()]);
    }
    expect(seen).toEqual([
      {
        "impersonate-user": ["jane"],
        "impersonate-uid": ["7"],
        "impersonate-group": ["devs", "ops"],
        "impersonate-extra-reason": ["audit"],
      },
      { "impersonate-user": ["joe"] },
      {},
    ]);
    expect(harness.server.requests[0].headers.authorization).toBe("Bearer kc-token");

    writeFileSync(
      kubeconfig,
      `current-context: c
clusters: [{name: k, cluster: {server: "https://x.example"}}]
users: [{name: u, user: {token: t, as-groups: [devs]}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
`,
    );
    expect(() => createClient({ kubeconfig })).toThrow(ConfigError);
    expect(() => createClient({ kubeconfig })).toThrow(/require as \(the user to impersonate\)/);
  });
});
