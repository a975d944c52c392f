// Vitest globalSetup of the e2e project: one cluster for the whole run, shared by all
// e2e files through inject('cluster') (see test/e2e/cluster.ts).
import type { TestProject } from "vitest/node";
import { BinariesUnavailableError, ensureBinaries } from "./build.js";
import { startCluster } from "./server.js";

export interface ClusterInfo {
  server: string;
  caPem: string;
  adminToken: string;
  /** CA (certificate and key) the apiserver trusts for client certificates. */
  clientCa: { cert: string; key: string };
  kubeconfigPath: string;
  etcdUrl: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** null when no kube-apiserver could be had outside CI; e2e tests then fail with why. */
    cluster: ClusterInfo | null;
  }
}

export default async function setup({ provide }: TestProject) {
  let binaries;
  try {
    binaries = await ensureBinaries();
  } catch (e) {
    // In CI a missing server must fail the run; locally, unit-test-only contributors
    // get a loud notice and failing e2e tests rather than a crashed run.
    const ci = process.env.CI === "true" || process.env.CI === "1";
    if (!(e instanceof BinariesUnavailableError) || ci) throw e;
    const bar = "!".repeat(78);
    process.stderr.write(`\n${bar}\n  E2E TESTS WILL FAIL: ${e.message}\n${bar}\n\n`);
    provide("cluster", null);
    return;
  }
  const cluster = await startCluster({
    binaries,
    // PodTemplates bypass the watch cache, so a watch from a compacted resourceVersion reaches
    // etcd and gets the real 410 Gone; the cache would otherwise replay what it still holds.
    apiserverArgs: ["--watch-cache-sizes=podtemplates#0"],
  });
  const { server, caPem, adminToken, clientCa, kubeconfigPath, etcdUrl } = cluster;
  provide("cluster", { server, caPem, adminToken, clientCa, kubeconfigPath, etcdUrl });
  return () => cluster.stop();
}
