/**
 * The model every emit step reads: plain data, independent of TypeScript.
 * A module is one API group/version (`core/v1`, `apps/v1`) or a shared package (`meta/v1`).
 */
import type { ConnectOperation } from "./connect.js";

export interface Provenance {
  /** Where the spec came from, without machine-specific paths. */
  source: string;
  /** `v1.36.3`, or `unknown`. */
  kubernetesVersion: string;
  sha256: string;
}

export type TypeRef =
  | { kind: "ref"; id: string }
  | { kind: "string" }
  | { kind: "number" }
  | { kind: "boolean" }
  | { kind: "intOrString" }
  | { kind: "array"; items: TypeRef }
  | { kind: "map"; values: TypeRef }
  | {
      kind: "object";
      properties: Property[];
      /** Other members are allowed too (`x-kubernetes-preserve-unknown-fields`). */
      open?: boolean;
      /** `oneOf`/`anyOf` alternatives: in each, these properties are required. */
      alternatives?: string[][];
    }
  | { kind: "literal"; value: string | number | boolean | null }
  | { kind: "union"; members: TypeRef[] }
  | { kind: "record" }
  | { kind: "unknown" };

export interface Property {
  name: string;
  description?: string;
  type: TypeRef;
  required: boolean;
  /** The server may send `null` here (a fix-up says so). */
  nullable?: boolean;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface Definition {
  /** The spec's definition name, e.g. `io.k8s.api.core.v1.Pod`. */
  id: string;
  /** Short TypeScript name, unique within its module. */
  name: string;
  module: string;
  description?: string;
  type: TypeRef;
  /** Set when the definition stands for exactly one group/version/kind. */
  gvk?: GroupVersionKind;
}

export type PatchType = "json" | "merge" | "strategic-merge" | "apply";

export interface Parameter {
  name: string;
  description?: string;
  type: TypeRef;
  required: boolean;
}

export interface Operation {
  /** Function name: the operationId without the group/version infix. */
  name: string;
  operationId: string;
  module: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  description?: string;
  /** Kubernetes verb (`list`, `get`, `create`, `patch`, …). */
  action: string;
  gvk?: GroupVersionKind;
  pathParams: Parameter[];
  queryParams: Parameter[];
  body?: { type: TypeRef; required: boolean; description?: string };
  /** Success response type; `undefined` when the spec gives none. */
  response?: TypeRef;
  /** The success response is plain text (pod logs). */
  textResponse: boolean;
  /** For patch operations: the patch types the server accepts. */
  patchTypes?: PatchType[];
  /** For list operations: the item type, for watch and paginate forms. */
  listItem?: TypeRef;
  /** The list can be watched (`?watch=1`). */
  watchable: boolean;
}

export interface Resource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: string[];
  subresources: string[];
}

export interface Module {
  /** Folder, e.g. `core/v1`, `apps/v1`, `rbac.authorization.k8s.io/v1`, `meta/v1`. */
  key: string;
  group: string;
  version: string;
  definitions: Definition[];
  operations: Operation[];
  resources: Resource[];
  /** Connect operations served through `kubegen/streams` (exec, attach, port-forward, proxy). */
  connect: ConnectOperation[];
}

export interface ApiModel {
  provenance: Provenance;
  modules: Module[];
  /** Lookup by definition id. */
  definitions: Map<string, Definition>;
  /** Operations the spec has that are not emitted, with the reason (connect, deprecated watch, …). */
  skipped: { operationId: string; path: string; reason: string }[];
}
