/** Shared pieces of the end-to-end tests: an admin client and unique, cleaned-up namespaces. */
import { randomBytes } from "node:crypto";
import { createNamespace, deleteNamespace } from "../../generated/core/v1/index.js";
import { createClient, type Client, type ClientOptions } from "../../runtime/index.js";
import { useCluster } from "./cluster.js";

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** A client with the cluster-admin token, configured explicitly (no kubeconfig, no in-cluster). */
export function adminClient(options: ClientOptions = {}): Client {
  const cluster = useCluster();
  return createClient({
    server: cluster.server,
    token: cluster.adminToken,
    ca: cluster.caPem,
    ...options,
  });
}

/**
 * A fresh namespace. Without kube-controller-manager namespaces never finish terminating, so each
 * test file uses its own name; deletion is still requested to keep `kubectl get ns` readable.
 */
export async function testNamespace(
  client: Client,
  prefix: string,
): Promise<{ name: string; remove(): Promise<void> }> {
  const name = uniqueName(prefix);
  await createNamespace(client, { body: { metadata: { name } } });
  return {
    name,
    remove: async () => void (await deleteNamespace(client, { name }).catch(() => {})),
  };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An admin client whose default namespace is a fresh one, so calls need not name it. */
export async function clientInFreshNamespace(
  prefix: string,
): Promise<{ client: Client; namespace: string; cleanup(): Promise<void> }> {
  const admin = adminClient();
  const ns = await testNamespace(admin, prefix);
  await admin.close();
  const client = adminClient({ namespace: ns.name });
  return {
    client,
    namespace: ns.name,
    cleanup: async () => {
      await ns.remove();
      await client.close();
    },
  };
}
