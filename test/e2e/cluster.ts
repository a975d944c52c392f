import { inject } from "vitest";
import type { ClusterInfo } from "../cluster/global-setup.js";

export type { ClusterInfo };

/** The cluster started by test/cluster/global-setup.ts, or an error saying how to get one. */
export function useCluster(): ClusterInfo {
  const cluster = inject("cluster");
  if (!cluster) {
    throw new Error(
      "no kube-apiserver: set KUBEGEN_APISERVER_BIN/KUBEGEN_ETCD_BIN to prebuilt kube-apiserver " +
        "and etcd binaries, or install Go so that test/cluster can build them " +
        '(run e2e tests through the vitest "e2e" project, which starts the cluster)',
    );
  }
  return cluster;
}
