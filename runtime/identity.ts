/**
 * The headers that say who a request comes from. Every kind of request (ordinary calls, watches,
 * streams) takes them from here, so identity is decided in one place: the credentials'
 * `Authorization` and, when asked for, the `Impersonate-*` headers; and what a 401 leads to.
 */
import type { ClientInternals } from "./client.js";

/**
 * Act as another user (`kubectl --as`, `--as-uid`, `--as-group`, `--as-user-extra`). The
 * credentials must be allowed the `impersonate` verb on the users, uids, groups and
 * `userextras/<key>` named here.
 */
export interface Impersonation {
  /** `Impersonate-User`: required whenever anything else is impersonated. */
  user?: string;
  /** `Impersonate-Uid`. */
  uid?: string;
  /** One `Impersonate-Group` header per group. */
  groups?: readonly string[];
  /** `Impersonate-Extra-<key>` headers, one per value; keys are percent-encoded as client-go does. */
  extra?: Readonly<Record<string, readonly string[]>>;
}

/** Request headers; a list is sent as repeated headers (`Impersonate-Group`). */
export type HeaderMap = Record<string, string | string[]>;

/** Throws when an impersonation names groups, a uid or extras but no user (the server would refuse it). */
export function checkImpersonation(value: Impersonation | undefined, where: string): void {
  if (!value) return;
  const other = value.uid || value.groups?.length || Object.keys(value.extra ?? {}).length;
  if (!value.user && other) {
    throw new TypeError(
      `${where}: impersonating a uid, groups or extras requires impersonating a user`,
    );
  }
}

// RFC 7230 token characters, except "%", which client-go escapes so the key can be unescaped.
const TOKEN_BYTE = /^[A-Za-z0-9!#$&'*+\-.^_`|~]$/;

/** client-go's `headerKeyEscape`: bytes that may not appear in a header name become `%XX`. */
export function escapeExtraKey(key: string): string {
  let out = "";
  for (const byte of Buffer.from(key, "utf8")) {
    const ch = String.fromCharCode(byte);
    out +=
      byte < 128 && TOKEN_BYTE.test(ch)
        ? ch
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The `Impersonate-*` headers for `value` (none for undefined). */
export function impersonationHeaders(value: Impersonation | undefined): HeaderMap {
  const headers: HeaderMap = {};
  if (!value?.user) return headers;
  headers["impersonate-user"] = value.user;
  if (value.uid) headers["impersonate-uid"] = value.uid;
  if (value.groups?.length) headers["impersonate-group"] = [...value.groups];
  for (const [key, values] of Object.entries(value.extra ?? {})) {
    if (values.length) headers[`impersonate-extra-${escapeExtraKey(key)}`] = [...values];
  }
  return headers;
}

/**
 * Identity headers for one request of `client`, merged over `headers`. `impersonate` replaces the
 * client's impersonation for this request; `false` sends the request as the credentials' own user.
 */
export async function withIdentity(
  client: ClientInternals,
  headers: HeaderMap,
  impersonate?: Impersonation | false,
): Promise<HeaderMap> {
  const authorization = await client.credentials?.authorization();
  const as = impersonate === undefined ? client.impersonate : impersonate || undefined;
  if (!authorization && !as) return headers;
  const out: HeaderMap = { ...headers, ...impersonationHeaders(as) };
  if (authorization) out.authorization = authorization;
  return out;
}

/**
 * After a 401, whether to send the request (or WebSocket handshake) once more: only the first
 * attempt gets a second chance, and only when the credentials reloaded (a rotated token file, an
 * expired exec credential).
 */
export async function reloadAfterUnauthorized(
  client: ClientInternals,
  statusCode: number,
  attempt: number,
): Promise<boolean> {
  return statusCode === 401 && attempt === 0 && (await client.credentials?.refresh?.()) === true;
}
