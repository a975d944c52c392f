// Real-world CRD sets (Gateway API standard + experimental, cert-manager) through `--crd`:
// generate, type-check with a usage file, install in the real API server, and drive one object
// of each kind through the generated functions; server-side validation surfaces as KubeError.
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadAll } from "js-yaml";
import * as prettier from "prettier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CustomResourceDefinition } from "../../generated/apiextensions.k8s.io/v1/index.js";
import { loadCrds } from "../../generator/crd.js";
import { crdOnlySpec, withCrdProvenance } from "../../generator/crd-source.js";
import { buildOutput } from "../../generator/generate.js";
import { isInvalid, isNotFound, KubeError, type Client } from "../../runtime/index.js";
import { CRD_SETS, crdSetDir } from "../tools/crd-sets.js";
import { installCrds, removeCrds, ROOT, tscStrict } from "./crd-support.js";
import { adminClient, testNamespace } from "./support.js";

type Obj = Record<string, unknown> & { spec?: Record<string, unknown> };
const svcRef = { group: "", kind: "Service", name: "svc" };
const backend = (port: number) => ({ backendRefs: [{ name: "svc", port }] });

/** One valid object per kind (storage version), by group. */
const OBJECTS: Record<string, Record<string, Obj>> = {
  "gateway.networking.k8s.io/v1": {
    GatewayClass: { spec: { controllerName: "example.com/gateway-controller" } },
    Gateway: {
      spec: { gatewayClassName: "gc", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
    },
    HTTPRoute: { spec: { parentRefs: [{ name: "gw" }], rules: [backend(8080)] } },
    GRPCRoute: { spec: { parentRefs: [{ name: "gw" }], rules: [backend(9000)] } },
    ReferenceGrant: {
      spec: {
        from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "other" }],
        to: [{ group: "", kind: "Service" }],
      },
    },
    BackendTLSPolicy: {
      spec: {
        targetRefs: [svcRef],
        validation: { hostname: "svc.example.com", wellKnownCACertificates: "System" },
      },
    },
    ListenerSet: {
      spec: {
        parentRef: { name: "gw" },
        listeners: [{ name: "http", port: 80, protocol: "HTTP" }],
      },
    },
    TCPRoute: { spec: { parentRefs: [{ name: "gw" }], rules: [backend(9000)] } },
    TLSRoute: {
      spec: { parentRefs: [{ name: "gw" }], hostnames: ["a.example.com"], rules: [backend(443)] },
    },
    UDPRoute: { spec: { parentRefs: [{ name: "gw" }], rules: [backend(53)] } },
  },
  "gateway.networking.x-k8s.io/v1alpha1": {
    XBackendTrafficPolicy: { spec: { targetRefs: [svcRef] } },
    XMesh: { spec: { controllerName: "example.com/mesh" } },
  },
  "cert-manager.io/v1": {
    Issuer: { spec: { selfSigned: {} } },
    ClusterIssuer: { spec: { selfSigned: {} } },
    Certificate: {
      spec: { secretName: "tls", issuerRef: { name: "issuer" }, dnsNames: ["a.example.com"] },
    },
    CertificateRequest: { spec: { issuerRef: { name: "issuer" }, request: "dGVzdA==" } },
  },
  "acme.cert-manager.io/v1": {
    Order: { spec: { issuerRef: { name: "issuer" }, request: "dGVzdA==" } },
    Challenge: {
      spec: {
        authorizationURL: "https://acme.example.com/authz",
        dnsName: "a.example.com",
        issuerRef: { name: "issuer" },
        key: "key",
        solver: {},
        token: "token",
        type: "HTTP-01",
        url: "https://acme.example.com/challenge",
      },
    },
  },
};

interface Generated {
  out: string;
  /** group/version → kinds whose objects the usage file types. */
  kinds: Map<string, { kind: string; namespaced: boolean }[]>;
  crds: CustomResourceDefinition[];
  files: Map<string, string>;
}

let dir: string;
const generated = new Map<string, Generated>();

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), "kubegen-e2e-crds-")));
  await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  for (const set of CRD_SETS) {
    const folder = await crdSetDir(set);
    const loaded = await loadCrds([folder]);
    const out = path.join(dir, set.name);
    const runtime = path.relative(out, path.join(ROOT, "runtime/index.js"));
    const result = buildOutput(withCrdProvenance(crdOnlySpec(), loaded, [set.name]), {
      runtime,
      typeCheckOutput: true,
      crds: { loaded, paths: [set.name] },
    });
    for (const [name, text] of result.files) {
      await mkdir(path.dirname(path.join(out, name)), { recursive: true });
      await writeFile(path.join(out, name), text);
    }
    const kinds = new Map<string, { kind: string; namespaced: boolean }[]>();
    for (const crd of loaded.crds)
      for (const v of crd.versions) {
        const gv = `${crd.group}/${v.name}`;
        kinds.set(gv, [...(kinds.get(gv) ?? []), { kind: crd.kind, namespaced: crd.namespaced }]);
      }
    const crds: CustomResourceDefinition[] = [];
    for (const file of loaded.files) {
      for (const doc of loadAll(
        await readFile(file, "utf8"),
      ) as (CustomResourceDefinition | null)[])
        if (doc?.kind === "CustomResourceDefinition") crds.push(doc);
    }
    generated.set(set.name, { out, kinds, crds, files: result.files });
  }
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.each(CRD_SETS.map((s) => s.name))("%s", (name) => {
  it("the output compiles with tsc --strict together with a usage file of typed objects", async () => {
    const { out, kinds } = generated.get(name)!;
    const lines: string[] = [];
    let i = 0;
    for (const [gv, list] of kinds) {
      const objects = OBJECTS[gv] ?? {};
      for (const { kind } of list) {
        const object = objects[kind];
        if (!object) continue;
        const alias = `T${i++}`;
        lines.push(`import type { ${kind} as ${alias} } from "./${gv}/index.js";`);
        lines.push(
          `export const o${alias}: ${alias} = ${JSON.stringify({ apiVersion: gv, kind, metadata: { name: "x" }, ...object })};`,
        );
      }
    }
    // The storage version's objects must type-check; a wrong enum value must not.
    lines.push(
      name.startsWith("gateway")
        ? `import type { HTTPRoute as H } from "./gateway.networking.k8s.io/v1/index.js";\n// @ts-expect-error not an enum value\nexport const bad: H = { spec: { rules: [{ matches: [{ method: "FETCH" }] }] } };`
        : `import type { Certificate as C } from "./cert-manager.io/v1/index.js";\n// @ts-expect-error secretName is required\nexport const bad: C = { spec: { issuerRef: { name: "i" } } };`,
    );
    expect(i).toBeGreaterThan(5);
    await writeFile(path.join(out, "usage.ts"), lines.join("\n") + "\n");
    const tsc = await tscStrict(out, ["./**/*.ts"]);
    // Real-world schemas (long enums, deep nesting) still come out as Prettier writes them.
    const options = (await prettier.resolveConfig(path.join(ROOT, "package.json"))) ?? {};
    for (const [file, text] of generated.get(name)!.files)
      if (file.endsWith(".ts"))
        expect(await prettier.check(text, { ...options, filepath: file }), file).toBe(true);
    expect(tsc.out).toBe("");
    expect(tsc.code).toBe(0);
  }, 120_000);
});

describe("installed in the API server", () => {
  let admin: Client;
  let client: Client;
  let namespace: { name: string; remove(): Promise<void> };
  const installed: string[] = [];

  beforeAll(async () => {
    admin = adminClient();
    namespace = await testNamespace(admin, "e2e-crdsets");
    client = adminClient({ namespace: namespace.name });
    // The experimental channel is a superset of the standard one (same CRD names).
    for (const set of ["gateway-api-experimental", "cert-manager"])
      installed.push(...(await installCrds(admin, generated.get(set)!.crds)));
  }, 120_000);

  afterAll(async () => {
    await removeCrds(admin, installed);
    await namespace?.remove();
    await client?.close();
    await admin?.close();
  }, 240_000);

  const cases: [string, string, string][] = [];
  for (const set of ["gateway-api-standard", "gateway-api-experimental", "cert-manager"])
    for (const [gv, kinds] of Object.entries(OBJECTS))
      for (const kind of Object.keys(kinds))
        if (
          (set === "cert-manager") === gv.includes("cert-manager") &&
          !(set === "gateway-api-standard" && gv.includes("x-k8s"))
        )
          cases.push([set, gv, kind]);

  it.each(cases)("%s: create, read, patch, list and delete %s %s", async (set, gv, kind) => {
    const { out, kinds } = generated.get(set)!;
    const namespaced = kinds.get(gv)!.find((k) => k.kind === kind)!.namespaced;
    const m = (await import(path.join(out, gv, "index.ts"))) as Record<
      string,
      (...a: unknown[]) => Promise<
        Obj & {
          metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
        }
      >
    >;
    const scope = namespaced ? "Namespaced" : "";
    const name = `${kind.toLowerCase()}-${set.length}`;
    const body = { apiVersion: gv, kind, metadata: { name }, ...OBJECTS[gv][kind] };
    const created = await m[`create${scope}${kind}`](client, { body });
    expect(created.kind).toBe(kind);
    try {
      const read = await m[`read${scope}${kind}`](client, { name });
      expect(read.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      const patched = await m[`patch${scope}${kind}`](client, {
        name,
        patchType: "merge",
        body: { metadata: { labels: { patched: "yes" } } },
      });
      expect(patched.metadata.labels).toEqual({ patched: "yes" });
      const listed = (await m[`list${scope}${kind}`](client, {})) as unknown as { items: Obj[] };
      expect(listed.items.map((o) => (o.metadata as { name: string }).name)).toContain(name);
    } finally {
      await m[`delete${scope}${kind}`](client, { name });
    }
    await expect(m[`read${scope}${kind}`](client, { name })).rejects.toSatisfy(isNotFound);
  });

  it("an enum violation and a CEL rule violation surface as KubeError with isInvalid and field causes", async () => {
    const { out } = generated.get("gateway-api-experimental")!;
    const m = (await import(path.join(out, "gateway.networking.k8s.io/v1/index.ts"))) as Record<
      string,
      (...a: unknown[]) => Promise<unknown>
    >;
    const gv = "gateway.networking.k8s.io/v1";
    const enumError = await m
      .createNamespacedHTTPRoute(client, {
        body: {
          apiVersion: gv,
          kind: "HTTPRoute",
          metadata: { name: "bad-enum" },
          spec: { rules: [{ matches: [{ method: "FETCH" }] }] },
        },
      })
      .catch((e: unknown) => e);
    expect(isInvalid(enumError), String(enumError)).toBe(true);
    expect((enumError as KubeError).details?.causes?.map((c) => c.field)).toContain(
      "spec.rules[0].matches[0].method",
    );
    const celError = await m
      .createNamespacedGateway(client, {
        body: {
          apiVersion: gv,
          kind: "Gateway",
          metadata: { name: "bad-cel" },
          spec: {
            gatewayClassName: "gc",
            listeners: [{ name: "l", port: 80, protocol: "HTTP", tls: { mode: "Terminate" } }],
          },
        },
      })
      .catch((e: unknown) => e);
    expect(isInvalid(celError), String(celError)).toBe(true);
    const causes = (celError as KubeError).details?.causes ?? [];
    expect(
      causes.some(
        (c) =>
          c.field === "spec.listeners" &&
          c.message?.includes("tls must not be specified for protocols"),
      ),
      JSON.stringify(causes),
    ).toBe(true);
  });
});
