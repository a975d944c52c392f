/**
 * Real-world CRD sets, fetched through the Go module proxy like the release specs and cached in
 * the Go module cache (never committed): Gateway API (standard and experimental channels) and
 * cert-manager.
 */
import { join } from "node:path";
import { goModuleDir } from "./go-sources.js";

export interface CrdSet {
  name: string;
  module: string;
  version: string;
  /** Folder inside the module. */
  folder: string;
}

export const CRD_SETS: readonly CrdSet[] = [
  {
    name: "gateway-api-standard",
    module: "sigs.k8s.io/gateway-api",
    version: "v1.6.3",
    folder: "config/crd/standard",
  },
  {
    name: "gateway-api-experimental",
    module: "sigs.k8s.io/gateway-api",
    version: "v1.6.3",
    folder: "config/crd/experimental",
  },
  {
    name: "cert-manager",
    module: "github.com/cert-manager/cert-manager",
    version: "v1.19.1",
    folder: "deploy/crds",
  },
];

export async function crdSetDir(set: CrdSet): Promise<string> {
  return join(await goModuleDir(set.module, set.version), set.folder);
}
