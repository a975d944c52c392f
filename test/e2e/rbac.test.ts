/**
 * `kubegen rbac` on the real API server: the sample program (test/fixtures/rbac-app) runs as a
 * pod's service account (TokenRequest token, ca.crt, namespace file, createClient() with no
 * arguments) under exactly the derived Role, then under the Role minus each single verb; an audit
 * log of the same server is the independent oracle.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { createSubjectAccessReview } from "../../generated/authorization.k8s.io/v1/index.js";
import {
  createNamespace,
  createNamespacedServiceAccount,
  createNamespacedServiceAccountToken,
} from "../../generated/core/v1/index.js";
import {
  createClusterRole,
  createClusterRoleBinding,
  createNamespacedRole,
  createNamespacedRoleBinding,
  deleteClusterRoleBinding,
} from "../../generated/rbac.authorization.k8s.io/v1/index.js";
import { analyze, type Analysis } from "../../generator/rbac/analyze.js";
import { toYaml } from "../../generator/rbac/output.js";
import {
  deriveRoles,
  grants,
  roleObjects,
  siteText,
  type DerivedRoles,
  type DerivedRule,
} from "../../generator/rbac/rules.js";
import { startCluster, type Cluster } from "../cluster/server.js";
import { createClient, isForbidden, type Client } from "../../runtime/index.js";
import { IdentityDenied, run } from "../fixtures/rbac-app/app.js";
import { uniqueName } from "./support.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SAMPLE = "test/fixtures/rbac-app/app.ts";
const SA = "app";
const ENV_KEYS = [
  "KUBERNETES_SERVICE_HOST",
  "KUBERNETES_SERVICE_PORT",
  "KUBEGEN_SERVICE_ACCOUNT_DIR",
  "KUBECONFIG",
];

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
    userGroups: ["system:serviceaccounts"]
  - level: None
`;

interface AuditEvent {
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; apiGroup?: string };
  responseStatus?: { code?: number };
}

describe("kubegen rbac on the real API server", () => {
  let cluster: Cluster;
  let admin: Client;
  let analysis: Analysis;
  let work: string;
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "kubegen-rbac-"));
    await writeFile(join(work, "audit-policy.yaml"), AUDIT_POLICY);
    cluster = await startCluster({
      apiserverArgs: [
        `--audit-policy-file=${join(work, "audit-policy.yaml")}`,
        `--audit-log-path=${join(work, "audit.log")}`,
      ],
    });
    admin = createClient({ server: cluster.server, token: cluster.adminToken, ca: cluster.caPem });
    // Every authenticated user may read discovery (/api, /apis, /version) through these default
    // bindings; without them the derived ClusterRole alone decides, so its URLs can be proven too.
    for (const name of ["system:discovery", "system:public-info-viewer"])
      await deleteClusterRoleBinding(admin, { name });
    for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
    analysis = analyze({ files: [join(root, SAMPLE)], root });
  }, 120_000);

  afterAll(async () => {
    for (const key of ENV_KEYS) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    await admin?.close();
    await cluster?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const usernameOf = (ns: string) => `system:serviceaccount:${ns}:${SA}`;

  /** Whether the service account may do what one grant line says (as the server decides now). */
  async function allowed(
    ns: string,
    rule: DerivedRule,
    verb: string,
    roleNs?: string,
  ): Promise<boolean> {
    const review = await createSubjectAccessReview(admin, {
      body: {
        spec: {
          user: usernameOf(ns),
          groups: [
            "system:serviceaccounts",
            `system:serviceaccounts:${ns}`,
            "system:authenticated",
          ],
          ...(rule.nonResourceURLs
            ? { nonResourceAttributes: { path: rule.nonResourceURLs[0], verb } }
            : {
                resourceAttributes: {
                  namespace: roleNs,
                  verb,
                  group: rule.apiGroups![0],
                  resource: rule.resources![0].split("/")[0],
                  subresource: rule.resources![0].split("/")[1],
                },
              }),
        },
      },
    });
    return review.status?.allowed === true;
  }

  /**
   * A fresh namespace with the service account, the derived objects (less one verb of one rule
   * when `drop` says so) and the pod's service-account files; returns the in-cluster client.
   */
  async function asPod(dropAt?: {
    index: number;
    verb: string;
  }): Promise<{ client: Client; derived: DerivedRoles; rule?: DerivedRule }> {
    const ns = uniqueName("rbac");
    await createNamespace(admin, { body: { metadata: { name: ns } } });
    const derived = deriveRoles(analysis.needs, { namespace: ns, serviceAccount: SA });
    // Rules come in the same order for every namespace, so a position names one.
    const all = [...derived.roles.flatMap((r) => r.rules), ...derived.clusterRules];
    const drop = dropAt && { rule: all[dropAt.index], verb: dropAt.verb };
    const rules = (list: DerivedRule[]) =>
      list
        .map((r) =>
          r === drop?.rule ? { ...r, verbs: r.verbs.filter((v) => v !== drop.verb) } : r,
        )
        .filter((r) => r.verbs.length > 0);
    const mutated: DerivedRoles = {
      ...derived,
      roles: derived.roles.map((r) => ({ ...r, rules: rules(r.rules) })),
      clusterRules: rules(derived.clusterRules),
    };
    // Applied from the YAML `kubegen rbac` prints, comments and all, as `kubectl apply` would.
    const objects = parseAllDocuments(toYaml(mutated)).map((d) => d.toJS() as { kind: string });
    expect(objects.map((o) => o.kind)).toEqual(roleObjects(mutated).map((o) => o.object.kind));
    for (const object of objects) {
      const body = object as never;
      switch (object.kind) {
        case "ServiceAccount":
          await createNamespacedServiceAccount(admin, { namespace: ns, body });
          break;
        case "Role":
          await createNamespacedRole(admin, { namespace: ns, body });
          break;
        case "RoleBinding":
          await createNamespacedRoleBinding(admin, { namespace: ns, body });
          break;
        case "ClusterRole":
          await createClusterRole(admin, { body });
          break;
        case "ClusterRoleBinding":
          await createClusterRoleBinding(admin, { body });
          break;
      }
    }
    // The authorizer learns of new roles and bindings through its informers: wait until every
    // granted rule is in effect.
    const checks: Promise<void>[] = [];
    for (const role of mutated.roles)
      for (const rule of role.rules)
        checks.push(waitAllowed(ns, rule, rule.verbs[0], role.namespace));
    for (const rule of mutated.clusterRules) checks.push(waitAllowed(ns, rule, rule.verbs[0]));
    await Promise.all(checks);

    const token = (
      await createNamespacedServiceAccountToken(admin, {
        name: SA,
        namespace: ns,
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      })
    ).status?.token;
    if (!token) throw new Error("TokenRequest returned no token");
    const saDir = join(work, ns);
    await mkdir(saDir);
    await writeFile(join(saDir, "token"), token);
    await writeFile(join(saDir, "ca.crt"), cluster.caPem);
    await writeFile(join(saDir, "namespace"), ns);
    const url = new URL(cluster.server);
    process.env.KUBERNETES_SERVICE_HOST = url.hostname;
    process.env.KUBERNETES_SERVICE_PORT = url.port;
    process.env.KUBEGEN_SERVICE_ACCOUNT_DIR = saDir;
    delete process.env.KUBECONFIG;
    const client = createClient();
    expect(client.source).toBe("in-cluster");
    return { client, derived, rule: drop?.rule };
  }

  async function waitAllowed(
    ns: string,
    rule: DerivedRule,
    verb: string,
    roleNs?: string,
  ): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!(await allowed(ns, rule, verb, roleNs))) {
      if (Date.now() > deadline)
        throw new Error(`RBAC never allowed ${verb} ${JSON.stringify(rule)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** `file:line` of the sample's first frame in an error's stack. */
  function siteOf(error: Error): string | undefined {
    const m = /test\/fixtures\/rbac-app\/(\w+\.ts):(\d+)/.exec(error.stack ?? "");
    return m ? `test/fixtures/rbac-app/${m[1]}:${m[2]}` : undefined;
  }

  let fullRunNamespace = "";

  it("the sample uses at least 15 operations of every kind the issue names", () => {
    const fns = new Set(analysis.needs.map((n) => n.site.fn));
    expect(fns.size).toBeGreaterThanOrEqual(15);
    const verbs = new Set(analysis.needs.flatMap((n) => n.permission.verbs));
    for (const v of [
      "get",
      "list",
      "watch",
      "create",
      "update",
      "patch",
      "delete",
      "deletecollection",
    ])
      expect(verbs, v).toContain(v);
    const resources = new Set(
      analysis.needs.map((n) => n.permission.resource ?? n.permission.nonResourceURL),
    );
    for (const r of [
      "pods/status",
      "deployments/scale",
      "pods/eviction",
      "pods/log",
      "namespaces",
      "/api",
    ])
      expect(resources, r).toContain(r);
    expect(analysis.warnings).toEqual([]);
  });

  it("completes with zero Forbidden under exactly the derived Role and ClusterRole", async () => {
    Error.stackTraceLimit = 50;
    const { client, derived } = await asPod();
    fullRunNamespace = derived.namespace;
    try {
      const summary = await run(client);
      expect(summary.replicas).toBe(2);
      expect(summary.configMaps).toBe(1);
    } finally {
      await client.close();
    }
    expect(toYaml(derived)).toContain(`# get: ${SAMPLE}:`);
  });

  it("is minimal: without any one verb of any rule, the call the rule's comment names gets a Forbidden", async () => {
    Error.stackTraceLimit = 50;
    const base = deriveRoles(analysis.needs, { namespace: "x", serviceAccount: SA });
    const cases = [...base.roles.flatMap((r) => r.rules), ...base.clusterRules].flatMap(
      (rule, index) => rule.verbs.map((verb) => ({ index, verb })),
    );
    expect(cases.length).toBeGreaterThanOrEqual(20);
    const results: string[] = [];
    for (const { index, verb } of cases) {
      const { client, rule } = await asPod({ index, verb });
      if (!rule) throw new Error("no rule");
      const expected = rule.sites[verb].map((s) => `${s.file}:${s.line}`);
      let failure: unknown;
      try {
        await run(client);
      } catch (error) {
        failure = error;
      } finally {
        await client.close();
      }
      const what = `${verb} ${rule.resources?.[0] ?? rule.nonResourceURLs?.[0]} (${rule.sites[verb].map(siteText).join(", ")})`;
      expect(failure, `${what}: the program completed`).toBeInstanceOf(Error);
      const error = failure as Error;
      if (error instanceof IdentityDenied) {
        // podIdentity turns the denial into a warning; the sample throws right after the call.
        expect(
          rule.sites[verb].map((s) => s.fn),
          what,
        ).toContain("podIdentity");
        expect(error.message, what).toContain("forbidden");
      } else {
        expect(isForbidden(error), `${what}: ${error.message}`).toBe(true);
        expect(expected, `${what}: Forbidden at ${siteOf(error)}`).toContain(siteOf(error));
      }
      results.push(
        `${what} → ${error instanceof IdentityDenied ? "podIdentity warning" : siteOf(error)}`,
      );
    }
    expect(results).toHaveLength(cases.length);
    process.stderr.write(`kubegen rbac mutations:\n${results.join("\n")}\n`);
  });

  it("agrees with the audit log of the run: the same grants, derived from what the server saw", async () => {
    expect(fullRunNamespace).not.toBe("");
    const text = await readFile(join(work, "audit.log"), "utf8");
    const events = text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent)
      .filter(
        (e) => e.user.username === usernameOf(fullRunNamespace) && e.stage === "ResponseComplete",
      );
    expect(events.filter((e) => e.responseStatus?.code === 403)).toEqual([]);
    const seen = new Set<string>();
    for (const e of events) {
      const ref = e.objectRef;
      // A namespace object's events carry its own name as the namespace; the ClusterRole grants it.
      const namespaced = !!ref?.namespace && ref.resource !== "namespaces";
      const rule = ref?.resource
        ? {
            apiGroups: [ref.apiGroup ?? ""],
            resources: [ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource],
            verbs: [e.verb],
          }
        : { nonResourceURLs: [e.requestURI.split("?")[0]], verbs: [e.verb] };
      for (const g of grants(namespaced ? "Role" : "ClusterRole", ref?.namespace, rule))
        seen.add(g);
    }
    const derived = deriveRoles(analysis.needs, {
      namespace: fullRunNamespace,
      serviceAccount: SA,
    });
    const statics = new Set<string>();
    for (const role of derived.roles)
      for (const rule of role.rules)
        for (const g of grants("Role", role.namespace, rule)) statics.add(g);
    for (const rule of derived.clusterRules)
      for (const g of grants("ClusterRole", undefined, rule)) statics.add(g);
    // The one documented difference (README, kubegen rbac): an apply that creates is audited as
    // `patch`, but the server also authorizes `create` for it, without an event of its own (the
    // mutation test above shows the Forbidden when `create leases` is missing).
    expect([...seen].filter((g) => !statics.has(g))).toEqual([]);
    expect([...statics].filter((g) => !seen.has(g))).toEqual([
      `Role ${fullRunNamespace} create coordination.k8s.io leases`,
    ]);
  });
});
