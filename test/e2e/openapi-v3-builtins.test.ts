// The built-in groups' /openapi/v3 against their /openapi/v2 on the real kube-apiserver: v3
// adds no type information there (only `default` values, and Quantity/IntOrString spelled as
// `oneOf`), which is why `--from-cluster` keeps reading the built-in groups from v2. And
// `--url …/openapi/v3` (the index, or one group/version's document) generates from the real
// server exactly what `--url …/openapi/v2` does.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClusterRole,
  createClusterRoleBinding,
  deleteClusterRole,
  deleteClusterRoleBinding,
} from "../../generated/rbac.authorization.k8s.io/v1/index.js";
import { buildOutput, type GenerateResult } from "../../generator/generate.js";
import { urlSpec } from "../../generator/sources.js";
import { createClient, sendText, type Client } from "../../runtime/index.js";
import { compareDefinitions, readLiveSpecs, v3Schemas } from "../tools/openapi-v3-measure.js";
import { cli } from "../tools/kubegen-cli.js";
import { useCluster } from "./cluster.js";
import { adminClient, eventually, uniqueName } from "./support.js";

const VERSION = "v1.36.3";
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

/** Generated files without the two header lines that name the source. */
function body(text: string): string {
  return text.replace(/^\/\/ (Source|Spec sha256): .*\n/gm, "");
}

function expectSameFiles(actual: Map<string, string>, expected: Map<string, string>): void {
  const names = (m: Map<string, string>) => [...m.keys()].filter((f) => f !== "kubegen.json");
  expect(names(actual).sort()).toEqual(names(expected).sort());
  for (const name of names(expected))
    expect(body(actual.get(name)!), name).toBe(body(expected.get(name)!));
}

describe("OpenAPI v3 of the built-in groups", () => {
  let admin: Client;
  let fromV2: GenerateResult;
  let v2Text: string;

  beforeAll(async () => {
    admin = adminClient();
    v2Text = await sendText(admin, "GET", "/openapi/v2", {}, { timeoutMs: 120_000 });
    fromV2 = buildOutput(urlSpec("v2", v2Text, VERSION), { runtime: "kubegen/runtime" });
  });
  afterAll(async () => {
    await admin?.close();
  });

  it("adds no type information: only defaults, and Quantity/IntOrString as oneOf instead of a type", async () => {
    const { v2, v3 } = await readLiveSpecs(admin);
    const schemas = v3Schemas(v3);
    const { onlyV2, onlyV3, differences } = compareDefinitions(v2, schemas);
    expect(onlyV2).toEqual([]);
    expect(onlyV3).toEqual([]);
    // No nullable, enum, required, oneOf/anyOf of shape, format or property differs.
    expect(differences.map((d) => d.keyword).sort()).toEqual(["+default", "+oneOf", "-type"]);
    const at = (keyword: string) => differences.find((d) => d.keyword === keyword)!.at;
    expect(at("+oneOf")).toEqual([QUANTITY, INT_OR_STRING]);
    expect(at("-type")).toEqual([QUANTITY, INT_OR_STRING]);
    expect(at("+default").length).toBeGreaterThan(1000);
    console.log(
      `[openapi v3 built-ins] ${Object.keys(v2).length} definitions; v3 adds ${at("+default").length} defaults, and oneOf for ${at("+oneOf").join(", ")}`,
    );

    // The same output, file for file, from the v3 documents alone as from v2.
    const fromV3 = buildOutput(
      {
        text: JSON.stringify({ swagger: "2.0", paths: {}, definitions: {} }),
        provenance: { source: "v3", kubernetesVersion: VERSION, sha256: "" },
      },
      { runtime: "kubegen/runtime", openApiV3: v3 },
    );
    expectSameFiles(fromV3.files, fromV2.files);
  });

  describe("--url at the server's /openapi/v3", () => {
    const reader = uniqueName("kubegen-e2e-openapi-reader");
    let work: string;
    const generate = async (url: string, out: string) => {
      const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(work, "ca.crt") };
      const result = await cli(["--url", url, "--out", out, "--kubernetes-version", VERSION], {
        env,
      });
      expect(result.code, result.stderr).toBe(0);
    };

    beforeAll(async () => {
      const cluster = useCluster();
      work = await mkdtemp(join(tmpdir(), "kubegen-v3url-e2e-"));
      await writeFile(join(work, "ca.crt"), cluster.caPem);
      // --url sends no credentials (as for /openapi/v2): the server must let anonymous users
      // read /openapi, which it does not by default.
      await createClusterRole(admin, {
        body: {
          metadata: { name: reader },
          rules: [{ nonResourceURLs: ["/openapi", "/openapi/*"], verbs: ["get"] }],
        },
      });
      await createClusterRoleBinding(admin, {
        body: {
          metadata: { name: reader },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: reader },
          subjects: [
            {
              apiGroup: "rbac.authorization.k8s.io",
              kind: "Group",
              name: "system:unauthenticated",
            },
          ],
        },
      });
      const anonymous = createClient({ server: cluster.server, ca: cluster.caPem });
      try {
        await eventually("anonymous access to /openapi/v3", () =>
          sendText(
            anonymous,
            "GET",
            "/openapi/v3/apis/apps/v1",
            {},
            { headers: { accept: "application/json" } },
          ),
        );
      } finally {
        await anonymous.close();
      }
    });
    afterAll(async () => {
      await deleteClusterRoleBinding(admin, { name: reader }).catch(() => {});
      await deleteClusterRole(admin, { name: reader }).catch(() => {});
      if (work) await rm(work, { recursive: true, force: true });
    });

    it("generates from the index (TLS verified with the cluster's CA) what /openapi/v2 gives", async () => {
      const cluster = useCluster();
      const out = join(work, "index");
      await generate(`${cluster.server}/openapi/v3`, out);
      const metadata = JSON.parse(await readFile(join(out, "kubegen.json"), "utf8")) as {
        source: string;
      };
      expect(metadata.source).toMatch(
        /^url https:\/\/127\.0\.0\.1:\d+\/openapi\/v3 \(OpenAPI v3, \d+ documents\)$/,
      );
      const files = new Map<string, string>();
      for (const name of fromV2.files.keys())
        if (name !== "kubegen.json") files.set(name, await readFile(join(out, name), "utf8"));
      expectSameFiles(files, fromV2.files);
    }, 120_000);

    it("generates one group/version from its document", async () => {
      const cluster = useCluster();
      const out = join(work, "apps");
      await generate(`${cluster.server}/openapi/v3/apis/apps/v1`, out);
      for (const name of ["apps/v1/models.ts", "apps/v1/operations.ts", "apps/v1/resources.ts"])
        expect(body(await readFile(join(out, name), "utf8")), name).toBe(
          body(fromV2.files.get(name)!),
        );
      await expect(readFile(join(out, "batch/v1/models.ts"), "utf8")).rejects.toThrow(/ENOENT/);
    }, 120_000);

    it("with --kubeconfig reads as that context: its CA and token, its /version, its server only", async () => {
      const cluster = useCluster();
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.NODE_EXTRA_CA_CERTS;
      const url = `${cluster.server}/openapi/v3/apis/apps/v1`;
      const out = join(work, "with-kubeconfig");
      // Neither NODE_EXTRA_CA_CERTS nor --kubernetes-version: the context gives both.
      const ok = await cli(["--url", url, "--kubeconfig", cluster.kubeconfigPath, "--out", out], {
        env,
      });
      expect(ok.code, ok.stderr).toBe(0);
      const metadata = JSON.parse(await readFile(join(out, "kubegen.json"), "utf8")) as {
        kubernetesVersion: string;
      };
      expect(metadata.kubernetesVersion).toBe(VERSION);
      expect(body(await readFile(join(out, "apps/v1/models.ts"), "utf8"))).toBe(
        body(fromV2.files.get("apps/v1/models.ts")!),
      );
      // Anonymous users may read /openapi here (see above), so a 401 shows the token was sent.
      const badToken = join(work, "bad-token.kubeconfig");
      await writeFile(
        badToken,
        (await readFile(cluster.kubeconfigPath, "utf8")).replace(cluster.adminToken, "not-a-token"),
      );
      const refused = await cli(["--url", url, "--kubeconfig", badToken, "--out", out], { env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/401|Unauthorized/);
      // A URL on another server gets nothing: the credentials are the context's server's.
      const elsewhere = await cli(
        [
          "--url",
          "https://127.0.0.1:1/openapi/v3",
          "--kubeconfig",
          cluster.kubeconfigPath,
          "--out",
          out,
        ],
        { env },
      );
      expect(elsewhere.code).toBe(2);
      expect(elsewhere.stderr).toContain("is not on the server of");
    }, 120_000);
  });
});
