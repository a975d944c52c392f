import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createClient, isNotFound, type Client } from "../../runtime/index.js";
import { parseDownwardApiMap, podIdentity, type PodIdentityOptions } from "../../runtime/pod.js";

/** Rendered by Go with the kubelet's FormatMap (`%v=%q` per sorted key, no trailing newline). */
const KUBELET_RENDERED = String.raw`app.kubernetes.io/name="web"
controls="\a\b\f\v\x00\x1f\x7f"
emoji="🚀 café ü"
empty=""
eq="a=b==c"
example.com/weird-key_1.x=" leading and trailing "
json="{\"a\":[1,2],\"b\":\"x\\ny\"}"
multi="line1\nline2\r\n\ttabbed"
nonprint="\u200b\ufeff\U000e0001"
quotes="say \"hi\" \\ bye"`;

const KUBELET_VALUES = {
  "app.kubernetes.io/name": "web",
  controls: "\x07\b\f\v\x00\x1f\x7f",
  emoji: "🚀 café ü",
  empty: "",
  eq: "a=b==c",
  "example.com/weird-key_1.x": " leading and trailing ",
  json: '{"a":[1,2],"b":"x\\ny"}',
  multi: "line1\nline2\r\n\ttabbed",
  nonprint: "\u200b\ufeff\u{e0001}",
  quotes: 'say "hi" \\ bye',
};

describe("parseDownwardApiMap", () => {
  it("decodes what the kubelet writes, with or without a trailing newline", () => {
    expect(parseDownwardApiMap(KUBELET_RENDERED)).toEqual(KUBELET_VALUES);
    expect(parseDownwardApiMap(KUBELET_RENDERED + "\n")).toEqual(KUBELET_VALUES);
    expect(parseDownwardApiMap("")).toEqual({});
  });

  it("treats \\x and octal escapes as bytes and \\u / \\U as code points, like strconv.Unquote", () => {
    const parsed = parseDownwardApiMap(String.raw`bytes="\303\251\xc3\xa9"
runes="\u00e9\U0001F600"
bom="\ufeffx"
lone="\xff"`);
    expect(parsed.bytes).toBe("éé");
    expect(parsed.runes).toBe("é😀");
    // A leading U+FEFF belongs to the value; a BOM-stripping decoder would drop it.
    expect(parsed.bom).toBe("\ufeffx");
    expect(parsed.lone).toBe("\ufffd");
  });

  it("keeps __proto__ as an ordinary key", () => {
    const parsed = parseDownwardApiMap('__proto__="x"');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(["__proto__"]);
  });

  // Each rejected by Go's strconv.Unquote too (checked against Go), put on line 2.
  it.each([
    ["no equals sign", "novalue", /line 2: expected key="value"/],
    ["an unquoted value", "k=v", /line 2: value of k: expected a double-quoted value/],
    ["a missing closing quote", 'k="abc', /line 2: value of k: missing closing quote/],
    ["an escaped closing quote", String.raw`k="abc\"`, /line 2: value of k: missing closing quote/],
    [
      "an unescaped inner quote",
      'k="a"b"',
      /line 2: value of k: unexpected text after the closing quote/,
    ],
    ["a CR line ending", 'k="v"\r', /line 2: value of k: unexpected text after the closing quote/],
    ["\\' inside double quotes", String.raw`k="\'"`, /line 2: value of k: unknown escape \\'/],
    ["an unknown escape", String.raw`k="\q"`, /line 2: value of k: unknown escape \\q/],
    [
      "a short \\x escape",
      String.raw`k="\x4"`,
      /line 2: value of k: escape \\x needs 2 hex digits/,
    ],
    [
      "a short \\u escape",
      String.raw`k="\u12"`,
      /line 2: value of k: escape \\u needs 4 hex digits/,
    ],
    [
      "an octal escape above 255",
      String.raw`k="\400"`,
      /line 2: value of k: octal escape \\400 exceeds 255/,
    ],
    [
      "a surrogate code point",
      String.raw`k="\ud800"`,
      /line 2: value of k: escape \\ud800 is not a valid code point/,
    ],
    ["a code point above U+10FFFF", String.raw`k="\U00110000"`, /line 2: .*not a valid code point/],
    ["an empty key", '="v"', /line 2: empty key/],
    ["a key with a space", 'a b="v"', /line 2: invalid key "a b"/],
    ["a duplicate key", 'a="2"', /line 2: duplicate key a/],
  ])("rejects %s and names the line", (_, bad, message) => {
    const text = `a="1"\n${bad}\nz="3"`;
    expect(() => parseDownwardApiMap(text)).toThrow(SyntaxError);
    expect(() => parseDownwardApiMap(text)).toThrow(message);
  });
});

let tmp: string;
let podinfo: string;
let saDir: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "kubegen-pod-"));
  podinfo = path.join(tmp, "podinfo");
  saDir = path.join(tmp, "serviceaccount");
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function write(file: string, content: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** Options pointing every default path into the temp dir, so the host's files never leak in. */
const opts = (env: NodeJS.ProcessEnv, more: PodIdentityOptions = {}): PodIdentityOptions => ({
  env,
  downwardApiDir: podinfo,
  serviceAccountDir: saDir,
  ...more,
});

describe("podIdentity from environment variables", () => {
  it("reads the default names and says where each value came from", async () => {
    const id = await podIdentity(
      opts({
        POD_NAME: "web-1",
        POD_NAMESPACE: "shop",
        POD_IP: "10.1.2.3",
        NODE_NAME: "node-a",
        POD_SERVICE_ACCOUNT: "web",
        POD_UID: "uid-1",
        HOSTNAME: "not-the-pod",
      }),
    );
    expect(id).toMatchObject({
      name: "web-1",
      namespace: "shop",
      ip: "10.1.2.3",
      nodeName: "node-a",
      serviceAccount: "web",
      uid: "uid-1",
      labels: {},
      annotations: {},
      resources: { requests: {}, limits: {} },
      warnings: [],
    });
    expect(id.sources).toEqual([
      "name: env POD_NAME",
      "namespace: env POD_NAMESPACE",
      "ip: env POD_IP",
      "nodeName: env NODE_NAME",
      "serviceAccount: env POD_SERVICE_ACCOUNT",
      "uid: env POD_UID",
    ]);
  });

  it("uses configured names, resource mappings, and leaves the unknown undefined", async () => {
    const id = await podIdentity(
      opts(
        {
          MY_POD: "api-0",
          MY_NS: "prod",
          CPU_REQUEST: "1",
          MEMORY_LIMIT: "134217728",
          POD_NAME: "ignored",
        },
        {
          envNames: { name: "MY_POD", namespace: "MY_NS" },
          resourceEnv: {
            requests: { cpu: "CPU_REQUEST" },
            limits: { memory: "MEMORY_LIMIT", cpu: "CPU_LIMIT" },
          },
        },
      ),
    );
    expect(id.name).toBe("api-0");
    expect(id.namespace).toBe("prod");
    expect(id.ip).toBeUndefined();
    expect("uid" in id).toBe(false);
    expect(id.resources).toEqual({ requests: { cpu: "1" }, limits: { memory: "134217728" } });
    expect(id.sources).toContain("requests.cpu: env CPU_REQUEST");
    expect(id.sources).toContain("limits.memory: env MEMORY_LIMIT");
  });

  it("prefers env over the volume, and treats an empty variable as unset", async () => {
    write(path.join(podinfo, "name"), "from-file");
    write(path.join(podinfo, "nodeName"), "node-file\n");
    const id = await podIdentity(opts({ POD_NAME: "from-env", NODE_NAME: "" }));
    expect(id.name).toBe("from-env");
    expect(id.nodeName).toBe("node-file");
    expect(id.sources).toEqual([
      "name: env POD_NAME",
      `nodeName: file ${path.join(podinfo, "nodeName")}`,
    ]);
  });
});

describe("podIdentity from a downwardAPI volume", () => {
  it("reads labels, annotations, plain files and resource files", async () => {
    write(path.join(podinfo, "labels"), 'app.kubernetes.io/name="web"\npod-template-hash="7d4b9"');
    write(path.join(podinfo, "annotations"), KUBELET_RENDERED);
    write(path.join(podinfo, "name"), "web-7d4b9-x2x\n");
    write(path.join(podinfo, "namespace"), "shop");
    write(path.join(podinfo, "podIP"), "10.0.0.9");
    write(path.join(podinfo, "serviceAccountName"), "web");
    write(path.join(podinfo, "uid"), "0b5e-uid");
    write(path.join(podinfo, "cpu_limit"), "2\n");
    write(path.join(podinfo, "mem_request"), "67108864");
    const id = await podIdentity(
      opts(
        {},
        { resourceFiles: { limits: { cpu: "cpu_limit" }, requests: { memory: "mem_request" } } },
      ),
    );
    expect(id).toMatchObject({
      name: "web-7d4b9-x2x",
      namespace: "shop",
      ip: "10.0.0.9",
      nodeName: undefined,
      serviceAccount: "web",
      uid: "0b5e-uid",
      labels: { "app.kubernetes.io/name": "web", "pod-template-hash": "7d4b9" },
      annotations: KUBELET_VALUES,
      resources: { requests: { memory: "67108864" }, limits: { cpu: "2" } },
    });
    expect(id.sources).toContain(`labels: file ${path.join(podinfo, "labels")}`);
    expect(id.sources).toContain(`limits.cpu: file ${path.join(podinfo, "cpu_limit")}`);
  });

  it("reports an empty labels file as known and a missing one as unknown", async () => {
    write(path.join(podinfo, "labels"), "");
    const id = await podIdentity(opts({}));
    expect(id.labels).toEqual({});
    expect(id.sources).toEqual([`labels: file ${path.join(podinfo, "labels")}`]);

    rmSync(podinfo, { recursive: true });
    const none = await podIdentity(opts({}));
    expect(none.sources).toEqual([]);
    expect(none.warnings).toEqual([]);
  });

  it("names the file and line of a malformed labels file", async () => {
    const file = write(path.join(podinfo, "labels"), 'a="1"\nb=2');
    await expect(podIdentity(opts({}))).rejects.toThrow(
      `${file}, line 2: value of b: expected a double-quoted value`,
    );
  });
});

describe("podIdentity fallbacks", () => {
  it("takes the name from HOSTNAME only when nothing else names the pod", async () => {
    expect((await podIdentity(opts({ HOSTNAME: "web-1" }))).name).toBe("web-1");
    expect((await podIdentity(opts({ HOSTNAME: "web-1" }))).sources).toEqual([
      "name: env HOSTNAME",
    ]);
    expect(
      (await podIdentity(opts({ HOSTNAME: "web-1" }, { hostnameFallback: false }))).name,
    ).toBeUndefined();
    write(path.join(podinfo, "name"), "from-volume");
    expect((await podIdentity(opts({ HOSTNAME: "web-1" }))).name).toBe("from-volume");
  });

  it("takes the namespace from the service-account file when nothing else gives it", async () => {
    const file = write(path.join(saDir, "namespace"), "team-a");
    const id = await podIdentity(opts({}));
    expect(id.namespace).toBe("team-a");
    expect(id.sources).toEqual([`namespace: file ${file}`]);
    expect((await podIdentity(opts({ POD_NAMESPACE: "team-b" }))).namespace).toBe("team-b");
  });
});

describe("podIdentity API fallback", () => {
  let server: Server;
  let client: Client;
  let requests: string[];
  let respond: (req: IncomingMessage, res: ServerResponse) => void;

  const POD = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "web-1",
      namespace: "shop",
      uid: "api-uid",
      labels: { app: "from-api" },
      annotations: { "example.com/note": "hello" },
    },
    spec: {
      nodeName: "node-api",
      serviceAccountName: "web-sa",
      initContainers: [{ name: "proxy", resources: { limits: { memory: "64Mi" } } }],
      containers: [
        {
          name: "app",
          resources: { requests: { cpu: "250m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        },
        { name: "logger", resources: { requests: { cpu: "10m" } } },
      ],
    },
    status: { podIP: "10.9.9.9" },
  };
  const json = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      respond(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    client = createClient({ server: `http://127.0.0.1:${port}`, retry: false, logger: () => {} });
  });
  afterAll(async () => {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests = [];
    respond = (_req, res) => json(res, 200, POD);
  });

  it("fills what local sources lack from one GET, keeping local values first", async () => {
    write(path.join(podinfo, "labels"), 'app="from-file"');
    const id = await podIdentity(
      opts(
        { POD_NAME: "web-1", POD_NAMESPACE: "shop", NODE_NAME: "node-env", CPU_REQUEST: "1" },
        { client, resourceEnv: { requests: { cpu: "CPU_REQUEST" } } },
      ),
    );
    expect(requests).toEqual(["GET /api/v1/namespaces/shop/pods/web-1"]);
    expect(id).toMatchObject({
      ip: "10.9.9.9",
      nodeName: "node-env",
      serviceAccount: "web-sa",
      uid: "api-uid",
      labels: { app: "from-file" },
      annotations: { "example.com/note": "hello" },
      resources: { requests: { cpu: "1", memory: "128Mi" }, limits: { memory: "256Mi" } },
      warnings: [],
    });
    const where = "api GET /api/v1/namespaces/shop/pods/web-1";
    expect(id.sources).toContain(`ip: ${where}`);
    expect(id.sources).toContain(`annotations: ${where}`);
    expect(id.sources).toContain(`requests.memory: ${where} container app`);
    expect(id.sources).toContain("nodeName: env NODE_NAME");
    expect(id.sources).not.toContain(`labels: ${where}`);
  });

  it("takes resources from the named container, sidecars included", async () => {
    const env = { POD_NAME: "web-1", POD_NAMESPACE: "shop" };
    expect((await podIdentity(opts(env, { client, container: "logger" }))).resources).toEqual({
      requests: { cpu: "10m" },
      limits: {},
    });
    expect((await podIdentity(opts(env, { client, container: "proxy" }))).resources.limits).toEqual(
      { memory: "64Mi" },
    );
    const missing = await podIdentity(opts(env, { client, container: "nope" }));
    expect(missing.resources).toEqual({ requests: {}, limits: {} });
    expect(missing.warnings).toEqual([expect.stringContaining("no container named nope")]);
  });

  it("does not call the API when everything requested is known, or when disallowed", async () => {
    write(path.join(podinfo, "labels"), 'app="x"');
    const env = { POD_NAME: "web-1", POD_NAMESPACE: "shop" };
    const id = await podIdentity(opts(env, { client, fields: ["labels"] }));
    expect(id.labels).toEqual({ app: "x" });
    await podIdentity(opts(env, { client, allowApiFallback: false }));
    expect(requests).toEqual([]);
    // Same inputs with a field the volume lacks do call it.
    await podIdentity(opts(env, { client, fields: ["labels", "uid"] }));
    expect(requests).toHaveLength(1);
  });

  it("warns instead of calling when the pod's name or namespace is unknown", async () => {
    const id = await podIdentity(opts({ POD_NAME: "web-1" }, { client }));
    expect(requests).toEqual([]);
    expect(id.warnings).toEqual([
      expect.stringContaining("API fallback skipped: pod namespace unknown"),
    ]);
  });

  it("tolerates 403 Forbidden and records it", async () => {
    respond = (_req, res) =>
      json(res, 403, {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        message:
          'pods "web-1" is forbidden: User "system:serviceaccount:shop:web" cannot get resource "pods"',
        reason: "Forbidden",
        details: { name: "web-1", kind: "pods" },
        code: 403,
      });
    const id = await podIdentity(
      opts({ POD_NAME: "web-1", POD_NAMESPACE: "shop", POD_IP: "10.0.0.1" }, { client }),
    );
    expect(requests).toHaveLength(1);
    expect(id).toMatchObject({
      name: "web-1",
      namespace: "shop",
      ip: "10.0.0.1",
      labels: {},
      nodeName: undefined,
    });
    expect(id.sources).toContain("api: GET /api/v1/namespaces/shop/pods/web-1 forbidden");
    expect(id.warnings).toHaveLength(1);
    expect(id.warnings[0]).toContain("cannot get resource");
    expect(id.warnings[0]).toContain(
      "still unknown: nodeName, serviceAccount, uid, labels, annotations, resources",
    );
  });

  it("throws other API errors", async () => {
    respond = (_req, res) =>
      json(res, 404, {
        kind: "Status",
        status: "Failure",
        reason: "NotFound",
        code: 404,
        message: "not found",
      });
    const error = await podIdentity(
      opts({ HOSTNAME: "node-host", POD_NAMESPACE: "shop" }, { client }),
    ).catch((e) => e);
    expect(isNotFound(error)).toBe(true);
    expect(requests).toEqual(["GET /api/v1/namespaces/shop/pods/node-host"]);
  });
});
