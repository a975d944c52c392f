/**
 * Where permissions come from: the `permissions` table the generator writes next to each
 * group/version's operations (read as syntax, from `.ts` or `.d.ts`), and a small table of the
 * runtime's own API calls, keyed by exported function.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ts, type TS } from "./typescript.js";
import type { Permission } from "../permissions.js";

export type { Permission };

/** A runtime function's API calls, given the call's arguments (absent when passed as a value). */
export interface RuntimeEntry {
  needs(call: TS.CallExpression | undefined): Permission[];
  /** Set when the function's requests cannot be known from the call (raw paths). */
  warning?: string;
}

/** The property `key` of an object literal: its initializer, `"absent"`, or undefined when unknown. */
function property(arg: TS.Expression, key: string): TS.Expression | "absent" | undefined {
  if (!ts.isObjectLiteralExpression(arg)) return undefined;
  for (const p of arg.properties) {
    if (ts.isSpreadAssignment(p)) return undefined;
    if (!p.name || p.name.getText() !== key) continue;
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return p.name;
    return undefined;
  }
  return "absent";
}

const MANIFESTS =
  "sends requests for whatever kinds its manifests hold: kubegen rbac cannot tell which; grant them by hand";

const RAW =
  "sends a request to a path it is given: kubegen rbac cannot tell which resource; grant it by hand";

/**
 * The runtime's exported functions that call the API server themselves. Add a row when a runtime
 * entry point gains one (informers, streams, manifests).
 */
export const RUNTIME_CALLS: Record<string, RuntimeEntry> = {
  // GET of its own pod, only with a client and only for fields the Downward API did not provide.
  podIdentity: {
    needs(call) {
      const none: Permission[] = [];
      if (call) {
        const options = call.arguments[0];
        if (!options) return none;
        if (property(options, "client") === "absent") return none;
        const fallback = property(options, "allowApiFallback");
        if (
          fallback !== undefined &&
          fallback !== "absent" &&
          fallback.kind === ts.SyntaxKind.FalseKeyword
        )
          return none;
      }
      return [{ verbs: ["get"], group: "", resource: "pods", namespaced: true }];
    },
  },
  discoverGroups: {
    needs: () => [
      { verbs: ["get"], nonResourceURL: "/api" },
      { verbs: ["get"], nonResourceURL: "/apis" },
    ],
  },
  discoverResources: {
    needs: () => [
      { verbs: ["get"], nonResourceURL: "/api" },
      { verbs: ["get"], nonResourceURL: "/apis" },
      { verbs: ["get"], nonResourceURL: "/api/*" },
      { verbs: ["get"], nonResourceURL: "/apis/*" },
    ],
  },
  ...streamCalls(),
  // Reads, takes and renews a Lease in the election's namespace.
  leaderElection: {
    needs: () => [
      {
        verbs: ["create", "get", "update"],
        group: "coordination.k8s.io",
        resource: "leases",
        namespaced: true,
      },
    ],
  },
  applyManifests: { needs: () => [], warning: MANIFESTS },
  deleteManifests: { needs: () => [], warning: MANIFESTS },
  send: { needs: () => [], warning: RAW },
  sendText: { needs: () => [], warning: RAW },
  watch: { needs: () => [], warning: RAW },
  paginate: { needs: () => [], warning: RAW },
};

/** HTTP method → request verb, for proxy calls (a WebSocket or HTTP GET is `get`). */
const VERB_OF_METHOD: Record<string, string> = {
  GET: "get",
  HEAD: "get",
  OPTIONS: "get",
  POST: "create",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

/** The verbs a proxy call needs: from a literal `method`, else (chosen at run time) all of them. */
function proxyVerbs(call: TS.CallExpression | undefined): string[] {
  const params = call?.arguments[1];
  const method = params ? property(params, "method") : undefined;
  if (method === "absent") return ["get"];
  if (method && (ts.isStringLiteral(method) || ts.isNoSubstitutionTemplateLiteral(method))) {
    const verb = VERB_OF_METHOD[method.text.toUpperCase()];
    if (verb) return [verb];
  }
  return ["create", "delete", "get", "patch", "update"];
}

/**
 * `kubegen/streams` and the generated connect functions over it. Exec, attach and port-forward are
 * WebSocket GETs, which kube-apiserver ≥ 1.35 authorizes as `get` and `create` on the subresource.
 */
function streamCalls(): Record<string, RuntimeEntry> {
  const pod = (sub: string, verbs: string[]): Permission => ({
    verbs,
    group: "",
    resource: `pods/${sub}`,
    namespaced: true,
  });
  const fixed = (p: Permission): RuntimeEntry => ({ needs: () => [p] });
  const proxy = (resource: string, namespaced: boolean): RuntimeEntry => ({
    needs: (call) => [{ verbs: proxyVerbs(call), group: "", resource, namespaced }],
  });
  return {
    exec: fixed(pod("exec", ["create", "get"])),
    run: fixed(pod("exec", ["create", "get"])),
    execNamespacedPod: fixed(pod("exec", ["create", "get"])),
    attach: fixed(pod("attach", ["create", "get"])),
    attachNamespacedPod: fixed(pod("attach", ["create", "get"])),
    portForward: fixed(pod("portforward", ["create", "get"])),
    portForwardConnection: fixed(pod("portforward", ["create", "get"])),
    portForwardNamespacedPod: fixed(pod("portforward", ["create", "get"])),
    streamNamespacedPodLog: fixed(pod("log", ["get"])),
    proxyPod: proxy("pods/proxy", true),
    proxyNamespacedPod: proxy("pods/proxy", true),
    proxyService: proxy("services/proxy", true),
    proxyNamespacedService: proxy("services/proxy", true),
    proxyNode: proxy("nodes/proxy", false),
  };
}

const RUNTIME_MARKERS = ["request", "watch", "client"];

/**
 * Whether a file is part of kubegen's own API-calling code: the runtime and its entry points in
 * subfolders (`streams/`, `controller/`, `manifests/`), or a generated group/version's `streams/`.
 */
export function isKubegenCallFile(file: string): boolean {
  if (isRuntimeFile(file) || isRuntimeFile(dirname(file))) return true;
  return basename(dirname(file)) === "streams" && tableFor(dirname(file)) !== null;
}

const runtimeDirs = new Map<string, boolean>();

/** Whether a file belongs to the kubegen runtime (source, or its published `.d.ts`/`.js`). */
export function isRuntimeFile(file: string): boolean {
  const dir = dirname(file);
  let known = runtimeDirs.get(dir);
  if (known === undefined) {
    known = RUNTIME_MARKERS.every((m) =>
      [".ts", ".d.ts", ".js"].some((ext) => existsSync(join(dir, m + ext))),
    );
    runtimeDirs.set(dir, known);
  }
  return known;
}

const tables = new Map<string, Map<string, Permission> | null>();

/**
 * The permission table of the group/version a declaration file belongs to, or null when the file
 * is not part of a generated tree.
 */
export function tableFor(file: string): Map<string, Permission> | null {
  const dir = dirname(file);
  if (tables.has(dir)) return tables.get(dir)!;
  let table: Map<string, Permission> | null = null;
  for (const name of ["permissions.ts", "permissions.d.ts"]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    table = readTable(path);
    if (table) break;
  }
  tables.set(dir, table);
  return table;
}

/** Reads `export const permissions = { … } as const` (or its declaration) without a type checker. */
export function readTable(path: string): Map<string, Permission> | null {
  const source = ts.createSourceFile(
    path,
    readFileSync(path, "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const decl of statement.declarationList.declarations) {
      if (!ts.isIdentifier(decl.name) || decl.name.text !== "permissions") continue;
      let value: unknown;
      try {
        value = decl.initializer ? literal(decl.initializer) : decl.type && literal(decl.type);
      } catch {
        return null; // not a table kubegen wrote
      }
      if (!value || typeof value !== "object") break;
      return new Map(Object.entries(value as Record<string, Permission>));
    }
  }
  // A file of the program that happens to be called permissions.ts.
  return null;
}

function literal(node: TS.Node): unknown {
  if (
    ts.isAsExpression(node) ||
    ts.isParenthesizedExpression(node) ||
    ts.isSatisfiesExpression(node)
  )
    return literal(node.expression);
  if (ts.isObjectLiteralExpression(node)) {
    const out: Record<string, unknown> = {};
    for (const p of node.properties)
      if (ts.isPropertyAssignment(p)) out[propName(p.name)] = literal(p.initializer);
    return out;
  }
  if (ts.isTypeLiteralNode(node)) {
    const out: Record<string, unknown> = {};
    for (const m of node.members)
      if (ts.isPropertySignature(m) && m.type) out[propName(m.name)] = literal(m.type);
    return out;
  }
  if (ts.isArrayLiteralExpression(node)) return node.elements.map(literal);
  if (ts.isTupleTypeNode(node))
    return node.elements.map((e) => literal(ts.isNamedTupleMember(e) ? e.type : e));
  if (ts.isTypeOperatorNode(node)) return literal(node.type);
  if (ts.isLiteralTypeNode(node)) return literal(node.literal);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  throw new Error(`unexpected ${ts.SyntaxKind[node.kind]} in a permissions table`);
}

function propName(name: TS.PropertyName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  return name.getText();
}
