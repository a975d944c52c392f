/**
 * The client as a pod uses it: a service account token from the TokenRequest API, the CA and
 * namespace files, KUBERNETES_SERVICE_HOST/PORT, and createClient() with no arguments.
 */
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSelfSubjectReview } from "../../generated/authentication.k8s.io/v1/index.js";
import {
  createNamespacedConfigMap,
  createNamespacedServiceAccount,
  createNamespacedServiceAccountToken,
  listNamespacedPod,
  listNamespacedSecret,
} from "../../generated/core/v1/index.js";
import {
  createNamespacedRole,
  createNamespacedRoleBinding,
} from "../../generated/rbac.authorization.k8s.io/v1/index.js";
import {
  createClient,
  isForbidden,
  isUnauthorized,
  KubeError,
  type Client,
} from "../../runtime/index.js";
import { useCluster } from "./cluster.js";
import { adminClient, eventually, testNamespace } from "./support.js";

const ENV_KEYS = [
  "KUBERNETES_SERVICE_HOST",
  "KUBERNETES_SERVICE_PORT",
  "KUBEGEN_SERVICE_ACCOUNT_DIR",
  "KUBECONFIG",
];

describe("in-cluster, as a pod", () => {
  let admin: Client;
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let saDir: string;
  const savedEnv: Record<string, string | undefined> = {};

  async function tokenFor(serviceAccount: string): Promise<string> {
    const review = await createNamespacedServiceAccountToken(admin, {
      name: serviceAccount,
      namespace: ns.name,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const token = review.status?.token;
    if (!token) throw new Error("TokenRequest returned no token");
    return token;
  }

  /** A Role allowing `verbs` on one core resource, bound to the "app" service account. */
  async function grantToApp(resource: string, verbs: string[]): Promise<void> {
    const role = `${resource}-${verbs.join("-")}`;
    await createNamespacedRole(admin, {
      namespace: ns.name,
      body: {
        metadata: { name: role },
        rules: [{ apiGroups: [""], resources: [resource], verbs }],
      },
    });
    await createNamespacedRoleBinding(admin, {
      namespace: ns.name,
      body: {
        metadata: { name: `app-${role}` },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role },
        subjects: [{ kind: "ServiceAccount", name: "app", namespace: ns.name }],
      },
    });
  }

  /** Replaces the token file the way the kubelet does: write aside, then rename over it. */
  async function rotateToken(token: string): Promise<void> {
    await writeFile(join(saDir, "token.new"), token);
    await rename(join(saDir, "token.new"), join(saDir, "token"));
  }

  beforeAll(async () => {
    const cluster = useCluster();
    admin = adminClient();
    ns = await testNamespace(admin, "incluster");
    for (const name of ["app", "other"]) {
      await createNamespacedServiceAccount(admin, {
        namespace: ns.name,
        body: { metadata: { name } },
      });
    }
    await grantToApp("pods", ["get", "list"]);

    saDir = await mkdtemp(join(tmpdir(), "kubegen-sa-"));
    await writeFile(join(saDir, "ca.crt"), cluster.caPem);
    await writeFile(join(saDir, "namespace"), ns.name);
    await rotateToken(await tokenFor("app"));

    const url = new URL(cluster.server);
    for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
    process.env.KUBERNETES_SERVICE_HOST = url.hostname;
    process.env.KUBERNETES_SERVICE_PORT = url.port;
    process.env.KUBEGEN_SERVICE_ACCOUNT_DIR = saDir;
    // A kubeconfig must not win over the service account.
    process.env.KUBECONFIG = cluster.kubeconfigPath;
  });

  afterAll(async () => {
    for (const key of ENV_KEYS) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    await ns?.remove();
    await admin?.close();
    if (saDir) await rm(saDir, { recursive: true, force: true });
  });

  it("picks up the service account with no arguments, verifies TLS with ca.crt and defaults the namespace", async () => {
    const client = createClient();
    try {
      expect(client.source).toBe("in-cluster");
      expect(client.namespace).toBe(ns.name);
      expect(client.server).toBe(useCluster().server);
      const pods = await listNamespacedPod(client);
      expect(pods.items).toEqual([]);
      const who = await createSelfSubjectReview(client, { body: {} });
      expect(who.status?.userInfo?.username).toBe(`system:serviceaccount:${ns.name}:app`);
    } finally {
      await client.close();
    }
  });

  it("verifies TLS: a client that does not trust the cluster CA cannot connect", async () => {
    const untrusting = createClient({ server: useCluster().server, token: "irrelevant" });
    try {
      await expect(listNamespacedPod(untrusting, { namespace: ns.name })).rejects.toThrow(
        /certificate/i,
      );
    } finally {
      await untrusting.close();
    }
  });

  it("is limited by RBAC: secrets are Forbidden, naming the service account, until a RoleBinding grants them", async () => {
    const client = createClient();
    try {
      const error = await listNamespacedSecret(client).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KubeError);
      expect(isForbidden(error)).toBe(true);
      const kube = error as KubeError;
      expect(kube.code).toBe(403);
      expect(kube.reason).toBe("Forbidden");
      expect(kube.message).toContain(`system:serviceaccount:${ns.name}:app`);
      expect(kube.details?.kind).toBe("secrets");
      expect(kube.verb).toBe("GET");

      await grantToApp("secrets", ["list"]);
      const secrets = await eventually("the RoleBinding to take effect", () =>
        listNamespacedSecret(client),
      );
      expect(secrets.items).toEqual([]);
      // Still least privilege: no write access came with it.
      await expect(
        createNamespacedConfigMap(client, { body: { metadata: { name: "nope" } } }),
      ).rejects.toSatisfy(isForbidden);
    } finally {
      await client.close();
    }
  });

  it("keeps working when the token file is rotated, and uses the new identity", async () => {
    const client = createClient();
    try {
      const before = await createSelfSubjectReview(client, { body: {} });
      expect(before.status?.userInfo?.username).toBe(`system:serviceaccount:${ns.name}:app`);
      // The kubelet writes a new projected token; here it belongs to another account so the
      // switch is visible.
      await rotateToken(await tokenFor("other"));
      const after = await eventually("the rotated token to be used", async () => {
        const review = await createSelfSubjectReview(client, { body: {} });
        const name = review.status?.userInfo?.username;
        return name?.endsWith(":other") ? name : undefined;
      });
      expect(after).toBe(`system:serviceaccount:${ns.name}:other`);
      // A garbage token is rejected; restoring a valid one recovers without a new client.
      await rotateToken("not-a-token");
      // The file is checked at most once a second; a 401 also forces a re-read.
      await new Promise((r) => setTimeout(r, 1100));
      await expect(listNamespacedPod(client)).rejects.toSatisfy(isUnauthorized);
      await rotateToken(await tokenFor("app"));
      await expect(eventually("recovery", () => listNamespacedPod(client))).resolves.toBeDefined();
    } finally {
      await client.close();
      await rotateToken(await tokenFor("app"));
    }
  });
});
