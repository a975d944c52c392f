/** Patch shapes: the patch type decides the body's type and the request's content type. */

export type PatchType = "json" | "merge" | "strategic-merge" | "apply";

/** One RFC 6902 operation. */
export type JsonPatchOperation =
  | { op: "add" | "replace" | "test"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "move" | "copy"; from: string; path: string };

/** Every field optional, all the way down: what merge patches and apply configurations send. */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Server-side apply needs the object's apiVersion and kind even though reads may omit them. */
export type ApplyConfiguration<T> = DeepPartial<T> &
  (T extends { apiVersion?: infer A; kind?: infer K }
    ? { apiVersion: NonNullable<A>; kind: NonNullable<K> }
    : unknown);

type Variant<T, P extends PatchType> = P extends "json"
  ? { patchType: "json"; body: JsonPatchOperation[] }
  : P extends "apply"
    ? {
        patchType: "apply";
        body: ApplyConfiguration<T>;
        /** Required for apply: the manager that owns the fields in `body`. */
        fieldManager: string;
        /** Take ownership of fields other managers own instead of failing with a conflict. */
        force?: boolean;
      }
    : { patchType: P; body: DeepPartial<T> };

/** The params of a patch operation: its query parameters plus one patch variant. */
export type WithPatch<Query, T, P extends PatchType> = Query & Variant<T, P>;
