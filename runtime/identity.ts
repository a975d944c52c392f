/**
 * The headers that say who a request comes from. Every kind of request (ordinary calls, watches,
 * streams) takes them from here, so identity is decided in one place.
 */
import type { ClientInternals } from "./client.js";

/** Identity headers for one request of `client`, merged over `headers`. */
export async function withIdentity(
  client: ClientInternals,
  headers: Record<string, string>,
): Promise<Record<string, string>> {
  const authorization = await client.credentials?.authorization();
  return authorization ? { ...headers, authorization } : headers;
}
