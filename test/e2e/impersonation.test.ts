/**
 * Impersonation against the real API server: a service account allowed to impersonate one user
 * (and one group) acts as that user; impersonating anyone else is Forbidden with the server's reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSelfSubjectReview } from "../../generated/authentication.k8s.io/v1/index.js";
import {
  createNamespacedServiceAccount,
  createNamespacedServiceAccountToken,
  listNamespacedConfigMap,
} from "../../generated/core/v1/index.js";
import {
  createClusterRole,
  createClusterRoleBinding,
  deleteClusterRole,
  deleteClusterRoleBinding,
} from "../../generated/rbac.authorization.k8s.io/v1/index.js";
import { createClient, isForbidden, KubeError, type Client } from "../../runtime/index.js";
import { useCluster } from "./cluster.js";
import { adminClient, testNamespace, uniqueName } from "./support.js";

describe("impersonation (real apiserver)", () => {
  let admin: Client;
  let ns: Awaited<ReturnType<typeof testNamespace>>;
  let token: string;
  const role = uniqueName("impersonate-jane");
  const jane = uniqueName("jane");
  const clients: Client[] = [];

  /** A client with the service account's token. */
  function asServiceAccount(options: Parameters<typeof createClient>[0] = {}): Client {
    const cluster = useCluster();
    const c = createClient({
      server: cluster.server,
      ca: cluster.caPem,
      token,
      retry: false,
      ...options,
    });
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    admin = adminClient();
    ns = await testNamespace(admin, "impersonation");
    await createNamespacedServiceAccount(admin, {
      namespace: ns.name,
      body: { metadata: { name: "deployer" } },
    });
    await createClusterRole(admin, {
      body: {
        metadata: { name: role },
        rules: [
          { apiGroups: [""], resources: ["users"], verbs: ["impersonate"], resourceNames: [jane] },
          {
            apiGroups: [""],
            resources: ["groups"],
            verbs: ["impersonate"],
            resourceNames: ["auditors"],
          },
          {
            apiGroups: ["authentication.k8s.io"],
            resources: ["userextras/reason"],
            verbs: ["impersonate"],
            resourceNames: ["incident-42"],
          },
        ],
      },
    });
    await createClusterRoleBinding(admin, {
      body: {
        metadata: { name: role },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: ns.name }],
      },
    });
    const review = await createNamespacedServiceAccountToken(admin, {
      name: "deployer",
      namespace: ns.name,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    if (!review.status?.token) throw new Error("TokenRequest returned no token");
    token = review.status.token;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await deleteClusterRoleBinding(admin, { name: role }).catch(() => {});
    await deleteClusterRole(admin, { name: role }).catch(() => {});
    await ns.remove();
    await admin.close();
  });

  it("without impersonation the service account is itself", async () => {
    const review = await createSelfSubjectReview(asServiceAccount(), { body: {} });
    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${ns.name}:deployer`);
  });

  it("a client impersonating the allowed user, group and extra is that user (SelfSubjectReview)", async () => {
    const client = asServiceAccount({
      impersonate: { user: jane, groups: ["auditors"], extra: { reason: ["incident-42"] } },
    });
    const review = await createSelfSubjectReview(client, { body: {} });
    expect(review.status?.userInfo?.username).toBe(jane);
    expect(review.status?.userInfo?.groups).toContain("auditors");
    expect(review.status?.userInfo?.extra).toEqual({ reason: ["incident-42"] });
  });

  it("a per-call impersonate works the same, and the impersonated user's own RBAC applies", async () => {
    const client = asServiceAccount();
    const review = await createSelfSubjectReview(
      client,
      { body: {} },
      { impersonate: { user: jane } },
    );
    expect(review.status?.userInfo?.username).toBe(jane);
    // jane has no RBAC of her own, so reading config maps as jane is refused, naming jane.
    const error = await listNamespacedConfigMap(
      client,
      { namespace: ns.name },
      { impersonate: { user: jane } },
    ).catch((e: unknown) => e);
    expect(isForbidden(error)).toBe(true);
    expect((error as KubeError).message).toContain(
      `User "${jane}" cannot list resource "configmaps"`,
    );
  });

  it("impersonating another user is Forbidden, and the message says who may not impersonate whom", async () => {
    const client = asServiceAccount({ impersonate: { user: "bob" } });
    const error = await createSelfSubjectReview(client, { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeError);
    expect(isForbidden(error)).toBe(true);
    const message = (error as KubeError).message;
    expect(message).toContain(`users "bob" is forbidden`);
    expect(message).toContain(
      `User "system:serviceaccount:${ns.name}:deployer" cannot impersonate resource "users"`,
    );
  });

  it("impersonating a group it may not is Forbidden too", async () => {
    const client = asServiceAccount({ impersonate: { user: jane, groups: ["system:masters"] } });
    const error = await createSelfSubjectReview(client, { body: {} }).catch((e: unknown) => e);
    expect(isForbidden(error)).toBe(true);
    expect((error as KubeError).message).toContain(`groups "system:masters" is forbidden`);
  });
});
