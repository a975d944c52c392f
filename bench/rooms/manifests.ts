/**
 * kubegen/manifests: bundle cost (the list-pods app must not grow), YAML parsing against
 * client-node's loadAllYaml, and applying a manifest to the real kube-apiserver against
 * client-node's KubernetesObjectApi (one server-side apply PATCH per object, in file order).
 * `node --import tsx bench/rooms/manifests.ts [--quick]`
 */
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import * as esbuild from "esbuild";
import * as k8s from "@kubernetes/client-node";
import { ROOT, writeRoomSection } from "../report.js";
import { startCluster } from "../../test/cluster/server.js";
import { createClient } from "../../runtime/index.js";
import { applyManifests, parseManifests } from "../../runtime/manifests/index.js";

const QUICK = process.argv.includes("--quick");
const RUNS = QUICK ? 3 : 7;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function ownCode(app: string) {
  const result = await esbuild.build({
    entryPoints: [join(ROOT, "bench/apps", app)],
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["undici", "yaml"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.values(result.metafile.outputs)[0].inputs;
  const bytesOf = (test: (path: string) => boolean) =>
    Object.entries(inputs)
      .filter(([path]) => test(path))
      .reduce((n, [, info]) => n + info.bytesInOutput, 0);
  const out = result.outputFiles[0].contents;
  return {
    min: out.length,
    gz: gzipSync(out, { level: 9 }).length,
    manifestsRoom: bytesOf((p) => p.startsWith("runtime/manifests/")),
    kindIndex: bytesOf((p) => p === "generated/manifests.ts"),
  };
}

/** `count` documents: a Namespace, then ConfigMaps and Deployments in turn. */
function manifest(namespace: string, count: number): string {
  const docs = [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`];
  for (let i = 1; i < count; i++) {
    docs.push(
      i % 2
        ? `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ${namespace}\n  labels: { app: bench }\ndata:\n  key: "value ${i}"\n  mode: "0644"\n`
        : `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-${i}\n  namespace: ${namespace}\nspec:\n  replicas: 1\n  selector: { matchLabels: { app: web-${i} } }\n  template:\n    metadata: { labels: { app: web-${i} } }\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          ports: [{ containerPort: 80 }]\n`,
    );
  }
  return docs.join("---\n");
}

async function time(work: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const listPods = await ownCode("kubegen.ts");
  const applyApp = await ownCode("manifests.ts");

  const big = manifest("parse", 1000);
  const parseKubegen: number[] = [];
  const parseClientNode: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const a = await time(() => parseManifests(big));
    const b = await time(() => k8s.loadAllYaml(big));
    if (i > 0) (parseKubegen.push(a), parseClientNode.push(b));
  }

  const OBJECTS = 101;
  const cluster = await startCluster();
  const apply = {
    kgCreate: [] as number[],
    kgSame: [] as number[],
    cnCreate: [] as number[],
    cnSame: [] as number[],
  };
  try {
    const client = createClient({
      server: cluster.server,
      token: cluster.adminToken,
      ca: cluster.caPem,
    });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    for (let run = 0; run < RUNS; run++) {
      const mine = manifest(`kg-${run}`, OBJECTS);
      apply.kgCreate.push(
        await time(() => applyManifests(client, mine, { fieldManager: "bench" })),
      );
      apply.kgSame.push(await time(() => applyManifests(client, mine, { fieldManager: "bench" })));
      const theirs = k8s.loadAllYaml(manifest(`cn-${run}`, OBJECTS)) as k8s.KubernetesObject[];
      const cnApply = async () => {
        for (const object of theirs) {
          await objects.patch(
            object,
            undefined,
            undefined,
            "bench",
            false,
            k8s.PatchStrategy.ServerSideApply,
          );
        }
      };
      apply.cnCreate.push(await time(cnApply));
      apply.cnSame.push(await time(cnApply));
    }
    await client.close();
  } finally {
    await cluster.stop();
  }

  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  const rows = [
    ["first apply (creates)", median(apply.kgCreate), median(apply.cnCreate)],
    ["second apply (no change)", median(apply.kgSame), median(apply.cnSame)],
  ] as const;
  const markdown = `### Manifests (\`kubegen/manifests\`)

\`node --import tsx bench/rooms/manifests.ts${QUICK ? " --quick" : ""}\`; medians of ${RUNS} runs.

| bundle, undici and yaml external (esbuild, minified) | minified | gzipped | of which runtime/manifests | of which kind index |
| --- | ---: | ---: | ---: | ---: |
| list pods (\`bench/apps/kubegen.ts\`) | ${kb(listPods.min)} | ${kb(listPods.gz)} | ${kb(listPods.manifestsRoom)} | ${kb(listPods.kindIndex)} |
| apply a manifest (\`bench/apps/manifests.ts\`) | ${kb(applyApp.min)} | ${kb(applyApp.gz)} | ${kb(applyApp.manifestsRoom)} | ${kb(applyApp.kindIndex)} |

| parse 1 000 YAML documents | kubegen \`parseManifests\` | client-node \`loadAllYaml\` | ratio |
| --- | ---: | ---: | ---: |
| ${(big.length / 1024).toFixed(0)} KB | ${ms(median(parseKubegen))} | ${ms(median(parseClientNode))} | ${ratio(median(parseKubegen), median(parseClientNode))} |

Apply ${OBJECTS} objects (a Namespace, ConfigMaps and Deployments) to a real kube-apiserver v1.36.3
on loopback. kubegen: \`applyManifests\` (ordering, a GET and a PATCH per object, 4 at once, a
result per object). client-node: \`KubernetesObjectApi.patch\` with server-side apply, one object
after another (no ordering, no result beyond the object).

| apply ${OBJECTS} objects | kubegen | client-node | ratio |
| --- | ---: | ---: | ---: |
${rows.map(([what, a, b]) => `| ${what} | ${ms(a)} | ${ms(b)} | ${ratio(a, b)} |`).join("\n")}
`;
  console.log(markdown);
  await writeRoomSection("manifests", markdown);
}

await main();
