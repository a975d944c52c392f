/** kubegen/manifests without a cluster: parsing, ordering, namespace defaulting, requests sent. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import type { Deployment } from "../../generated/apps/v1/models.js";
import { kinds } from "../../generated/manifests.js";
import { createClient, type Client } from "../../runtime/index.js";
import {
  applyManifests,
  deleteManifests,
  isKind,
  ManifestError,
  parseManifests,
  type Manifest,
  type UnknownManifest,
} from "../../runtime/manifests/index.js";
import { Phase, inPhases, phaseOf } from "../../runtime/manifests/order.js";

function parseError(text: string): ManifestError {
  try {
    parseManifests(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error("parseManifests accepted bad input");
}

describe("parseManifests", () => {
  it("reads multi-document YAML, skipping empty and comment-only documents", () => {
    const objects = parseManifests(`---
apiVersion: v1
kind: ConfigMap
metadata: { name: a }
---
---
# only a comment
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: b
spec: { replicas: 2 }
...
`);
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata?.name}`)).toEqual([
      "v1 ConfigMap a",
      "apps/v1 Deployment b",
    ]);
    expect(parseManifests("")).toEqual([]);
    expect(parseManifests("---\n---\n")).toEqual([]);
  });

  it("reads YAML 1.1 scalars as kubectl does (octal modes, yes/no)", () => {
    const [pod] = parseManifests(`
apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  enableServiceLinks: no
  volumes: [{ name: v, secret: { secretName: s, defaultMode: 0644 } }]
`) as [Record<string, any>];
    expect(pod.spec.volumes[0].secret.defaultMode).toBe(0o644);
    expect(pod.spec.enableServiceLinks).toBe(false);
  });

  it("expands a v1 List into its items", () => {
    const objects = parseManifests(`apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: a } }
  - { apiVersion: v1, kind: Secret, metadata: { name: b } }
`);
    expect(objects.map((o) => o.kind)).toEqual(["ConfigMap", "Secret"]);
  });

  it("names the document index and line of a syntax error without quoting the text", () => {
    const error = parseError(`apiVersion: v1
kind: Secret
metadata: { name: ok }
---
apiVersion: v1
kind: Secret
metadata: { name: bad }
stringData:
  password: "hunter2
`);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ index: 1 });
    expect(error.problems[0].line).toBeGreaterThanOrEqual(9);
    expect(error.message).toMatch(/^manifest document 1 \(line \d+\): /);
    expect(error.message).not.toContain("hunter2");
  });

  it("lists every unusable document: not a mapping, no apiVersion, no kind, no name", () => {
    const error = parseError(`- just a list
---
kind: ConfigMap
metadata: { name: a }
---
apiVersion: v1
metadata: { name: b }
---
apiVersion: v1
kind: ConfigMap
metadata: { generateName: c- }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: fine }
`);
    expect(error.problems.map((p) => [p.index, p.line, p.message])).toEqual([
      [0, 1, "expected a mapping (an object), got a sequence"],
      [1, 3, "apiVersion is missing or not a string"],
      [2, 6, "kind is missing or not a string"],
      [3, 9, "ConfigMap has no metadata.name (generateName cannot be applied)"],
    ]);
    expect(error.message).toContain("manifest has 4 problems");
  });

  it("types known kinds by apiVersion/kind and narrows with isKind", () => {
    const [object] = parseManifests(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec: { replicas: 3 }\n",
    );
    expectTypeOf(object).toEqualTypeOf<Manifest>();
    if (!isKind(object, "apps/v1", "Deployment")) throw new Error("not narrowed");
    expectTypeOf(object).toEqualTypeOf<Deployment>();
    expect(object.spec?.replicas).toBe(3);
    const custom = { apiVersion: "x.test/v1", kind: "Widget", metadata: { name: "w" } } as Manifest;
    if (isKind(custom, "x.test/v1", "Widget"))
      expectTypeOf(custom).toEqualTypeOf<UnknownManifest>();
    expect(isKind(object, "apps/v1", "StatefulSet")).toBe(false);
  });
});

describe("kind index", () => {
  it("is generated for every built-in group with plural and scope", () => {
    expect(kinds.v1.Pod).toEqual(["pods", true]);
    expect(kinds.v1.Namespace).toEqual(["namespaces", false]);
    expect(kinds["apps/v1"].Deployment).toEqual(["deployments", true]);
    expect(kinds["rbac.authorization.k8s.io/v1"].ClusterRole).toEqual(["clusterroles", false]);
    expect(kinds["apiextensions.k8s.io/v1"].CustomResourceDefinition).toEqual([
      "customresourcedefinitions",
      false,
    ]);
  });
});

describe("apply order", () => {
  const of = (apiVersion: string, kind: string) =>
    phaseOf({ apiVersion, kind }, kinds[apiVersion]?.[kind] !== undefined);

  it("puts Namespaces and CRDs first, custom resources after built-ins, admission last", () => {
    expect(of("v1", "Namespace")).toBe(Phase.Namespaces);
    expect(of("apiextensions.k8s.io/v1", "CustomResourceDefinition")).toBe(Phase.Definitions);
    expect(of("v1", "ConfigMap")).toBe(Phase.Foundations);
    expect(of("rbac.authorization.k8s.io/v1", "RoleBinding")).toBe(Phase.Foundations);
    expect(of("apps/v1", "Deployment")).toBe(Phase.BuiltIns);
    expect(of("example.test/v1", "Widget")).toBe(Phase.Custom);
    expect(of("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration")).toBe(
      Phase.Admission,
    );
  });

  it("groups by phase and keeps input order within one", () => {
    const items = [
      ["example.test/v1", "Widget", "w"],
      ["apps/v1", "Deployment", "d"],
      ["v1", "ConfigMap", "c1"],
      ["apiextensions.k8s.io/v1", "CustomResourceDefinition", "crd"],
      ["v1", "ConfigMap", "c2"],
      ["v1", "Namespace", "ns"],
    ] as const;
    const phases = inPhases(items, ([apiVersion, kind]) => of(apiVersion, kind));
    expect(phases.map((p) => p.map((i) => i[2]))).toEqual([
      ["ns"],
      ["crd"],
      ["c1", "c2"],
      ["d"],
      ["w"],
    ]);
  });
});

/** A fake API server: stores applied objects by path, serves discovery for one CRD group. */
class FakeApi {
  readonly log: string[] = [];
  readonly bodies = new Map<string, Record<string, any>>();
  readonly contentTypes: string[] = [];
  private readonly objects = new Map<string, Record<string, any>>();
  private rv = 1;
  crdPolls = 0;
  establishedAfter = 3;

  handle(req: IncomingMessage, res: ServerResponse): void {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      const url = new URL(req.url!, "http://x");
      const path = url.pathname;
      this.log.push(`${req.method} ${req.url}`);
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const notFound = () =>
        send(404, { kind: "Status", status: "Failure", reason: "NotFound", code: 404 });
      if (req.method === "GET" && path === "/apis/example.test/v1") {
        return send(200, { resources: [{ name: "widgets", kind: "Widget", namespaced: true }] });
      }
      if (req.method === "GET" && /^\/apis\/[^/]+\/v1$/.test(path)) return notFound();
      if (req.method === "GET" && path.includes("/customresourcedefinitions/")) {
        // Established on the third look, as a real server takes a moment.
        const established = ++this.crdPolls >= this.establishedAfter ? "True" : "False";
        return send(200, {
          status: { conditions: [{ type: "Established", status: established }] },
        });
      }
      if (req.method === "GET") {
        const live = this.objects.get(path);
        return live ? send(200, live) : notFound();
      }
      if (req.method === "PATCH") {
        this.contentTypes.push(String(req.headers["content-type"]));
        const body = JSON.parse(data);
        this.bodies.set(path, body);
        const live = this.objects.get(path);
        const stored = {
          ...body,
          metadata: { ...body.metadata, resourceVersion: String(this.rv++) },
        };
        if (url.searchParams.get("dryRun") !== "All") this.objects.set(path, stored);
        return send(live ? 200 : 201, stored);
      }
      if (req.method === "DELETE") {
        const existed = this.objects.delete(path);
        return existed ? send(200, { kind: "Status", status: "Success" }) : notFound();
      }
      notFound();
    });
  }
}

describe("applyManifests and deleteManifests (fake server)", () => {
  let server: Server;
  let api: FakeApi;
  let client: Client;

  beforeAll(async () => {
    server = createServer((req, res) => api.handle(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    client = createClient({
      server: `http://127.0.0.1:${port}`,
      namespace: "team",
      retry: false,
      logger: () => {},
    });
  });
  beforeEach(() => {
    api = new FakeApi();
  });
  afterAll(async () => {
    await client.close();
    await new Promise((r) => server.close(r));
  });

  const text = `
apiVersion: example.test/v1
kind: Widget
metadata: { name: w }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: c }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: elsewhere, namespace: other }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: reader, namespace: ignored }
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.test }
spec: { group: example.test, names: { kind: Widget, plural: widgets }, scope: Namespaced }
---
apiVersion: v1
kind: Namespace
metadata: { name: team }
`;

  it("applies Namespaces, then CRDs (until Established), then the rest, defaulting namespaces", async () => {
    const results = await applyManifests(client, text, { fieldManager: "ci", force: true });
    const patches = api.log.filter((l) => l.startsWith("PATCH"));
    expect(patches).toEqual([
      "PATCH /api/v1/namespaces/team?fieldManager=ci&force=true",
      "PATCH /apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.test?fieldManager=ci&force=true",
      "PATCH /api/v1/namespaces/team/configmaps/c?fieldManager=ci&force=true",
      "PATCH /api/v1/namespaces/other/configmaps/elsewhere?fieldManager=ci&force=true",
      "PATCH /apis/rbac.authorization.k8s.io/v1/clusterroles/reader?fieldManager=ci&force=true",
      "PATCH /apis/example.test/v1/namespaces/team/widgets/w?fieldManager=ci&force=true",
    ]);
    // The custom resource waited for the CRD to be Established, then discovery found its kind.
    const widgetAt = api.log.indexOf(patches[5]);
    expect(api.crdPolls).toBe(3);
    expect(api.log.lastIndexOf("GET /apis/example.test/v1")).toBeLessThan(widgetAt);
    expect(api.contentTypes.every((t) => t === "application/apply-patch+yaml")).toBe(true);
    expect(api.bodies.get("/api/v1/namespaces/team/configmaps/c")?.metadata).toEqual({
      name: "c",
      namespace: "team",
    });
    expect(
      api.bodies.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/reader")?.metadata,
    ).toEqual({ name: "reader" });
    expect(results.map((r) => [r.index, r.namespace, r.ok && r.action])).toEqual([
      [0, "team", "created"],
      [1, "team", "created"],
      [2, "other", "created"],
      [3, undefined, "created"],
      [4, undefined, "created"],
      [5, undefined, "created"],
    ]);
  });

  it("reports a CRD that never becomes Established, and its custom resource as unknown", async () => {
    api.establishedAfter = Infinity;
    const crd = text.split("---").slice(4, 5).join("");
    const widget = `apiVersion: other.test/v1\nkind: Widget\nmetadata: { name: w }\n`;
    const started = Date.now();
    const results = await applyManifests(
      client,
      `${widget}---\n${crd.replaceAll("example.test", "other.test")}`,
      { establishTimeoutMs: 300 },
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(results[1]).toMatchObject({ ok: false, kind: "CustomResourceDefinition" });
    expect(!results[1].ok && results[1].error.message).toMatch(
      /widgets.other.test is not Established after 300 ms: Established=False/,
    );
    expect(results[0]).toMatchObject({ ok: false, kind: "Widget" });
    expect(!results[0].ok && results[0].error).toBeInstanceOf(ManifestError);
  });

  it("uses the namespace option before the client's, and sends dryRun=All", async () => {
    const results = await applyManifests(
      client,
      [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }],
      { namespace: "staging", dryRun: true },
    );
    expect(api.log).toEqual([
      "GET /api/v1/namespaces/staging/configmaps/c",
      "PATCH /api/v1/namespaces/staging/configmaps/c?fieldManager=kubegen&dryRun=All",
    ]);
    expect(results[0]).toMatchObject({ ok: true, action: "created", namespace: "staging" });
  });

  it("reports a kind nobody knows as that object's failure and applies the rest", async () => {
    const results = await applyManifests(client, [
      { apiVersion: "nothing.test/v1", kind: "Ghost", metadata: { name: "g" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
    ]);
    expect(results[0]).toMatchObject({ ok: false, index: 0, kind: "Ghost" });
    expect(!results[0].ok && results[0].error).toBeInstanceOf(ManifestError);
    expect(results[1]).toMatchObject({ ok: true, action: "created" });
  });

  it("refuses unusable objects before sending anything", async () => {
    await expect(
      applyManifests(client, [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: {} } as Manifest,
      ]),
    ).rejects.toThrow("manifest document 1: ConfigMap has no metadata.name");
    expect(api.log).toEqual([]);
  });

  it("deletes in reverse order with the propagation policy, and reports absent objects", async () => {
    await applyManifests(client, text);
    api.log.length = 0;
    const results = await deleteManifests(client, text, { propagationPolicy: "Foreground" });
    expect(api.log.filter((l) => l.startsWith("DELETE"))).toEqual([
      "DELETE /apis/example.test/v1/namespaces/team/widgets/w?propagationPolicy=Foreground",
      "DELETE /api/v1/namespaces/team/configmaps/c?propagationPolicy=Foreground",
      "DELETE /api/v1/namespaces/other/configmaps/elsewhere?propagationPolicy=Foreground",
      "DELETE /apis/rbac.authorization.k8s.io/v1/clusterroles/reader?propagationPolicy=Foreground",
      "DELETE /apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.test?propagationPolicy=Foreground",
      "DELETE /api/v1/namespaces/team?propagationPolicy=Foreground",
    ]);
    expect(results.map((r) => r.ok && r.action)).toEqual(Array(6).fill("deleted"));
    const again = await deleteManifests(client, text);
    expect(again.map((r) => r.ok && r.action)).toEqual(Array(6).fill("absent"));
  });

  it("rejects with the signal's reason when aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(applyManifests(client, text, { signal: controller.signal })).rejects.toThrow(
      "stop",
    );
  });
});
