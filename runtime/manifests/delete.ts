/** Deletes what a manifest describes, in the reverse of the apply order. */
import type { Client } from "../client.js";
import { isNotFound } from "../errors.js";
import { send } from "../request.js";
import { definesKind, definedKinds } from "./apply.js";
import { inPhases, phaseOf } from "./order.js";
import { toDocuments, type ManifestDocument } from "./parse.js";
import { KindResolver, type KindIndex } from "./resolve.js";
import { namespaceFor, pool, refOf, targetOf, type Target } from "./run.js";
import { ManifestError } from "./types.js";
import type { DeleteResult, ManifestInput, ManifestOptions } from "./types.js";

export interface DeleteOptions extends ManifestOptions {
  /**
   * `Background` (default, as kubectl): the object goes at once, the garbage collector removes its
   * dependents afterwards. `Foreground`: the object stays (with a `foregroundDeletion` finalizer)
   * until its dependents are gone. `Orphan`: dependents are kept.
   */
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  /** Seconds before the object is deleted; 0 deletes immediately. Default: the object's own. */
  gracePeriodSeconds?: number;
}

export async function deleteWith(
  index: KindIndex,
  client: Client,
  input: ManifestInput,
  options: DeleteOptions = {},
): Promise<DeleteResult[]> {
  const docs = toDocuments(input);
  const { signal } = options;
  const resolver = new KindResolver(client, index, { signal });
  const namespace = namespaceFor(client, options.namespace);
  const defined = definedKinds(docs);

  const deleteOne = async (doc: ManifestDocument): Promise<DeleteResult> => {
    let t: Target;
    try {
      t = await targetOf(doc, resolver, namespace);
    } catch (error) {
      signal?.throwIfAborted();
      // A custom resource whose CRD (in this manifest) is already gone is gone too.
      if (
        error instanceof ManifestError &&
        definesKind(defined, doc.object.apiVersion, doc.object.kind)
      ) {
        return { ...refOf(doc), ok: true, action: "absent" };
      }
      return { ...refOf(doc), ok: false, error: error as Error };
    }
    try {
      await send(
        client,
        "DELETE",
        t.template,
        {
          ...t.params,
          propagationPolicy: options.propagationPolicy ?? "Background",
          gracePeriodSeconds: options.gracePeriodSeconds,
          dryRun: options.dryRun ? "All" : undefined,
        },
        { signal },
      );
      return { ...t.ref, ok: true, action: "deleted" };
    } catch (error) {
      signal?.throwIfAborted();
      if (isNotFound(error)) return { ...t.ref, ok: true, action: "absent" };
      return { ...t.ref, ok: false, error: error as Error };
    }
  };

  const results = new Array<DeleteResult>(docs.length);
  const numbered = docs.map((doc, i) => ({ doc, i }));
  const phases = inPhases(numbered, ({ doc }) =>
    phaseOf(doc.object, resolver.known(doc.object.apiVersion, doc.object.kind) !== undefined),
  ).reverse();
  for (const phase of phases) {
    const out = await pool(phase, options.concurrency ?? 4, signal, ({ doc }) => deleteOne(doc));
    phase.forEach(({ i }, k) => (results[i] = out[k]));
  }
  return results;
}
