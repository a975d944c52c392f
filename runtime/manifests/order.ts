/**
 * The order objects are applied in (deletion runs it backwards). Namespaces and CRDs come first,
 * then what workloads reference (service accounts, config, RBAC, storage, services), then the
 * other built-in kinds, then custom resources, and admission webhooks/policies and APIServices
 * last, so a webhook whose backend is not running yet cannot block the rest of the manifest.
 */
type TypeMeta = { apiVersion: string; kind: string };

export const Phase = {
  Namespaces: 0,
  Definitions: 1,
  Foundations: 2,
  BuiltIns: 3,
  Custom: 4,
  Admission: 5,
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

const FOUNDATIONS = new Set([
  "v1/ServiceAccount",
  "v1/Secret",
  "v1/ConfigMap",
  "v1/LimitRange",
  "v1/ResourceQuota",
  "v1/PersistentVolume",
  "v1/PersistentVolumeClaim",
  "v1/Service",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "rbac.authorization.k8s.io/Role",
  "rbac.authorization.k8s.io/RoleBinding",
  "storage.k8s.io/StorageClass",
  "scheduling.k8s.io/PriorityClass",
]);

function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function isNamespace(m: TypeMeta): boolean {
  return m.apiVersion === "v1" && m.kind === "Namespace";
}

export function isCustomResourceDefinition(m: TypeMeta): boolean {
  return groupOf(m.apiVersion) === "apiextensions.k8s.io" && m.kind === "CustomResourceDefinition";
}

/** The phase of one object; `known` says whether the generated index has its kind. */
export function phaseOf(m: TypeMeta, known: boolean): Phase {
  if (isNamespace(m)) return Phase.Namespaces;
  if (isCustomResourceDefinition(m)) return Phase.Definitions;
  const group = groupOf(m.apiVersion);
  if (group === "admissionregistration.k8s.io" || group === "apiregistration.k8s.io") {
    return Phase.Admission;
  }
  if (!known) return Phase.Custom;
  const key = group ? `${group}/${m.kind}` : `${m.apiVersion}/${m.kind}`;
  return FOUNDATIONS.has(key) ? Phase.Foundations : Phase.BuiltIns;
}

/** Items grouped by phase in apply order; input order is kept within a phase. */
export function inPhases<T>(items: readonly T[], phase: (item: T) => Phase): T[][] {
  const groups = new Map<Phase, T[]>();
  for (const item of items) {
    const p = phase(item);
    groups.set(p, [...(groups.get(p) ?? []), item]);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}
