/**
 * kubegen/manifests: apply, delete and parse multi-document manifests (what `kubectl apply
 * --server-side -f` does). A separate entry point because it carries the kind index of every
 * built-in group; applications that only make calls do not load it.
 */
import type { Client } from "../client.js";
import { kinds } from "../../generated/manifests.js";
import { applyWith, type ApplyOptions } from "./apply.js";
import { deleteWith, type DeleteOptions } from "./delete.js";
import type { ApplyResult, DeleteResult, ManifestInput } from "./types.js";

/**
 * Server-side applies every object of `manifests` (YAML text or objects): Namespaces and CRDs
 * first (waiting until each CRD is Established), custom resources after. Resolves with one result
 * per object, in input order; a failed object does not stop the others. Rejects only when the
 * input itself is unusable (a ManifestError, before any request) or `signal` aborts.
 */
export function applyManifests(
  client: Client,
  manifests: ManifestInput,
  options?: ApplyOptions,
): Promise<ApplyResult[]> {
  return applyWith(kinds, client, manifests, options);
}

/** Deletes every object of `manifests`, custom resources first and Namespaces last. */
export function deleteManifests(
  client: Client,
  manifests: ManifestInput,
  options?: DeleteOptions,
): Promise<DeleteResult[]> {
  return deleteWith(kinds, client, manifests, options);
}

export { parseManifests } from "./parse.js";
export { isKind, ManifestError } from "./types.js";
export type { ApplyOptions } from "./apply.js";
export type { DeleteOptions } from "./delete.js";
export type {
  ApplyAction,
  ApplyResult,
  DeleteAction,
  DeleteResult,
  KnownManifest,
  Manifest,
  ManifestInput,
  ManifestOf,
  ManifestOptions,
  ManifestProblem,
  ObjectError,
  ObjectRef,
  UnknownManifest,
} from "./types.js";
