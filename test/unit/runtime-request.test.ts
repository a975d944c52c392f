/** Contract tests of send/sendText against a real HTTPS server: TLS, URLs, errors, retries, timeouts, auth. */
import { utimesSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  isAlreadyExists,
  isConflict,
  isForbidden,
  isNotFound,
  isUnauthorized,
  KubeError,
  send,
  sendText,
  type Credentials,
} from "../../runtime/index.js";
import { caught, json, useHttpsServer, status, within } from "./support/https-server.js";

const harness = useHttpsServer({ retry: { baseDelayMs: 1 } });
const client = harness.client;

const ok = (res: Parameters<typeof json>[0]) =>
  json(res, 200, { kind: "Pod", metadata: { name: "p" } });
const SECRET_PATH = "/api/v1/namespaces/{namespace}/secrets/{name}";

describe("TLS", () => {
  it("verifies the server by default: without the CA the handshake fails and nothing is sent", async () => {
    harness.server.handle((_req, res) => ok(res));
    const untrusting = client({ ca: undefined, logger: () => {} });
    const error = (await caught(send(untrusting, "GET", "/api/v1/pods", {}))) as Error & {
      code?: string;
    };
    expect(error.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    expect(harness.server.requests).toHaveLength(0);
  });

  it("connects when given the CA, and warns about nothing", async () => {
    harness.server.handle((_req, res) => ok(res));
    const messages: string[] = [];
    const c = client({ logger: (m) => messages.push(m) });
    expect(await send(c, "GET", "/api/v1/pods", {})).toEqual({
      kind: "Pod",
      metadata: { name: "p" },
    });
    expect(messages.filter((m) => /TLS|insecure/i.test(m))).toEqual([]);
  });

  it("checks the host name against the certificate (tlsServerName that the certificate lacks fails)", async () => {
    harness.server.handle((_req, res) => ok(res));
    const c = client({ tlsServerName: "kubernetes.default.svc" });
    const error = (await caught(send(c, "GET", "/api/v1/pods", {}))) as Error & { code?: string };
    expect(error.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(harness.server.requests).toHaveLength(0);
  });

  it("insecureSkipTlsVerify connects without the CA and logs a warning", async () => {
    harness.server.handle((_req, res) => ok(res));
    const messages: string[] = [];
    const c = client({
      ca: undefined,
      insecureSkipTlsVerify: true,
      logger: (m) => messages.push(m),
    });
    await send(c, "GET", "/api/v1/pods", {});
    expect(harness.server.requests).toHaveLength(1);
    expect(
      messages.some(
        (m) => m.includes("TLS verification is disabled") && m.includes(harness.server.url),
      ),
    ).toBe(true);
  });
});

describe("URLs", () => {
  it("percent-encodes path parameters so a name cannot climb to another URL", async () => {
    harness.server.handle((_req, res) => ok(res));
    await send(client(), "GET", SECRET_PATH, { name: "../../secrets/x" });
    expect(harness.server.requests[0].url).toBe(
      "/api/v1/namespaces/default/secrets/..%2F..%2Fsecrets%2Fx",
    );
  });

  it.each(["", ".", ".."])(
    "rejects the path parameter %j before sending anything",
    async (name) => {
      harness.server.handle((_req, res) => ok(res));
      const error = await caught(send(client(), "GET", SECRET_PATH, { name }));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain("name");
      expect(harness.server.requests).toHaveLength(0);
    },
  );

  it("rejects a missing path parameter", async () => {
    harness.server.handle((_req, res) => ok(res));
    await expect(send(client(), "GET", SECRET_PATH, {})).rejects.toThrow(/name must be a string/);
    expect(harness.server.requests).toHaveLength(0);
  });

  it("fills {namespace} from the client's namespace; an explicit param wins", async () => {
    harness.server.handle((_req, res) => ok(res));
    const c = client({ namespace: "team-a" });
    await send(c, "GET", SECRET_PATH, { name: "s" });
    await send(c, "GET", SECRET_PATH, { name: "s", namespace: "team-b" });
    expect(harness.server.requests.map((r) => r.url)).toEqual([
      "/api/v1/namespaces/team-a/secrets/s",
      "/api/v1/namespaces/team-b/secrets/s",
    ]);
  });

  it("serializes the query: arrays repeated, booleans and numbers as text, undefined and null omitted", async () => {
    harness.server.handle((_req, res) => ok(res));
    await send(client(), "GET", "/api/v1/namespaces/{namespace}/pods", {
      namespace: "ns",
      labelSelector: "app=web,tier in (a,b)",
      fieldSelector: undefined,
      limit: 5,
      watch: false,
      allowWatchBookmarks: true,
      continue: null,
      include: ["a", "b c"],
    });
    expect(harness.server.requests[0].url).toBe(
      "/api/v1/namespaces/ns/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&limit=5&watch=false&allowWatchBookmarks=true&include=a&include=b+c",
    );
    expect(harness.server.requests[0].query.get("labelSelector")).toBe("app=web,tier in (a,b)");
  });

  it("never puts body or patchType in the query", async () => {
    harness.server.handle((_req, res) => ok(res));
    const body = { metadata: { labels: { a: "b" } } };
    await send(client(), "PATCH", "/api/v1/namespaces/{namespace}/pods/{name}", {
      name: "p",
      dryRun: "All",
      patchType: "merge",
      body,
    });
    await send(client(), "POST", "/api/v1/namespaces/{namespace}/pods", { body });
    expect(harness.server.requests.map((r) => r.url)).toEqual([
      "/api/v1/namespaces/default/pods/p?dryRun=All",
      "/api/v1/namespaces/default/pods",
    ]);
    expect(JSON.parse(harness.server.requests[1].body)).toEqual(body);
    expect(harness.server.requests[1].headers["content-type"]).toBe("application/json");
  });

  it.each(["/prefix", "/prefix/"])(
    "honours a path prefix in the server URL (%s)",
    async (prefix) => {
      harness.server.handle((_req, res) => ok(res));
      const c = client({ server: harness.server.url + prefix });
      await send(c, "GET", SECRET_PATH, { name: "s" });
      expect(harness.server.requests[0].url).toBe("/prefix/api/v1/namespaces/default/secrets/s");
    },
  );

  it("sends accept, user-agent, extra headers and the bearer token", async () => {
    harness.server.handle((_req, res) => ok(res));
    await send(
      client({ token: "t0ken", userAgent: "tests/1" }),
      "GET",
      "/api/v1/pods",
      {},
      { headers: { "x-extra": "1" } },
    );
    const { headers } = harness.server.requests[0];
    expect(headers).toMatchObject({
      accept: "application/json",
      "user-agent": "tests/1",
      "x-extra": "1",
      authorization: "Bearer t0ken",
    });
  });

  it("sendText returns the body as text", async () => {
    harness.server.handle((_req, res) =>
      res.writeHead(200, { "content-type": "text/plain" }).end("line 1\nline 2\n"),
    );
    const text = await sendText(client(), "GET", "/api/v1/namespaces/{namespace}/pods/{name}/log", {
      name: "p",
      tailLines: 2,
    });
    expect(text).toBe("line 1\nline 2\n");
    expect(harness.server.requests[0].url).toBe(
      "/api/v1/namespaces/default/pods/p/log?tailLines=2",
    );
    expect(harness.server.requests[0].headers.accept).toMatch(/^text\/plain/);
  });
});

describe("patch content types", () => {
  const PATCH_PATH = "/apis/apps/v1/namespaces/{namespace}/deployments/{name}";
  it.each([
    ["json", "application/json-patch+json", [{ op: "replace", path: "/spec/replicas", value: 2 }]],
    ["merge", "application/merge-patch+json", { spec: { replicas: 2 } }],
    ["strategic-merge", "application/strategic-merge-patch+json", { spec: { replicas: 2 } }],
  ] as const)("%s patches are sent as %s", async (patchType, contentType, body) => {
    harness.server.handle((_req, res) => ok(res));
    await send(client(), "PATCH", PATCH_PATH, { name: "web", patchType, body });
    const [rec] = harness.server.requests;
    expect(rec.method).toBe("PATCH");
    expect(rec.headers["content-type"]).toBe(contentType);
    expect(JSON.parse(rec.body)).toEqual(body);
    expect(rec.url).toBe("/apis/apps/v1/namespaces/default/deployments/web");
  });

  it("apply is sent as apply-patch+yaml with fieldManager and force in the query", async () => {
    harness.server.handle((_req, res) => ok(res));
    const body = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { replicas: 2 },
    };
    await send(client(), "PATCH", PATCH_PATH, {
      name: "web",
      patchType: "apply",
      fieldManager: "kubegen-tests",
      force: true,
      body,
    });
    const [rec] = harness.server.requests;
    expect(rec.headers["content-type"]).toBe("application/apply-patch+yaml");
    expect(rec.url).toBe(
      "/apis/apps/v1/namespaces/default/deployments/web?fieldManager=kubegen-tests&force=true",
    );
    expect(JSON.parse(rec.body)).toEqual(body);
  });

  it("rejects an unknown patch type before sending", async () => {
    harness.server.handle((_req, res) => ok(res));
    await expect(
      send(client(), "PATCH", PATCH_PATH, { name: "web", patchType: "xml", body: {} }),
    ).rejects.toThrow(/patchType/);
    expect(harness.server.requests).toHaveLength(0);
  });
});

describe("typed errors", () => {
  it("turns a 404 Status into a KubeError with the server's fields and the request's verb and path", async () => {
    const details = { name: "missing", kind: "secrets" };
    harness.server.handle((_req, res) =>
      json(res, 404, status(404, "NotFound", 'secrets "missing" not found', details)),
    );
    const error = (await caught(
      send(client(), "GET", SECRET_PATH, { name: "missing" }),
    )) as KubeError;
    expect(error).toBeInstanceOf(KubeError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: "KubeError",
      code: 404,
      reason: "NotFound",
      details,
      verb: "GET",
      path: "/api/v1/namespaces/default/secrets/missing",
      body: undefined,
    });
    expect(error.status?.message).toBe('secrets "missing" not found');
    expect(error.message).toContain('secrets "missing" not found');
    expect(isNotFound(error)).toBe(true);
    expect(isConflict(error)).toBe(false);
    // Not retried: 404 is an answer, not a failure.
    expect(harness.server.requests).toHaveLength(1);
  });

  it("distinguishes 409 AlreadyExists from 409 Conflict", async () => {
    harness.server.handle((_req, res) =>
      json(res, 409, status(409, "AlreadyExists", 'pods "p" already exists')),
    );
    const exists = await caught(
      send(client(), "POST", "/api/v1/namespaces/{namespace}/pods", { body: {} }),
    );
    expect(isAlreadyExists(exists)).toBe(true);
    expect(isConflict(exists)).toBe(true);

    harness.server.handle((_req, res) =>
      json(
        res,
        409,
        status(
          409,
          "Conflict",
          'Operation cannot be fulfilled on pods "p": the object has been modified',
        ),
      ),
    );
    const conflict = await caught(
      send(client(), "PUT", "/api/v1/namespaces/{namespace}/pods/{name}", { name: "p", body: {} }),
    );
    expect(isConflict(conflict)).toBe(true);
    expect(isAlreadyExists(conflict)).toBe(false);
    expect((conflict as KubeError).message).toContain("the object has been modified");
  });

  it("keeps a 403's message", async () => {
    const message =
      'pods is forbidden: User "system:serviceaccount:ci:runner" cannot list resource "pods" in API group "" in the namespace "kube-system"';
    harness.server.handle((_req, res) => json(res, 403, status(403, "Forbidden", message)));
    const error = (await caught(
      send(client(), "GET", "/api/v1/namespaces/{namespace}/pods", { namespace: "kube-system" }),
    )) as KubeError;
    expect(isForbidden(error)).toBe(true);
    expect(error.message).toContain(message);
    expect(error.status?.message).toBe(message);
  });

  it("keeps a non-JSON error body (a proxy's HTML 502) in .body", async () => {
    const html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    harness.server.handle((_req, res) =>
      res.writeHead(502, { "content-type": "text/html" }).end(html),
    );
    const error = (await caught(
      send(client({ retry: false }), "GET", "/api/v1/pods", {}),
    )) as KubeError;
    expect(error).toBeInstanceOf(KubeError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(502);
    expect(error.body).toBe(html);
    expect(error.status).toBeUndefined();
    expect(error.message).toContain("502 Bad Gateway");
    expect(harness.server.requests).toHaveLength(1);
  });

  it("keeps JSON that is not a Status as body text", async () => {
    harness.server.handle((_req, res) => json(res, 400, { error: "bad" }));
    const error = (await caught(send(client(), "GET", "/api/v1/pods", {}))) as KubeError;
    expect(error.code).toBe(400);
    expect(error.reason).toBe("BadRequest");
    expect(error.body).toBe('{"error":"bad"}');
  });
});

describe("retries", () => {
  const unavailable = (res: Parameters<typeof json>[0]) =>
    json(res, 503, status(503, "ServiceUnavailable", "try later"));

  it("retries a GET after a 503 and returns the later success", async () => {
    harness.server.handle((_req, res, rec) =>
      harness.server.requests.indexOf(rec) === 0 ? unavailable(res) : ok(res),
    );
    expect(await send(client(), "GET", "/api/v1/pods", {})).toMatchObject({ kind: "Pod" });
    expect(harness.server.requests).toHaveLength(2);
  });

  it("honours Retry-After on a 429, and retries a POST on 429 (the server rejected it unprocessed)", async () => {
    harness.server.handle((_req, res, rec) =>
      harness.server.requests.indexOf(rec) === 0
        ? json(res, 429, status(429, "TooManyRequests", "slow down"), { "retry-after": "1" })
        : json(res, 201, { kind: "Pod" }),
    );
    const started = performance.now();
    await send(client(), "POST", "/api/v1/namespaces/{namespace}/pods", { body: { kind: "Pod" } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(harness.server.requests).toHaveLength(2);
    expect(harness.server.requests[1].body).toBe(harness.server.requests[0].body);
  });

  it("caps a server's Retry-After at maxDelayMs", async () => {
    harness.server.handle((_req, res, rec) =>
      harness.server.requests.indexOf(rec) === 0
        ? json(res, 429, status(429, "TooManyRequests", "slow down"), { "retry-after": "30" })
        : ok(res),
    );
    const started = performance.now();
    await send(client({ retry: { maxDelayMs: 50 } }), "GET", "/api/v1/pods", {});
    expect(performance.now() - started).toBeLessThan(2000);
    expect(harness.server.requests).toHaveLength(2);
  });

  it("does not retry a POST on 503 (it may have been processed)", async () => {
    harness.server.handle((_req, res) => unavailable(res));
    const error = await caught(
      send(client(), "POST", "/api/v1/namespaces/{namespace}/pods", { body: {} }),
    );
    expect((error as KubeError).code).toBe(503);
    expect(harness.server.requests).toHaveLength(1);
  });

  it("is bounded: retries + 1 requests, then the last error", async () => {
    harness.server.handle((_req, res) => unavailable(res));
    const error = await caught(
      send(client({ retry: { retries: 2, baseDelayMs: 1 } }), "GET", "/api/v1/pods", {}),
    );
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).code).toBe(503);
    expect(harness.server.requests).toHaveLength(3);
  });

  it("defaults to 3 retries", async () => {
    harness.server.handle((_req, res) => unavailable(res));
    await caught(send(client(), "GET", "/api/v1/pods", {}));
    expect(harness.server.requests).toHaveLength(4);
  });

  it("retries a GET whose connection was reset", async () => {
    harness.server.handle((req, res, rec) =>
      harness.server.requests.indexOf(rec) === 0 ? req.socket.destroy() : ok(res),
    );
    expect(await send(client(), "GET", "/api/v1/pods", {})).toMatchObject({ kind: "Pod" });
    expect(harness.server.requests).toHaveLength(2);
  });

  it("does not retry a POST whose connection was reset after sending", async () => {
    harness.server.handle((req) => req.socket.destroy());
    const error = await caught(
      send(client(), "POST", "/api/v1/namespaces/{namespace}/pods", { body: {} }),
    );
    expect(error).not.toBeInstanceOf(KubeError);
    expect(harness.server.requests).toHaveLength(1);
  });

  it("retry: false disables retries, on the client or per call", async () => {
    harness.server.handle((_req, res) => unavailable(res));
    await caught(send(client({ retry: false }), "GET", "/api/v1/pods", {}));
    expect(harness.server.requests).toHaveLength(1);
    await caught(send(client(), "GET", "/api/v1/pods", {}, { retry: false }));
    expect(harness.server.requests).toHaveLength(2);
  });
});

describe("timeouts and cancellation", () => {
  const never = () => {}; // the server reads the request and never answers

  it("times out a response whose body stalls, with the same TimeoutError", async () => {
    harness.server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"kind":"Pod",'); // and nothing more
    });
    const error = (await caught(
      send(client({ timeoutMs: 200 }), "GET", "/api/v1/pods", {}),
    )) as Error;
    expect(error.name).toBe("TimeoutError");
    expect(error.message).toContain("no body data within 200 ms");
  });

  it("rejects a call the server never answers after timeoutMs, and closes the socket", async () => {
    harness.server.handle(never);
    const started = performance.now();
    const error = (await caught(
      send(client({ timeoutMs: 200 }), "GET", "/api/v1/pods", {}),
    )) as Error;
    const elapsed = performance.now() - started;
    expect(error.name).toBe("TimeoutError");
    expect(elapsed).toBeGreaterThanOrEqual(150);
    // undici checks its idle timeouts on a coarse clock (about a second).
    expect(elapsed).toBeLessThan(2500);
    expect(harness.server.requests).toHaveLength(1); // a timeout is not retried
    await within(
      harness.server.requests[0].socketClosed,
      2000,
      "the server to see the socket close",
    );
  });

  it("a per-call timeoutMs overrides the client's", async () => {
    harness.server.handle(never);
    const started = performance.now();
    const error = (await caught(
      send(client(), "GET", "/api/v1/pods", {}, { timeoutMs: 200 }),
    )) as Error;
    expect(error.name).toBe("TimeoutError");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("an AbortSignal cancels the call and the server sees the socket closed", async () => {
    harness.server.handle(never);
    const controller = new AbortController();
    const pending = caught(
      send(client(), "GET", "/api/v1/pods", {}, { signal: controller.signal }),
    );
    const rec = await within(harness.server.waitForRequests(1), 2000, "the request to arrive");
    controller.abort();
    expect(((await pending) as Error).name).toBe("AbortError");
    await within(rec.socketClosed, 2000, "the server to see the socket close");
    expect(harness.server.requests).toHaveLength(1);
  });

  it("an already aborted signal sends nothing", async () => {
    harness.server.handle((_req, res) => ok(res));
    const error = (await caught(
      send(client(), "GET", "/api/v1/pods", {}, { signal: AbortSignal.abort() }),
    )) as Error;
    expect(error.name).toBe("AbortError");
    await new Promise((r) => setTimeout(r, 50));
    expect(harness.server.requests).toHaveLength(0);
  });
});

describe("401 and refreshing credentials", () => {
  it("re-reads a rotated token file after a 401 and retries once with the new token", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "kubegen-token-"));
    try {
      const file = path.join(dir, "token");
      writeFileSync(file, "token-one");
      let accepted = "Bearer token-one";
      harness.server.handle((req, res) =>
        req.headers.authorization === accepted
          ? ok(res)
          : json(res, 401, status(401, "Unauthorized", "Unauthorized")),
      );
      const c = client({ tokenFile: file });
      await send(c, "GET", "/api/v1/pods", {});

      // Rotate: the file changes (mtime moved explicitly) and the server stops taking the old token.
      // The client still holds token-one (the file is checked at most once a second).
      writeFileSync(file, "token-two");
      const later = new Date(Date.now() + 5000);
      utimesSync(file, later, later);
      accepted = "Bearer token-two";

      await send(c, "GET", "/api/v1/pods", {});
      expect(harness.server.requests.map((r) => r.headers.authorization)).toEqual([
        "Bearer token-one",
        "Bearer token-one",
        "Bearer token-two",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("calls refresh() once; a second 401 becomes the error", async () => {
    let token = "old";
    let refreshes = 0;
    const credentials: Credentials = {
      description: "test credentials",
      authorization: async () => `Bearer ${token}`,
      refresh: async () => {
        refreshes++;
        token = `new-${refreshes}`;
        return true;
      },
    };
    harness.server.handle((req, res) =>
      req.headers.authorization === "Bearer new-1"
        ? ok(res)
        : json(res, 401, status(401, "Unauthorized", "Unauthorized")),
    );
    await send(client({ credentials }), "GET", "/api/v1/pods", {});
    expect(refreshes).toBe(1);
    expect(harness.server.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer old",
      "Bearer new-1",
    ]);

    // Credentials that stay wrong: one refresh, one retry, then the 401.
    harness.server.handle((_req, res) =>
      json(res, 401, status(401, "Unauthorized", "Unauthorized")),
    );
    harness.server.requests.length = 0;
    const error = await caught(send(client({ credentials }), "GET", "/api/v1/pods", {}));
    expect(isUnauthorized(error)).toBe(true);
    expect(refreshes).toBe(2);
    expect(harness.server.requests).toHaveLength(2);
  });

  it("does not retry when refresh() reports nothing changed", async () => {
    const credentials: Credentials = {
      description: "test credentials",
      authorization: async () => "Bearer same",
      refresh: async () => false,
    };
    harness.server.handle((_req, res) =>
      json(res, 401, status(401, "Unauthorized", "Unauthorized")),
    );
    expect(
      isUnauthorized(await caught(send(client({ credentials }), "GET", "/api/v1/pods", {}))),
    ).toBe(true);
    expect(harness.server.requests).toHaveLength(1);
  });
});

describe("secrets stay out of errors", () => {
  const TOKEN = "kubegen-secret-token-4f9c2e1a7b";

  function expectNoSecret(error: unknown) {
    expect(error).toBeInstanceOf(Error);
    const e = error as Error;
    for (const text of [
      String(e),
      e.message,
      JSON.stringify(e),
      inspect(e, { depth: 10 }),
      e.stack ?? "",
    ]) {
      expect(text).not.toContain(TOKEN);
    }
  }

  it.each([
    ["401", (_req: any, res: any) => json(res, 401, status(401, "Unauthorized", "Unauthorized"))],
    [
      "404 Status",
      (_req: any, res: any) => json(res, 404, status(404, "NotFound", 'secrets "s" not found')),
    ],
    [
      "HTML 502",
      (_req: any, res: any) =>
        res.writeHead(502, { "content-type": "text/html" }).end("<h1>Bad Gateway</h1>"),
    ],
    ["connection reset", (req: any) => req.socket.destroy()],
    ["timeout", () => {}],
  ] as const)("%s", async (_name, handler) => {
    harness.server.handle(handler);
    const c = client({ token: TOKEN, retry: false, timeoutMs: 200 });
    const error = await caught(send(c, "GET", SECRET_PATH, { name: "s" }));
    // The token was really in play...
    expect(harness.server.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    // ...and appears nowhere in what the caller may log.
    expectNoSecret(error);
  });

  it("TLS failure", async () => {
    harness.server.handle((_req, res) => ok(res));
    const c = client({ ca: undefined, token: TOKEN, logger: () => {} });
    expectNoSecret(await caught(send(c, "GET", SECRET_PATH, { name: "s" })));
  });
});
