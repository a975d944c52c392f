/** A failed API call as a value: the server's Status kept whole, plus the request that caused it. */

/** `metav1.Status` as the API server sends it on failure. */
export interface Status {
  kind?: "Status";
  apiVersion?: string;
  status?: "Success" | "Failure";
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
  metadata?: { resourceVersion?: string; continue?: string };
}

/**
 * Marks KubeErrors across copies of the runtime (two installed versions, source and build mixed):
 * `Symbol.for` gives every copy the same symbol, where each copy has its own KubeError class.
 */
const BRAND = Symbol.for("kubegen.KubeError");

export class KubeError extends Error {
  /** `instanceof KubeError` holds for a KubeError made by any copy of the runtime. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    );
  }

  declare readonly [BRAND]: true;
  /** HTTP status code (or the Status `code`). */
  readonly code: number;
  /** Machine-readable reason: `NotFound`, `AlreadyExists`, `Conflict`, `Forbidden`, `Expired`, `Gone`, … */
  readonly reason: string;
  readonly details: Status["details"];
  /** The Status body, when the server sent one. */
  readonly status: Status | undefined;
  /** Response text when the body was not a Status (proxies, load balancers). */
  readonly body: string | undefined;
  readonly verb: string;
  readonly path: string;

  constructor(init: { code: number; verb: string; path: string; status?: Status; body?: string }) {
    const { status } = init;
    const reason = status?.reason || reasonForCode(init.code);
    const detail = status?.message || init.body?.slice(0, 500).trim() || reason;
    super(`${init.verb} ${init.path}: ${init.code} ${reason}: ${detail}`);
    this.name = "KubeError";
    Object.defineProperty(this, BRAND, { value: true });
    this.code = status?.code || init.code;
    this.reason = reason;
    this.details = status?.details;
    this.status = status;
    this.body = status ? undefined : init.body;
    this.verb = init.verb;
    this.path = init.path;
  }
}

function reasonForCode(code: number): string {
  const reasons: Record<number, string> = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Gone",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
  };
  return reasons[code] ?? "Unknown";
}

/** Builds a KubeError from a response body, keeping the Status when the body is one. */
export function errorFromResponse(
  code: number,
  verb: string,
  path: string,
  text: string,
): KubeError {
  let status: Status | undefined;
  try {
    const parsed = JSON.parse(text) as Status;
    if (parsed && typeof parsed === "object" && parsed.kind === "Status") status = parsed;
  } catch {
    // Not JSON: keep the text.
  }
  return new KubeError({ code, verb, path, status, body: status ? undefined : text });
}

/** True for a KubeError from this or any other copy of the runtime. */
export const isKubeError = (e: unknown): e is KubeError => e instanceof KubeError;

const has = (error: unknown, code: number, ...reasons: string[]): boolean =>
  isKubeError(error) && (error.code === code || reasons.includes(error.reason));

export const isNotFound = (e: unknown): e is KubeError => has(e, 404, "NotFound");
export const isAlreadyExists = (e: unknown): e is KubeError =>
  isKubeError(e) && e.reason === "AlreadyExists";
/** 409: a write lost an optimistic-concurrency race, or an apply conflicted, or the object exists. */
export const isConflict = (e: unknown): e is KubeError => has(e, 409, "Conflict");
export const isForbidden = (e: unknown): e is KubeError => has(e, 403, "Forbidden");
export const isUnauthorized = (e: unknown): e is KubeError => has(e, 401, "Unauthorized");
/** 410 Gone / `Expired`: the resourceVersion or continue token is too old; list again. */
export const isGone = (e: unknown): e is KubeError => has(e, 410, "Gone", "Expired");
export const isInvalid = (e: unknown): e is KubeError => has(e, 422, "Invalid");
export const isTooManyRequests = (e: unknown): e is KubeError => has(e, 429, "TooManyRequests");
