/** Server-side apply of a whole manifest, in an order that works, with one result per object. */
import type { Client } from "../client.js";
import { isNotFound } from "../errors.js";
import { send } from "../request.js";
import { Phase, inPhases, isCustomResourceDefinition, phaseOf } from "./order.js";
import { toDocuments, type ManifestDocument } from "./parse.js";
import { KindResolver, splitApiVersion, type KindIndex } from "./resolve.js";
import { namespaceFor, pause, pool, refOf, targetOf, type Target } from "./run.js";
import { ManifestError } from "./types.js";
import type {
  ApplyAction,
  ApplyResult,
  Manifest,
  ManifestInput,
  ManifestOptions,
  ObjectRef,
} from "./types.js";

export interface ApplyOptions extends ManifestOptions {
  /** The manager that owns the applied fields (default `kubegen`). */
  fieldManager?: string;
  /** Take over fields another manager owns instead of reporting a conflict (409). */
  force?: boolean;
  /** How long to wait for each CustomResourceDefinition to become Established (default 60 000 ms). */
  establishTimeoutMs?: number;
}

type Meta = { resourceVersion?: string; generation?: number; managedFields?: ManagedFields[] };
type ManagedFields = {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: unknown;
};

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b, k) &&
      deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/**
 * What an apply can change: the object without status and bookkeeping (resourceVersion,
 * generation, managedFields timestamps), plus the set of fields this manager owns. A no-op apply
 * returns the live object untouched; comparing these rather than resourceVersion alone also
 * holds for `dryRun` and is not fooled by a controller updating status in between.
 */
function configuration(object: Manifest, fieldManager: string): unknown {
  const { status: _status, metadata, ...rest } = object as Record<string, unknown>;
  const { resourceVersion: _rv, generation: _g, managedFields, ...meta } = (metadata ?? {}) as Meta;
  const owned = (managedFields ?? [])
    .filter((f) => f.manager === fieldManager && f.operation === "Apply" && !f.subresource)
    .map((f) => f.fieldsV1);
  return { rest, meta, owned };
}

function actionOf(
  statusCode: number,
  live: Manifest | undefined | null,
  applied: Manifest,
  fieldManager: string,
): ApplyAction {
  if (statusCode === 201 || live === undefined) return "created";
  // The live object could not be read (e.g. no `get` permission): the response alone says configured.
  if (live === null) return "configured";
  return deepEqual(configuration(live, fieldManager), configuration(applied, fieldManager))
    ? "unchanged"
    : "configured";
}

async function waitEstablished(
  client: Client,
  name: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Error | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last = "no conditions yet";
  for (;;) {
    const crd = await send<{
      status?: {
        conditions?: { type: string; status: string; reason?: string; message?: string }[];
      };
    }>(
      client,
      "GET",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}",
      { name },
      { signal },
    );
    const conditions = crd.status?.conditions ?? [];
    if (conditions.some((c) => c.type === "Established" && c.status === "True")) return undefined;
    const rejected = conditions.find((c) => c.type === "NamesAccepted" && c.status === "False");
    if (rejected) {
      return new Error(
        `CustomResourceDefinition ${name}: names not accepted: ${rejected.message ?? rejected.reason}`,
      );
    }
    last =
      conditions
        .map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}`)
        .join(", ") || last;
    if (Date.now() >= deadline) {
      return new Error(
        `CustomResourceDefinition ${name} is not Established after ${timeoutMs} ms: ${last}`,
      );
    }
    await pause(100, signal);
  }
}

/** The kind a CRD object defines, as `group/kind`. */
function definedKind(object: Manifest): string | undefined {
  if (!isCustomResourceDefinition(object as { apiVersion: string; kind: string })) return undefined;
  const spec = (object as { spec?: { group?: string; names?: { kind?: string } } }).spec;
  return spec?.group && spec.names?.kind ? `${spec.group}/${spec.names.kind}` : undefined;
}

/** The kinds the manifest's own CRDs define, as `group/kind`. */
export function definedKinds(docs: ManifestDocument[]): Set<string> {
  return new Set(docs.map((d) => definedKind(d.object)).filter((k): k is string => !!k));
}

export function definesKind(kinds: Set<string>, apiVersion: string, kind: string): boolean {
  return kinds.has(`${splitApiVersion(apiVersion).group}/${kind}`);
}

function failure(ref: ObjectRef, error: unknown): ApplyResult {
  return { ...ref, ok: false, error: error instanceof Error ? error : new Error(String(error)) };
}

export async function applyWith(
  index: KindIndex,
  client: Client,
  input: ManifestInput,
  options: ApplyOptions = {},
): Promise<ApplyResult[]> {
  const docs = toDocuments(input);
  const { signal, dryRun, force } = options;
  const fieldManager = options.fieldManager ?? "kubegen";
  const establishTimeoutMs = options.establishTimeoutMs ?? 60_000;
  const resolver = new KindResolver(client, index, { signal });
  const namespace = namespaceFor(client, options.namespace);
  // Kinds of this manifest's CRDs that became Established, and until when discovery may trail them.
  const established = new Set<string>();
  let establishedBy = 0;

  const target = async (doc: ManifestDocument): Promise<Target> => {
    for (;;) {
      try {
        return await targetOf(doc, resolver, namespace);
      } catch (error) {
        // Discovery can trail the Established condition by a moment for the manifest's own CRDs.
        const waiting =
          error instanceof ManifestError &&
          definesKind(established, doc.object.apiVersion, doc.object.kind) &&
          Date.now() < establishedBy;
        if (!waiting) throw error;
        resolver.forget(doc.object.apiVersion);
        await pause(200, signal);
      }
    }
  };

  const applyOne = async (doc: ManifestDocument): Promise<ApplyResult> => {
    let t: Target;
    try {
      t = await target(doc);
    } catch (error) {
      signal?.throwIfAborted();
      return failure(refOf(doc), error);
    }
    try {
      const live = await send<Manifest>(client, "GET", t.template, t.params, { signal }).catch(
        (error: unknown) => (isNotFound(error) ? undefined : null),
      );
      let statusCode = 0;
      const applied = await send<Manifest>(
        client,
        "PATCH",
        t.template,
        {
          ...t.params,
          body: t.body,
          patchType: "apply",
          fieldManager,
          force: force ? true : undefined,
          dryRun: dryRun ? "All" : undefined,
        },
        { signal, onResponse: (r) => (statusCode = r.statusCode) },
      );
      return {
        ...t.ref,
        ok: true,
        action: actionOf(statusCode, live, applied, fieldManager),
        object: applied,
      };
    } catch (error) {
      signal?.throwIfAborted();
      return failure(t.ref, error);
    }
  };

  const results = new Array<ApplyResult>(docs.length);
  const numbered = docs.map((doc, i) => ({ doc, i }));
  const phases = inPhases(numbered, ({ doc }) =>
    phaseOf(doc.object, resolver.known(doc.object.apiVersion, doc.object.kind) !== undefined),
  );
  for (const phase of phases) {
    const out = await pool(phase, options.concurrency ?? 4, signal, ({ doc }) => applyOne(doc));
    phase.forEach(({ i }, k) => (results[i] = out[k]));
    if (dryRun || phaseOf(phase[0].doc.object, true) !== Phase.Definitions) continue;
    // A dry-run CRD is never established, so its custom resources report the kind as unknown.
    await Promise.all(
      phase.map(async ({ doc, i }) => {
        const result = results[i];
        if (!result.ok) return;
        const problem = await waitEstablished(
          client,
          result.name,
          establishTimeoutMs,
          signal,
        ).catch((error: unknown) => {
          signal?.throwIfAborted();
          return error as Error;
        });
        if (problem) {
          const { ok: _ok, action: _action, object: _object, ...ref } = result;
          results[i] = failure(ref, problem);
        } else {
          const kind = definedKind(doc.object);
          if (kind) established.add(kind);
        }
      }),
    );
    establishedBy = Date.now() + 10_000;
  }
  return results;
}
