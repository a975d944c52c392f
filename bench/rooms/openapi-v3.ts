/**
 * OpenAPI v3 in: kubegen and openapi-typescript on the same `/openapi/v3` documents of a real
 * kube-apiserver v1.36.3 with the Gateway API v1.6.3 experimental CRDs installed — time, output
 * size, and what the types can express. `node --import tsx bench/rooms/openapi-v3.ts [--quick]`
 */
import { readFile } from "node:fs/promises";
import { loadAll } from "js-yaml";
import openapiTS, { astToString } from "openapi-typescript";
import { crdOnlySpec } from "../../generator/crd-source.js";
import { buildOutput } from "../../generator/generate.js";
import { loadCrds } from "../../generator/crd.js";
import { readCrdOpenApiV3 } from "../../generator/openapi-v3.js";
import { createClient, send } from "../../runtime/index.js";
import { ensureBinaries } from "../../test/cluster/build.js";
import { startCluster } from "../../test/cluster/server.js";
import { CRD_SETS, crdSetDir } from "../../test/tools/crd-sets.js";
import { writeRoomSection } from "../report.js";

const runs = process.argv.includes("--quick") ? 3 : 9;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

const cluster = await startCluster({ binaries: await ensureBinaries() });
try {
  const options = { server: cluster.server, token: cluster.adminToken, ca: cluster.caPem };
  const client = createClient(options);
  const set = CRD_SETS.find((s) => s.name === "gateway-api-experimental")!;
  const loaded = await loadCrds([await crdSetDir(set)]);
  for (const file of loaded.files)
    for (const doc of loadAll(await readFile(file, "utf8")) as { kind?: string }[])
      if (doc?.kind === "CustomResourceDefinition")
        await send(client, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
          body: doc,
        });
  let overlay = await readCrdOpenApiV3(options, () => {});
  for (let i = 0; i < 100 && overlay.size < 5; i++) {
    await new Promise((r) => setTimeout(r, 500));
    overlay = await readCrdOpenApiV3(options, () => {});
  }
  await client.close();
  const docs = [...overlay.values()];
  const inputBytes = docs.reduce((n, d) => n + JSON.stringify(d).length, 0);

  let kubegenFiles = new Map<string, string>();
  const kubegenMs = await time(async () => {
    kubegenFiles = buildOutput(crdOnlySpec(), {
      runtime: "kubegen/runtime",
      openApiV3: overlay,
    }).files;
  });
  let otsText: string[] = [];
  const otsMs = await time(async () => {
    otsText = [];
    for (const doc of docs) otsText.push(astToString(await openapiTS(doc as never)));
  });
  const kubegenText = [...kubegenFiles.values()].join("\n");
  const kbBytes = kubegenText.length;
  const otsBytes = otsText.join("\n").length;
  const ots = otsText.join("\n");
  const yes = (b: boolean) => (b ? "yes" : "no");
  const md = `## OpenAPI v3: kubegen and openapi-typescript

The same ${overlay.size} \`/openapi/v3\` documents (${(inputBytes / 1e6).toFixed(1)} MB) of a real
kube-apiserver v1.36.3 serving the Gateway API v1.6.3 experimental CRDs; median of ${runs} runs
after a warm-up, in one process. \`node --import tsx bench/rooms/openapi-v3.ts\`.

| | kubegen | openapi-typescript 7.13.0 |
| --- | --- | --- |
| time | ${kubegenMs.toFixed(0)} ms | ${otsMs.toFixed(0)} ms (${(otsMs / kubegenMs).toFixed(1)}× kubegen) |
| output | ${(kbBytes / 1e6).toFixed(2)} MB in ${kubegenFiles.size} files | ${(otsBytes / 1e6).toFixed(2)} MB (one type tree per document) |
| literal \`kind\` / \`apiVersion\` | ${yes(kubegenText.includes('kind?: "HTTPRoute"'))} | ${yes(/kind\??: "HTTPRoute"/.test(ots))} |
| enums as literal unions | ${yes(kubegenText.includes('"PathPrefix"'))} | ${yes(ots.includes('"PathPrefix"'))} |
| callable functions per operation | ${yes(kubegenText.includes("export function createNamespacedHTTPRoute("))} | no (types of paths and operations; a fetch client such as openapi-fetch would be added) |
| watch events, paginate | ${yes(kubegenText.includes("watchNamespacedHTTPRoute"))} | no |
| patch types per content type | ${yes(kubegenText.includes('"apply" | "json" | "merge"'))} | request bodies per content type |
| CEL rules, defaults, list-map keys in JSDoc | ${yes(kubegenText.includes("Validation: `"))} | ${yes(ots.includes("x-kubernetes-validations") || ots.includes("self."))} |

openapi-typescript reads the v3 documents as they are and types every path; it wins on nothing
kubegen needs here, so kubegen keeps its own reader (\`generator/openapi-v3.ts\`, v3 → the same
model as v2) and openapi-typescript stays a dev dependency of this measurement only.
`;
  process.stdout.write(md);
  await writeRoomSection("openapi-v3", md);
} finally {
  await cluster.stop();
}
