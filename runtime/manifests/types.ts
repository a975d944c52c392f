/** What manifests are, what applying or deleting one reports, and the errors found before any call. */
import type { KnownManifest } from "../../generated/manifests.js";
import type { KubeError } from "../errors.js";

export type { KindEntry, KnownManifest } from "../../generated/manifests.js";

/** An object whose apiVersion/kind the generated groups do not know (a custom resource). */
export interface UnknownManifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** One object of a manifest: a typed built-in object, or any other object with apiVersion and kind. */
export type Manifest = KnownManifest | UnknownManifest;

/** The known type for an apiVersion/kind pair, or `UnknownManifest` for a kind the registries lack. */
export type ManifestOf<A extends string, K extends string> = [
  Extract<KnownManifest, { apiVersion?: A; kind?: K }>,
] extends [never]
  ? UnknownManifest
  : Extract<KnownManifest, { apiVersion?: A; kind?: K }>;

/** Narrows a parsed manifest to the type of one apiVersion/kind. */
export function isKind<A extends string, K extends string>(
  manifest: Manifest,
  apiVersion: A,
  kind: K,
): manifest is ManifestOf<A, K> {
  return manifest.apiVersion === apiVersion && manifest.kind === kind;
}

/** Where an object came from: its document (0-based, empty documents counted) and first line. */
export interface ManifestSource {
  /** Index of the YAML document, or of the object in the array given. */
  index: number;
  /** 1-based line where the document starts (YAML input only). */
  line?: number;
}

/** A problem in the input itself, found before any request is sent. */
export interface ManifestProblem extends ManifestSource {
  message: string;
}

/** The manifest cannot be used as given; nothing was sent to the server. */
export class ManifestError extends Error {
  override name = "ManifestError";
  readonly problems: readonly ManifestProblem[];

  constructor(problems: ManifestProblem[]) {
    const where = (p: ManifestProblem) =>
      `document ${p.index}${p.line === undefined ? "" : ` (line ${p.line})`}: ${p.message}`;
    super(
      problems.length === 1
        ? `manifest ${where(problems[0])}`
        : `manifest has ${problems.length} problems:\n${problems.map(where).join("\n")}`,
    );
    this.problems = problems;
  }
}

/** The object a result is about, as the input named it (namespace after defaulting). */
export interface ObjectRef extends ManifestSource {
  apiVersion: string;
  kind: string;
  name: string;
  /** Set for namespaced objects only. */
  namespace?: string;
}

/** Why one object failed: the server's answer, or a kind neither the registries nor discovery know. */
export type ObjectError = KubeError | ManifestError | Error;

export type ApplyAction = "created" | "configured" | "unchanged";

export type ApplyResult = ObjectRef &
  (
    | {
        ok: true;
        action: ApplyAction;
        /** The object as the server returned it. */ object: Manifest;
      }
    | { ok: false; error: ObjectError }
  );

export type DeleteAction = "deleted" | "absent";

export type DeleteResult = ObjectRef &
  ({ ok: true; action: DeleteAction } | { ok: false; error: ObjectError });

/** Input: multi-document YAML text, or objects. */
export type ManifestInput = string | readonly Manifest[];

export interface ManifestOptions {
  /** Namespace for namespaced objects that name none (default: the client's namespace). */
  namespace?: string;
  /** Ask the server to validate and report without persisting anything (`dryRun=All`). */
  dryRun?: boolean;
  /** Cancels the remaining work; the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Requests in flight at once within one ordering step (default 4). */
  concurrency?: number;
}
