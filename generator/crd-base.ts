/**
 * What CRD paths and a CRD-only output need from a Kubernetes release: the operations of a
 * namespaced resource with status and scale (apps/v1 Deployment, renamed per CRD), the shared
 * parameters they use, and the definitions they reach outside apps/v1 (ObjectMeta, Status,
 * DeleteOptions, Scale, …). Extracted from the pinned release into `data/crd-base.ts`; a test
 * fails when that file no longer matches the pinned release.
 */
import { CRD_BASE_DATA } from "./data/crd-base.js";
import type { SwaggerParameter, SwaggerPathItem, SwaggerSchema, SwaggerSpec } from "./spec.js";

export interface CrdBase {
  kubernetesVersion: string;
  paths: Record<string, SwaggerPathItem>;
  parameters: Record<string, SwaggerParameter>;
  definitions: Record<string, SwaggerSchema>;
}

export const CRD_BASE = CRD_BASE_DATA as CrdBase;

export const TEMPLATE_PATHS = [
  "/apis/apps/v1/deployments",
  "/apis/apps/v1/namespaces/{namespace}/deployments",
  "/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
  "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale",
  "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status",
];
const TEMPLATE_DEFINITIONS = new Set([
  "io.k8s.api.apps.v1.Deployment",
  "io.k8s.api.apps.v1.DeploymentList",
]);

function refs(node: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => refs(n, prefix, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith(prefix))
        out.add(v.slice(prefix.length));
      else refs(v, prefix, out);
    }
  }
}

/** Builds the CRD base from a release spec (deterministic: keys sorted). */
export function extractCrdBase(spec: SwaggerSpec, kubernetesVersion: string): CrdBase {
  const paths: CrdBase["paths"] = {};
  for (const p of TEMPLATE_PATHS) {
    const item = spec.paths[p];
    if (!item) throw new Error(`the release has no ${p}`);
    paths[p] = item;
  }
  const parameterNames = new Set<string>();
  refs(paths, "#/parameters/", parameterNames);
  const parameters: CrdBase["parameters"] = {};
  for (const name of [...parameterNames].sort()) parameters[name] = spec.parameters![name];
  refs(parameters, "#/definitions/", new Set());

  const ids = new Set<string>();
  refs([paths, parameters], "#/definitions/", ids);
  TEMPLATE_DEFINITIONS.forEach((id) => ids.delete(id));
  const queue = [...ids];
  while (queue.length > 0) {
    const found = new Set<string>();
    refs(spec.definitions[queue.pop()!], "#/definitions/", found);
    for (const id of found)
      if (!ids.has(id)) {
        ids.add(id);
        queue.push(id);
      }
  }
  const definitions: CrdBase["definitions"] = {};
  for (const id of [...ids].sort()) definitions[id] = spec.definitions[id];
  return { kubernetesVersion, paths, parameters, definitions };
}

/** The text of `data/crd-base.ts` for a base. */
export function crdBaseModule(base: CrdBase): string {
  return (
    "// Extracted from the pinned Kubernetes release by test/tools/release-data.ts. DO NOT EDIT.\n" +
    `export const CRD_BASE_DATA: unknown = ${JSON.stringify(base, null, 2)};\n`
  );
}
