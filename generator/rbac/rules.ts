/**
 * From needs to RBAC objects: rules merged per resource (and pinned names), verbs and rules sorted,
 * each verb carrying the call sites that need it. Namespaced requests go into a Role in the
 * namespace they name (the default one unless a literal says otherwise); cluster-scoped requests,
 * requests across all namespaces and non-resource URLs go into a ClusterRole.
 */
import type { Need, Site } from "./analyze.js";

export interface DerivedRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
  /** Call sites per verb. */
  sites: Record<string, Site[]>;
}

export interface DerivedRoles {
  namespace: string;
  serviceAccount: string;
  /** One Role per namespace, sorted by namespace. */
  roles: { namespace: string; rules: DerivedRule[] }[];
  clusterRules: DerivedRule[];
}

export interface DeriveOptions {
  namespace: string;
  serviceAccount: string;
  /** Restrict get/update/patch/delete to the names the calls pass as literals. */
  pinNames?: boolean;
}

/** Verbs a `resourceNames` restriction can apply to (create, list, watch, deletecollection cannot). */
const PINNABLE = new Set(["get", "update", "patch", "delete"]);

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function deriveRoles(needs: Need[], options: DeriveOptions): DerivedRoles {
  // scope → resource key → verb → needs
  const byVerb = new Map<string, Map<string, Map<string, Need[]>>>();
  for (const need of needs) {
    const p = need.permission;
    const cluster = p.nonResourceURL !== undefined || !p.namespaced;
    const scope = cluster ? "" : (need.namespace ?? options.namespace);
    const key =
      p.nonResourceURL !== undefined
        ? `url\0${p.nonResourceURL}`
        : `res\0${p.group}\0${p.resource}`;
    const resources = byVerb.get(scope) ?? new Map<string, Map<string, Need[]>>();
    byVerb.set(scope, resources);
    const verbs = resources.get(key) ?? new Map<string, Need[]>();
    resources.set(key, verbs);
    for (const verb of p.verbs) verbs.set(verb, [...(verbs.get(verb) ?? []), need]);
  }

  const rulesOf = (resources: Map<string, Map<string, Need[]>>): DerivedRule[] => {
    const rules = new Map<string, DerivedRule>();
    for (const [key, verbs] of resources) {
      const [kind, a, b] = key.split("\0");
      for (const [verb, list] of verbs) {
        const names =
          options.pinNames &&
          kind === "res" &&
          PINNABLE.has(verb) &&
          list.every((n) => n.resourceName)
            ? [...new Set(list.map((n) => n.resourceName!))].sort(cmp)
            : undefined;
        const ruleKey = `${key}\0${names?.join(",") ?? "*"}`;
        let rule = rules.get(ruleKey);
        if (!rule) {
          rule =
            kind === "url"
              ? { nonResourceURLs: [a], verbs: [], sites: {} }
              : { apiGroups: [a], resources: [b], verbs: [], sites: {} };
          if (names) rule.resourceNames = names;
          rules.set(ruleKey, rule);
        }
        rule.verbs.push(verb);
        rule.sites[verb] = uniqueSites(list.map((n) => n.site));
      }
    }
    return [...rules.entries()]
      .sort(([a], [b]) => cmp(a, b))
      .map(([, rule]) => ({ ...rule, verbs: rule.verbs.sort(cmp) }));
  };

  const roles = [...byVerb.entries()]
    .filter(([scope]) => scope !== "")
    .sort(([a], [b]) => cmp(a, b))
    .map(([namespace, resources]) => ({ namespace, rules: rulesOf(resources) }));
  const cluster = byVerb.get("");
  return {
    namespace: options.namespace,
    serviceAccount: options.serviceAccount,
    roles,
    clusterRules: cluster ? rulesOf(cluster) : [],
  };
}

function uniqueSites(sites: Site[]): Site[] {
  const seen = new Map<string, Site>();
  for (const s of sites) seen.set(`${s.file}:${s.line}:${s.fn}`, s);
  return [...seen.values()].sort(
    (a, b) => cmp(a.file, b.file) || a.line - b.line || cmp(a.fn, b.fn),
  );
}

export function siteText(s: Site): string {
  return `${s.file}:${s.line} ${s.fn}`;
}

/** One line per verb: `get: app.ts:12 readNamespacedPod, app.ts:30 readNamespacedPod`. */
export function ruleComment(rule: DerivedRule): string[] {
  return rule.verbs.map((verb) => `${verb}: ${rule.sites[verb].map(siteText).join(", ")}`);
}

/** The name of the ClusterRole and ClusterRoleBinding (cluster-wide, so it names the namespace). */
export function clusterRoleName(d: DerivedRoles): string {
  return `${d.namespace}:${d.serviceAccount}`;
}

type K8sObject = Record<string, unknown>;

/** The objects to apply: ServiceAccount, Role + RoleBinding per namespace, ClusterRole + binding. */
export function roleObjects(d: DerivedRoles): { object: K8sObject; rules?: DerivedRule[] }[] {
  const subject = { kind: "ServiceAccount", name: d.serviceAccount, namespace: d.namespace };
  const rbac = "rbac.authorization.k8s.io/v1";
  const plain = (rules: DerivedRule[]) =>
    rules.map(({ sites: _sites, ...rule }) => {
      const out: K8sObject = {};
      if (rule.apiGroups) out.apiGroups = rule.apiGroups;
      if (rule.resources) out.resources = rule.resources;
      if (rule.resourceNames) out.resourceNames = rule.resourceNames;
      if (rule.nonResourceURLs) out.nonResourceURLs = rule.nonResourceURLs;
      out.verbs = rule.verbs;
      return out;
    });
  const out: { object: K8sObject; rules?: DerivedRule[] }[] = [
    {
      object: {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: d.serviceAccount, namespace: d.namespace },
      },
    },
  ];
  for (const role of d.roles) {
    const metadata = { name: d.serviceAccount, namespace: role.namespace };
    out.push({
      object: { apiVersion: rbac, kind: "Role", metadata, rules: plain(role.rules) },
      rules: role.rules,
    });
    out.push({
      object: {
        apiVersion: rbac,
        kind: "RoleBinding",
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: d.serviceAccount },
        subjects: [subject],
      },
    });
  }
  if (d.clusterRules.length > 0) {
    const metadata = { name: clusterRoleName(d) };
    out.push({
      object: { apiVersion: rbac, kind: "ClusterRole", metadata, rules: plain(d.clusterRules) },
      rules: d.clusterRules,
    });
    out.push({
      object: {
        apiVersion: rbac,
        kind: "ClusterRoleBinding",
        metadata,
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "ClusterRole",
          name: metadata.name,
        },
        subjects: [subject],
      },
    });
  }
  return out;
}

/**
 * Every permission as one comparable line: `Role ns get pods name=web` style, so two sets of
 * rules (derived and committed) can be diffed whatever their grouping.
 */
export function grants(kind: string, namespace: string | undefined, object: object): string[] {
  const rule = object as K8sObject;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const scope = kind === "Role" ? `Role ${namespace}` : "ClusterRole";
  const out: string[] = [];
  for (const verb of list(rule.verbs)) {
    for (const url of list(rule.nonResourceURLs)) out.push(`${scope} ${verb} url ${url}`);
    for (const group of list(rule.apiGroups))
      for (const resource of list(rule.resources)) {
        const names = list(rule.resourceNames);
        const what = `${scope} ${verb} ${group === "" ? "core" : group} ${resource}`;
        if (names.length === 0) out.push(what);
        else for (const name of names) out.push(`${what} name=${name}`);
      }
  }
  return out;
}
