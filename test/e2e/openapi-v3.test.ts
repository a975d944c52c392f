// OpenAPI v3 from a cluster: with the hand-written CRDs installed, `--from-cluster` (v2 for the
// built-in groups, /openapi/v3 for CRD group/versions) and `--crd` on the same files give the
// same types; v2 alone loses some (nullable, oneOf alternatives, embedded-resource fields).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CustomResourceDefinition } from "../../generated/apiextensions.k8s.io/v1/index.js";
import { loadCrds } from "../../generator/crd.js";
import { crdOnlySpec, withCrdProvenance } from "../../generator/crd-source.js";
import { buildOutput } from "../../generator/generate.js";
import type { TypeRef } from "../../generator/ir.js";
import { readCrdOpenApiV3 } from "../../generator/openapi-v3.js";
import { fromCluster } from "../../generator/sources.js";
import { sendText, type Client } from "../../runtime/index.js";
import { readLiveSpecs } from "../tools/openapi-v3-measure.js";
import { useCluster } from "./cluster.js";
import { installCrds, removeCrds } from "./crd-support.js";
import { adminClient, eventually, testNamespace } from "./support.js";
import {
  createNamespacedServiceAccount,
  createNamespacedServiceAccountToken,
} from "../../generated/core/v1/index.js";

const FIXTURE = fileURLToPath(new URL("../unit/generator/crds/widgets.yaml", import.meta.url));
const IDS = ["com.example.v1.Widget", "com.example.v1.Gadget", "com.example.v1beta1.Widget"];

/** A type without prose: what the compiler sees. */
function shape(type: TypeRef | undefined): unknown {
  if (!type) return undefined;
  return JSON.parse(
    JSON.stringify(type, (key, value: unknown) => (key === "description" ? undefined : value)),
  ) as unknown;
}

describe("--from-cluster reads /openapi/v3 for CRD groups", () => {
  let admin: Client;
  const names: string[] = [];

  beforeAll(async () => {
    admin = adminClient();
    const docs = (loadAll(await readFile(FIXTURE, "utf8")) as CustomResourceDefinition[]).filter(
      (d) => d?.kind === "CustomResourceDefinition",
    );
    names.push(...(await installCrds(admin, docs)));
    // The OpenAPI documents are rebuilt asynchronously after a CRD is established.
    await eventually(
      "the CRDs in /openapi/v3",
      async () => {
        const index = JSON.parse(
          await sendText(
            admin,
            "GET",
            "/openapi/v3",
            {},
            { headers: { accept: "application/json" } },
          ),
        ) as { paths: Record<string, unknown> };
        return index.paths["apis/example.com/v1"] && index.paths["apis/example.com/v1beta1"]
          ? true
          : undefined;
      },
      60_000,
    );
  }, 120_000);

  afterAll(async () => {
    await removeCrds(admin, names);
    await admin?.close();
  }, 240_000);

  it("gives the same types as --crd on the same files, where v2 alone does not", async () => {
    const cluster = useCluster();
    const options = { server: cluster.server, token: cluster.adminToken, ca: cluster.caPem };
    const spec = await fromCluster(options, () => {});
    const overlay = await readCrdOpenApiV3(options, () => {});
    expect([...overlay.keys()]).toEqual(
      expect.arrayContaining(["example.com/v1", "example.com/v1beta1"]),
    );
    const fromV3 = buildOutput(spec, { runtime: "kubegen/runtime", openApiV3: overlay });
    const fromV2 = buildOutput(spec, { runtime: "kubegen/runtime" });
    const loaded = await loadCrds([FIXTURE]);
    const fromFiles = buildOutput(withCrdProvenance(crdOnlySpec(), loaded, ["widgets.yaml"]), {
      runtime: "kubegen/runtime",
      crds: { loaded, paths: ["widgets.yaml"] },
    });
    for (const id of IDS) {
      const a = shape(fromV3.model.definitions.get(id)?.type);
      const b = shape(fromFiles.model.definitions.get(id)?.type);
      expect(a, id).toBeDefined();
      expect(a, id).toEqual(b);
    }
    expect(fromV3.files.get("example.com/v1/operations.ts")).toBeDefined();
    const v1 = (r: typeof fromV3) => r.files.get("example.com/v1/models.ts")!;
    for (const text of ["note?: string | null;", "} & ({ git: string } | { url: string });"]) {
      expect(v1(fromV3)).toContain(text);
      expect(v1(fromV2)).not.toContain(text);
    }
    const body = (t: string | undefined) => t?.replace(/^\/\/.*\n/gm, "");
    expect(body(fromV3.files.get("example.com/v1/resources.ts"))).toBe(
      body(fromFiles.files.get("example.com/v1/resources.ts")),
    );
  }, 120_000);

  it("reading every /openapi/v3 document (as --url …/openapi/v3 does) gives the same CRD types", async () => {
    const cluster = useCluster();
    const options = { server: cluster.server, token: cluster.adminToken, ca: cluster.caPem };
    const clusterOutput = buildOutput(await fromCluster(options, () => {}), {
      runtime: "kubegen/runtime",
      openApiV3: await readCrdOpenApiV3(options, () => {}),
    });
    const { v3 } = await readLiveSpecs(admin);
    const fromUrl = buildOutput(
      {
        text: JSON.stringify({ swagger: "2.0", paths: {}, definitions: {} }),
        provenance: { source: "v3", kubernetesVersion: "unknown", sha256: "" },
      },
      { runtime: "kubegen/runtime", openApiV3: v3 },
    );
    for (const id of IDS) {
      const expected = clusterOutput.model.definitions.get(id);
      expect(expected, id).toBeDefined();
      expect(fromUrl.model.definitions.get(id), id).toEqual(expected);
    }
  });

  it("without permission to list CRDs, keeps to /openapi/v2 and says why", async () => {
    const cluster = useCluster();
    const ns = await testNamespace(admin, "e2e-v3");
    try {
      await createNamespacedServiceAccount(admin, {
        namespace: ns.name,
        body: { metadata: { name: "reader" } },
      });
      const { status } = await createNamespacedServiceAccountToken(admin, {
        namespace: ns.name,
        name: "reader",
        body: { spec: { audiences: [], expirationSeconds: 600 } },
      });
      const messages: string[] = [];
      const overlay = await readCrdOpenApiV3(
        { server: cluster.server, token: status!.token, ca: cluster.caPem },
        (m) => messages.push(m),
      );
      expect(overlay.size).toBe(0);
      expect(messages).toEqual([
        "not reading /openapi/v3: cannot list CustomResourceDefinitions (403)",
      ]);
    } finally {
      await ns.remove();
    }
  });
});
