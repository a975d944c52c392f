/** Provenance of a cluster spec with OpenAPI v3 documents overlaid. */
import type { OpenApiV3Overlay } from "./openapi-v3.js";
import { sha256, type LoadedSpec } from "./sources.js";

export function withOpenApiV3Provenance(spec: LoadedSpec, overlay: OpenApiV3Overlay): LoadedSpec {
  if (overlay.size === 0) return spec;
  const v3 = sha256(JSON.stringify([...overlay.entries()]));
  return {
    ...spec,
    provenance: {
      ...spec.provenance,
      source: `${spec.provenance.source} + /openapi/v3 (${overlay.size} CRD group/versions)`,
      sha256: sha256(spec.provenance.sha256 + v3),
    },
  };
}
