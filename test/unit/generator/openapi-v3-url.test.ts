// `--url` at a server's OpenAPI v3: the index and its documents, a single document, a path
// prefix, Swagger 2.0 still read as before, TLS verified, and broken documents reported by URL
// and JSON pointer with the previous output left as it was.
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../generator/cli.js";
import { buildOutput } from "../../../generator/generate.js";
import { OpenApiV3DocumentError, fromUrlSource } from "../../../generator/openapi-v3-url.js";
import { startHttpsServer, type TestServer } from "../support/https-server.js";
import { cli } from "./support.js";

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const WIDGET = "com.example.v1.Widget";
const quiet = () => {};

/** A small group/version document of the shape kube-apiserver serves. */
function widgetDocument(): Record<string, unknown> {
  const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
  const gvk = { group: "example.com", version: "v1", kind: "Widget" };
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "1.36" },
    paths: {
      "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}": {
        get: {
          operationId: "readExampleComV1NamespacedWidget",
          tags: ["exampleCom_v1"],
          "x-kubernetes-action": "get",
          "x-kubernetes-group-version-kind": gvk,
          responses: {
            "200": { description: "OK", content: { "application/json": { schema: ref(WIDGET) } } },
          },
        },
        parameters: [
          { name: "name", in: "path", required: true, schema: { type: "string" } },
          { name: "namespace", in: "path", required: true, schema: { type: "string" } },
        ],
      },
    },
    components: {
      schemas: {
        [WIDGET]: {
          type: "object",
          "x-kubernetes-group-version-kind": [gvk],
          properties: {
            apiVersion: { type: "string" },
            kind: { type: "string" },
            metadata: { allOf: [ref(`${META}.ObjectMeta`)] },
            spec: { allOf: [ref(`${WIDGET}Spec`)] },
          },
        },
        [`${WIDGET}Spec`]: {
          type: "object",
          properties: {
            size: { type: "string", enum: ["S", "M"] },
            note: { type: "string", nullable: true },
            port: { format: "int-or-string", oneOf: [{ type: "integer" }, { type: "string" }] },
          },
        },
        [`${META}.ObjectMeta`]: { type: "object", properties: { name: { type: "string" } } },
      },
    },
  };
}

const INFO = "io.k8s.apimachinery.pkg.version.Info";
const versionDocument = {
  openapi: "3.0.0",
  info: { title: "Kubernetes", version: "1.36" },
  paths: {
    "/version/": {
      get: {
        operationId: "getCodeVersion",
        tags: ["version"],
        responses: {
          "200": {
            description: "OK",
            content: { "application/json": { schema: { $ref: `#/components/schemas/${INFO}` } } },
          },
        },
      },
    },
  },
  components: {
    schemas: { [INFO]: { type: "object", properties: { gitVersion: { type: "string" } } } },
  },
};

function index(prefix = ""): Record<string, unknown> {
  return {
    paths: {
      "apis/example.com/v1": {
        serverRelativeURL: `${prefix}/openapi/v3/apis/example.com/v1?hash=AB12`,
      },
      version: { serverRelativeURL: `${prefix}/openapi/v3/version?hash=CD34` },
    },
  };
}

type Route = (res: ServerResponse) => void;
const sendJson =
  (body: unknown, code = 200): Route =>
  (res) =>
    res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
const sendText =
  (text: string): Route =>
  (res) =>
    res.writeHead(200, { "content-type": "application/json" }).end(text);

/** Routes by path (query ignored); records every request target. */
function router(routes: Record<string, Route>, seen: string[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? "");
    const route = routes[(req.url ?? "").split("?")[0]];
    if (route) route(res);
    else sendJson({ kind: "Status", code: 404, message: "the server could not find it" }, 404)(res);
  };
}

describe("--url at an OpenAPI v3 index or document (plain HTTP)", () => {
  let base: string;
  let routes: Record<string, Route> = {};
  const seen: string[] = [];
  const server = createServer((req, res) => router(routes, seen)(req, res));

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    routes = {};
    seen.length = 0;
  });

  it("reads the index and every document it lists, without the hash, into the model", async () => {
    routes = {
      "/openapi/v3": sendJson(index()),
      "/openapi/v3/apis/example.com/v1": sendJson(widgetDocument()),
      "/openapi/v3/version": sendJson(versionDocument),
    };
    const { spec, openApiV3 } = await fromUrlSource(`${base}/openapi/v3`, quiet, "v1.36.3");
    expect([...openApiV3!.keys()]).toEqual(["/version", "example.com/v1"]);
    expect(seen.sort()).toEqual([
      "/openapi/v3",
      "/openapi/v3/apis/example.com/v1",
      "/openapi/v3/version",
    ]);
    expect(spec.provenance).toMatchObject({
      source: `url ${base}/openapi/v3 (OpenAPI v3, 2 documents)`,
      kubernetesVersion: "v1.36.3",
    });
    const out = buildOutput(spec, { runtime: "kubegen/runtime", openApiV3 });
    const models = out.files.get("example.com/v1/models.ts")!;
    for (const text of ['size?: "S" | "M";', "note?: string | null;", "port?: number | string;"])
      expect(models).toContain(text);
    expect(out.files.get("example.com/v1/operations.ts")).toContain(
      "export function readNamespacedWidget(",
    );
    // Documents of no group/version (discovery, /version) bring their definitions, as in v2.
    expect(out.model.definitions.has(INFO)).toBe(true);
  });

  it("keeps a path prefix in front of the server-relative URLs", async () => {
    const prefix = "/k8s/clusters/c1";
    routes = {
      [`${prefix}/openapi/v3`]: sendJson(index()),
      [`${prefix}/openapi/v3/apis/example.com/v1`]: sendJson(widgetDocument()),
      [`${prefix}/openapi/v3/version`]: sendJson(versionDocument),
    };
    const { openApiV3 } = await fromUrlSource(`${base}${prefix}/openapi/v3`, quiet);
    expect(openApiV3?.size).toBe(2);
    expect(seen.every((u) => u.startsWith(prefix))).toBe(true);
  });

  it("reads a single group/version document, named by its URL or by its paths", async () => {
    routes = {
      "/openapi/v3/apis/example.com/v1": sendJson(widgetDocument()),
      "/mirror/widgets.json": sendJson(widgetDocument()),
    };
    for (const path of ["/openapi/v3/apis/example.com/v1", "/mirror/widgets.json"]) {
      const { spec, openApiV3 } = await fromUrlSource(`${base}${path}`, quiet);
      expect([...openApiV3!.keys()]).toEqual(["example.com/v1"]);
      expect(spec.provenance.kubernetesVersion).toBe("unknown");
    }
  });

  it("still reads a Swagger 2.0 document as before", async () => {
    const swagger = { swagger: "2.0", info: { version: "v1.36.3" }, paths: {}, definitions: {} };
    routes = { "/openapi/v2": sendJson(swagger) };
    const { spec, openApiV3 } = await fromUrlSource(`${base}/openapi/v2`, quiet);
    expect(openApiV3).toBeUndefined();
    expect(spec.provenance.kubernetesVersion).toBe("v1.36.3");
  });

  const broken = (mutate: (doc: Record<string, any>) => void): Route => {
    const doc = widgetDocument();
    mutate(doc);
    return sendJson(doc);
  };
  const docUrl = () => `${base}/openapi/v3/apis/example.com/v1`;
  const schema = `#/components/schemas/${WIDGET}`;
  const cases: [string, () => Record<string, Route>, () => string][] = [
    [
      "a dangling $ref",
      () => ({
        "/openapi/v3/apis/example.com/v1": broken((d) => {
          d.components.schemas[WIDGET].properties.metadata.allOf[0].$ref =
            "#/components/schemas/Nope";
        }),
      }),
      () =>
        `${docUrl()} ${schema}/properties/metadata/allOf/0/$ref: dangling reference "#/components/schemas/Nope"`,
    ],
    [
      "an unknown type",
      () => ({
        "/openapi/v3/apis/example.com/v1": broken((d) => {
          d.components.schemas[`${WIDGET}Spec`].properties.size.type = "strng";
        }),
      }),
      () => `${docUrl()} ${schema}Spec/properties/size/type: unknown type "strng"`,
    ],
    [
      "invalid JSON",
      () => ({
        "/openapi/v3/apis/example.com/v1": sendText('{\n  "openapi": "3.0.0",\n  paths: {}\n}'),
      }),
      () => `${docUrl()} #: invalid JSON at line 3, column 3`,
    ],
    [
      "a document without paths",
      () => ({ "/openapi/v3/apis/example.com/v1": broken((d) => delete d.paths) }),
      () => `${docUrl()} #/paths: expected an object`,
    ],
    [
      "an answer that is no OpenAPI at all",
      () => ({ "/openapi/v3/apis/example.com/v1": sendJson({ kind: "APIGroupList", groups: [] }) }),
      () => `${docUrl()} #: neither Swagger 2.0 ("swagger"), an OpenAPI v3 document ("openapi")`,
    ],
  ];
  for (const [what, serve, message] of cases) {
    it(`names the URL and JSON pointer of ${what}`, async () => {
      routes = serve();
      const error = await fromUrlSource(docUrl(), quiet).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenApiV3DocumentError);
      expect((error as Error).message).toContain(message());
    });
  }

  it("names the index entry without a serverRelativeURL", async () => {
    routes = {
      "/openapi/v3": sendJson({
        paths: { "apis/apps/v1": { serverRelativeURL: "/x" }, "api/v1": { url: "/y" } },
      }),
    };
    await expect(fromUrlSource(`${base}/openapi/v3`, quiet)).rejects.toThrow(
      `${base}/openapi/v3 #/paths/api~1v1/serverRelativeURL: expected a URL string`,
    );
  });

  it("reports a refused document with the server's message", async () => {
    routes = {
      "/openapi/v3": sendJson(index()),
      "/openapi/v3/version": sendJson(versionDocument),
      "/openapi/v3/apis/example.com/v1": sendJson(
        {
          kind: "Status",
          code: 403,
          message: 'forbidden: User "system:anonymous" cannot get path',
        },
        403,
      ),
    };
    await expect(fromUrlSource(`${base}/openapi/v3`, quiet)).rejects.toThrow(
      `GET ${base}/openapi/v3/apis/example.com/v1 answered 403: forbidden: User "system:anonymous" cannot get path`,
    );
  });

  it("leaves the previous output untouched when a listed document is broken", async () => {
    const out = await mkdtemp(join(tmpdir(), "kubegen-v3url-"));
    try {
      const previous = JSON.stringify({ source: "before", runtime: "kubegen/runtime" });
      await writeFile(join(out, "kubegen.json"), previous);
      routes = {
        "/openapi/v3": sendJson(index()),
        "/openapi/v3/version": sendJson(versionDocument),
        "/openapi/v3/apis/example.com/v1": broken((d) => {
          d.paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"].get.responses[
            "200"
          ].content["application/json"].schema.$ref = "#/components/schemas/Gone";
        }),
      };
      await expect(
        main(["generate", "--url", `${base}/openapi/v3`, "--out", out, "--quiet"]),
      ).rejects.toThrow(
        `${docUrl()} #/paths/~1apis~1example.com~1v1~1namespaces~1{namespace}~1widgets~1{name}/get/responses/200/content/application~1json/schema/$ref: dangling reference`,
      );
      expect(await readdir(out)).toEqual(["kubegen.json"]);
      expect(await readFile(join(out, "kubegen.json"), "utf8")).toBe(previous);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe("--url at an OpenAPI v3 index over HTTPS", () => {
  let server: TestServer;
  let work: string;

  beforeAll(async () => {
    server = await startHttpsServer();
    work = await mkdtemp(join(tmpdir(), "kubegen-v3tls-"));
    const seen: string[] = [];
    server.handle(
      router(
        {
          "/openapi/v3": sendJson(index()),
          "/openapi/v3/apis/example.com/v1": sendJson(widgetDocument()),
          "/openapi/v3/version": sendJson(versionDocument),
        },
        seen,
      ),
    );
  });
  afterAll(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  it("verifies the server's certificate: an unknown CA is refused with the reason", async () => {
    await expect(fromUrlSource(`${server.url}/openapi/v3`, quiet)).rejects.toThrow(
      new RegExp(`^GET ${server.url}/openapi/v3 failed: .*certificate`),
    );
  });

  it("generates when the CA is trusted through NODE_EXTRA_CA_CERTS", async () => {
    await writeFile(join(work, "ca.crt"), server.ca);
    const out = join(work, "out");
    const { code, stderr } = await cli(["--url", `${server.url}/openapi/v3`, "--out", out], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(work, "ca.crt") },
      quiet: false,
    });
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`reading 2 OpenAPI v3 documents`);
    const models = await readFile(join(out, "example.com/v1/models.ts"), "utf8");
    expect(models).toContain('size?: "S" | "M";');
  }, 60_000);
});
