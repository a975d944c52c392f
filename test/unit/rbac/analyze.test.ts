import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { analyze, type Analysis } from "../../../generator/rbac/analyze.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const FILES = [
  "named.ts",
  "namespace.ts",
  "reexported.ts",
  "values.ts",
  "runtime-calls.ts",
  "unresolved.ts",
  "published.ts",
  "apply.ts",
  "entry-points.ts",
];

describe("kubegen rbac analysis: every way of reaching a function", () => {
  let analysis: Analysis;
  beforeAll(() => {
    analysis = analyze({ files: FILES.map((f) => join(fixtures, f)), root: fixtures });
    // Loading the TypeScript program takes 1-3 s; more on a loaded machine.
  }, 60_000);

  /** `file:line fn verb resource` for each need of one file. */
  const needsOf = (file: string) =>
    analysis.needs
      .filter((n) => n.site.file === file)
      .map((n) => {
        const p = n.permission;
        const what = p.nonResourceURL ?? `${p.group || "core"}/${p.resource}`;
        const extra = [
          n.resourceName && `name=${n.resourceName}`,
          n.namespace && `ns=${n.namespace}`,
        ];
        return [`${n.site.line} ${n.site.fn} ${p.verbs.join("+")} ${what}`, ...extra]
          .filter(Boolean)
          .join(" ");
      });

  it("named imports, imports from operations.js, renamed imports; literal names and namespaces", () => {
    expect(needsOf("named.ts")).toEqual([
      "7 listNamespacedPod list core/pods",
      "8 createNamespacedJob create batch/jobs",
      "9 readNamespacedSecret get core/secrets name=token ns=vault",
    ]);
  });

  it("namespace imports, element access with a literal key, dynamic import", () => {
    expect(needsOf("namespace.ts")).toEqual([
      "5 readNamespacedPod get core/pods name=web",
      "6 deleteNamespacedPod delete core/pods name=web",
      "8 listStorageClass list storage.k8s.io/storageclasses",
    ]);
  });

  it("re-exports: renamed, `export * as`, `export *`", () => {
    expect(needsOf("reexported.ts")).toEqual([
      "5 listNamespacedService list core/services",
      "6 readNamespacedDeployment get apps/deployments name=web",
      "7 listNamespacedIngress list networking.k8s.io/ingresses",
    ]);
    expect(needsOf("barrel.ts")).toEqual([]);
  });

  it("functions passed as values, kept in objects and variables, chosen by a condition", () => {
    expect(needsOf("values.ts")).toEqual([
      "15 createNamespacedConfigMap create core/configmaps",
      "18 watchNamespacedEvent watch core/events",
      "19 createNamespacedConfigMap create core/configmaps",
      "20 createNamespacedConfigMap create core/configmaps",
      "21 readNamespacedServiceAccount get core/serviceaccounts",
      "22 readNamespacedServiceAccount get core/serviceaccounts name=x",
      "23 listNamespacedEndpoints list core/endpoints",
    ]);
    // `typeof …listNamespacedPodTemplate` is a type, not a call.
    expect(analysis.needs.some((n) => n.site.fn === "listNamespacedPodTemplate")).toBe(false);
  });

  it("the runtime's own calls: podIdentity only with a client and the API fallback, discovery URLs", () => {
    expect(needsOf("runtime-calls.ts")).toEqual([
      "4 podIdentity get core/pods",
      "7 discoverResources get /api",
      "7 discoverResources get /apis",
      "7 discoverResources get /api/*",
      "7 discoverResources get /apis/*",
    ]);
  });

  it("server-side apply also needs create (the server checks it when apply creates)", () => {
    expect(needsOf("apply.ts")).toEqual([
      "6 patchNamespacedConfigMap create+patch core/configmaps name=a",
      "12 patchNamespacedConfigMap patch core/configmaps name=a",
      "13 patchNamespacedConfigMap patch core/configmaps name=a",
    ]);
    expect(analysis.warnings.filter((w) => w.file === "apply.ts")).toEqual([
      {
        file: "apply.ts",
        line: 13,
        message: 'patchType chosen at run time: if it is "apply", the call also needs create',
      },
    ]);
  });

  it("streams, leader election and manifests: the other entry points' own calls", () => {
    expect(needsOf("entry-points.ts")).toEqual([
      "17 exec create+get core/pods/exec name=web-0 ns=shop",
      "18 portForwardConnection create+get core/pods/portforward name=web-0",
      "19 streamNamespacedPodLog get core/pods/log name=web-0",
      "20 proxyPod get core/pods/proxy name=web-0",
      "21 proxyNode create core/nodes/proxy name=node-a",
      "22 attachNamespacedPod create+get core/pods/attach name=web-0",
      "23 proxyNamespacedService create+delete+get+patch+update core/services/proxy name=api",
      "24 leaderElection create+get+update coordination.k8s.io/leases",
    ]);
    expect(
      analysis.warnings
        .filter((w) => w.file === "entry-points.ts")
        .map((w) => `${w.line} ${w.message.split(":")[0]}`),
    ).toEqual(["25 applyManifests sends requests for whatever kinds its manifests hold"]);
  });

  it("reads the table of a published package from its .d.ts", () => {
    expect(needsOf("published.ts")).toEqual(["4 listThings list example.com/things name=a"]);
  });

  it("warns, with file:line, about what cannot be resolved statically", () => {
    const others = analysis.warnings.filter(
      (w) => w.file !== "apply.ts" && w.file !== "entry-points.ts",
    );
    expect(others.map((w) => `${w.file}:${w.line} ${w.message.split(":")[0]}`)).toEqual([
      "runtime-calls.ts:8 send sends a request to a path it is given",
      expect.stringMatching(/^unresolved.ts:5 the module .*core\/v1\/index.ts is used as a value/),
      expect.stringMatching(
        /^unresolved.ts:6 a function of .*core\/v1\/index.ts chosen at run time/,
      ),
      expect.stringMatching(/^unresolved.ts:7 the module .* is used as a value/),
      "unresolved.ts:8 an untyped (any) function is called with a kubegen client (untyped.listNamespacedPod)",
      expect.stringMatching(/^unresolved.ts:9 the module .* is used as a value/),
      "unresolved.ts:10 namespace chosen at run time",
    ]);
    expect(needsOf("unresolved.ts")).toEqual([
      "10 listNamespacedResourceQuota list core/resourcequotas",
    ]);
  });
});
