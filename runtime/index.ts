/** kubegen/runtime: everything generated code and applications need to talk to an API server. */
export { createClient, type Client, type ClientOptions } from "./client.js";
export {
  resolveConnection,
  defaultNamespace,
  ConfigError,
  type ConnectionOptions,
} from "./config.js";
export {
  basicAuth,
  execPlugin,
  staticToken,
  tokenFile,
  CredentialsError,
  type ExecConfig,
} from "./credentials.js";
export {
  KubeError,
  isKubeError,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isTooManyRequests,
  isUnauthorized,
  type Status,
} from "./errors.js";
export { buildPath, send, sendText, type CallOptions, type Params } from "./request.js";
export type { RetryOptions } from "./transport.js";
export { watch, type Bookmark, type WatchEvent, type WatchOptions } from "./watch.js";
export { paginate, type PaginateOptions } from "./paginate.js";
export type {
  ApplyConfiguration,
  DeepPartial,
  JsonPatchOperation,
  PatchType,
  WithPatch,
} from "./patch.js";
export {
  discoverGroups,
  discoverResources,
  type ApiGroup,
  type ApiResource,
  type DiscoverOptions,
  type DiscoveredResources,
  type FailedGroupVersion,
  type ResourceInfo,
} from "./discovery.js";
export type { ConfigSource, Connection, Credentials, TlsSettings } from "./types.js";
export {
  podIdentity,
  parseDownwardApiMap,
  type PodIdentity,
  type PodIdentityOptions,
  type PodLookupField,
  type PodScalarField,
  type ResourceNames,
} from "./pod.js";
