/** gzip responses: asked for and decoded by default, off on request, error bodies decoded too. */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { isNotFound, send, sendText, type KubeError } from "../../runtime/index.js";
import { caught, status, useHttpsServer } from "./support/https-server.js";

const harness = useHttpsServer({ retry: false });
const client = harness.client;

/** Answers gzip when the request allows it, as the API server does for large responses. */
function serve(code: number, body: unknown) {
  const text = JSON.stringify(body);
  harness.server.handle((req, res) => {
    const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const bytes = gzip ? gzipSync(text) : Buffer.from(text);
    res.writeHead(code, {
      "content-type": "application/json",
      "content-length": bytes.length,
      ...(gzip ? { "content-encoding": "gzip" } : {}),
    });
    res.end(bytes);
  });
}

const list = {
  kind: "ConfigMapList",
  metadata: { resourceVersion: "9" },
  items: Array.from({ length: 200 }, (_, i) => ({
    metadata: { name: `cm-${i}` },
    data: { k: "x".repeat(500) },
  })),
};

describe("compression", () => {
  it("sends Accept-Encoding: gzip by default and decodes the gzip body", async () => {
    serve(200, list);
    const got = await send<typeof list>(client(), "GET", "/api/v1/configmaps", {});
    expect(harness.server.requests[0].headers["accept-encoding"]).toBe("gzip");
    expect(got).toEqual(list);
  });

  it("compression: false sends no Accept-Encoding and reads the plain body", async () => {
    serve(200, list);
    const got = await send<typeof list>(
      client({ compression: false }),
      "GET",
      "/api/v1/configmaps",
      {},
    );
    expect(harness.server.requests[0].headers["accept-encoding"]).toBeUndefined();
    expect(got).toEqual(list);
  });

  it("decodes a gzip error Status into a KubeError", async () => {
    serve(404, status(404, "NotFound", 'configmaps "x" not found'));
    const error = (await caught(
      send(client(), "GET", "/api/v1/namespaces/d/configmaps/x", {}),
    )) as KubeError;
    expect(isNotFound(error)).toBe(true);
    expect(error.message).toContain('configmaps "x" not found');
  });

  it("decodes text responses too", async () => {
    serve(200, "log line");
    expect(await sendText(client(), "GET", "/api/v1/namespaces/d/pods/p/log", {})).toBe(
      '"log line"',
    );
  });
});
