/** kubegen/controller: informers, a work queue with a reconcile loop, and leader election. */
export {
  informer,
  Informer,
  type InformerOptions,
  type InitialListMode,
  type ListResult,
  type ListWatch,
} from "./informer.js";
export {
  InformerError,
  type InformerHealth,
  type InformerPhase,
  type InformerState,
  type InformerStats,
} from "./health.js";
export type { InformerEvent } from "./sync.js";
export { EventsOverflowError, type EventsOptions } from "./feed.js";
export {
  NAMESPACE_INDEX,
  objectKey,
  Store,
  type IndexFunc,
  type KubeObject,
  type StoreReader,
} from "./store.js";
export {
  controller,
  WorkQueue,
  type Controller,
  type ControllerOptions,
  type QueueBackoff,
  type Reconcile,
  type ReconcileResult,
} from "./queue.js";
export {
  sharedInformers,
  type Selection,
  type SharedInformers,
  type SharedOptions,
} from "./shared.js";
export {
  controllerOwner,
  watches,
  type KeysOf,
  type OwnedObject,
  type OwnerKind,
  type SecondaryWatch,
} from "./owners.js";
export {
  leaderElection,
  microTime,
  type LeaderElection,
  type LeaderElectionOptions,
} from "./leader.js";
export { backoffDelay, type BackoffOptions } from "./backoff.js";
