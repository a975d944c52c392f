/** CRD files as a generation source: alone (with a minimal `meta/v1`), or added to another spec. */
import { CRD_BASE } from "./crd-base.js";
import type { CrdLoadResult } from "./crd.js";
import { sha256, type LoadedSpec } from "./sources.js";

export { loadCrds } from "./crd.js";

/**
 * The spec a CRD-only output starts from: no paths, no definitions. The CRDs bring the
 * definitions they use from the pinned release (ObjectMeta, ListMeta, Status, DeleteOptions,
 * Scale, …), which become a small `meta/v1` (and `autoscaling/v1` for Scale) in the output, so
 * the output compiles on its own and matches the release the project pins.
 */
export function crdOnlySpec(): LoadedSpec {
  const text = JSON.stringify({
    swagger: "2.0",
    info: { title: "Kubernetes", version: CRD_BASE.kubernetesVersion },
    paths: {},
    definitions: {},
  });
  return {
    text,
    provenance: { source: "", kubernetesVersion: CRD_BASE.kubernetesVersion, sha256: "" },
  };
}

/** The provenance of a spec with CRDs added: both sources named, one hash over both. */
export function withCrdProvenance(
  spec: LoadedSpec,
  loaded: CrdLoadResult,
  paths: string[],
): LoadedSpec {
  const crdHash = sha256(JSON.stringify(loaded.crds.map(({ file: _file, ...crd }) => crd)));
  const crds = `${loaded.crds.length} CRD(s) from ${paths.join(", ")}`;
  const source = spec.provenance.source ? `${spec.provenance.source} + ${crds}` : crds;
  return {
    ...spec,
    provenance: {
      ...spec.provenance,
      source,
      sha256: spec.provenance.sha256 ? sha256(spec.provenance.sha256 + crdHash) : crdHash,
    },
  };
}
