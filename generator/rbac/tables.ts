/**
 * Where permissions come from: the `permissions` table the generator writes next to each
 * group/version's operations (read as syntax, from `.ts` or `.d.ts`), and a small table of the
 * runtime's own API calls, keyed by exported function.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
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
  send: { needs: () => [], warning: RAW },
  sendText: { needs: () => [], warning: RAW },
  watch: { needs: () => [], warning: RAW },
  paginate: { needs: () => [], warning: RAW },
};

const RUNTIME_MARKERS = ["request", "watch", "client"];

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
