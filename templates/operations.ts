/** Request functions: thin wrappers that hand a path template and params to the runtime. */
import type { Operation, Parameter } from "../generator/ir.js";
import { fit, jsdoc, pad, propertyKey } from "./layout.js";
import { typeText, type NameOf } from "./types.js";

/** Runtime names a group/version's operations file may use. */
export const RUNTIME_VALUES = ["paginate", "send", "sendText", "watch"] as const;
export const RUNTIME_TYPES = [
  "CallOptions",
  "Client",
  "PaginateOptions",
  "WatchEvent",
  "WatchOptions",
  "WithPatch",
] as const;

export interface OperationText {
  text: string;
  /** Runtime names used, so the file imports exactly those. */
  uses: Set<string>;
  /** Exported function names. */
  functions: string[];
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function member(p: Parameter, nameOf: NameOf, optional: boolean): string {
  const doc = jsdoc(1, p.description);
  return `${doc}${pad(1)}${propertyKey(p.name)}${optional ? "?" : ""}: ${typeText(p.type, nameOf, 1)};`;
}

/**
 * Query parameters that many operations of a group/version share word for word (name, type and
 * description) are declared once, in an interface the operations' params extend. Without this,
 * the same paragraphs of documentation would make up most of every operations file.
 */
export interface QueryPlan {
  shared: { name: string; params: Parameter[] }[];
  byOperation: Map<string, { base?: string; own: Parameter[] }>;
}

/** A parameter shared by at least this many operations moves to a shared interface. */
const SHARE_THRESHOLD = 3;

function sharedName(names: Set<string>): string {
  if (names.has("limit") && names.has("gracePeriodSeconds")) return "DeleteCollectionQuery";
  if (names.has("limit") || names.has("watch")) return "ListQuery";
  if (names.has("gracePeriodSeconds") || names.has("propagationPolicy")) return "DeleteQuery";
  if (names.has("force")) return "PatchQuery";
  if (names.has("fieldManager") || names.has("dryRun")) return "WriteQuery";
  return "CommonQuery";
}

export function planQueries(ops: Operation[]): QueryPlan {
  // Keys are long (descriptions) and asked for often: computed once per parameter.
  const keys = new Map<Parameter, string>();
  const key = (p: Parameter) => {
    let k = keys.get(p);
    if (k === undefined) {
      k = JSON.stringify([p.name, p.required, p.type, p.description ?? ""]);
      keys.set(p, k);
    }
    return k;
  };
  const counts = new Map<string, number>();
  for (const op of ops)
    for (const q of op.queryParams) counts.set(key(q), (counts.get(key(q)) ?? 0) + 1);
  const isShared = (q: Parameter) => (counts.get(key(q)) ?? 0) >= SHARE_THRESHOLD;

  // One interface per distinct set of shared parameters, named by what the set is for.
  const sets = new Map<string, Parameter[]>();
  for (const op of ops) {
    const shared = op.queryParams.filter(isShared);
    if (shared.length > 0) sets.set(shared.map(key).join("\n"), shared);
  }
  const taken = new Map<string, number>();
  const nameOfSet = new Map<string, string>();
  const shared: QueryPlan["shared"] = [];
  for (const id of [...sets.keys()].sort()) {
    const params = sets.get(id)!;
    const base = sharedName(new Set(params.map((p) => p.name)));
    const n = (taken.get(base) ?? 0) + 1;
    taken.set(base, n);
    const name = n === 1 ? base : `${base}${n}`;
    nameOfSet.set(id, name);
    shared.push({ name, params });
  }
  const byOperation = new Map<string, { base?: string; own: Parameter[] }>();
  for (const op of ops) {
    const id = op.queryParams.filter(isShared).map(key).join("\n");
    byOperation.set(op.name, {
      base: nameOfSet.get(id),
      own: op.queryParams.filter((q) => !isShared(q)),
    });
  }
  return { shared: shared.sort((a, b) => (a.name < b.name ? -1 : 1)), byOperation };
}

export function sharedQueryText(
  moduleKey: string,
  shared: QueryPlan["shared"],
  nameOf: NameOf,
): string {
  return shared
    .map(
      ({ name, params }) =>
        jsdoc(0, `Query parameters shared by several ${moduleKey} operations.`) +
        `export interface ${name} {\n${params.map((p) => member(p, nameOf, !p.required)).join("\n")}\n}\n`,
    )
    .join("\n");
}

/** Prettier keeps a single `extends` on the line, however long. */
function interfaceHead(name: string, base: string | undefined): string {
  return base ? `export interface ${name} extends ${base} {` : `export interface ${name} {`;
}

function interfaceText(name: string, base: string | undefined, members: string[]): string {
  return members.length === 0
    ? `${interfaceHead(name, base).slice(0, -1)}{}\n`
    : `${interfaceHead(name, base)}\n${members.join("\n")}\n}\n`;
}

export function operationText(
  op: Operation,
  nameOf: NameOf,
  queryInfo: { base?: string; own: Parameter[] } = { own: op.queryParams },
): OperationText {
  const uses = new Set<string>(["Client"]);
  const parts: string[] = [];
  const functions: string[] = [];

  // Namespace is optional: the runtime fills in the client's default namespace.
  const members: string[] = [];
  for (const p of op.pathParams) members.push(member(p, nameOf, p.name === "namespace"));
  for (const q of queryInfo.own) members.push(member(q, nameOf, !q.required));
  if (op.body && !op.patchTypes) {
    members.push(
      `${jsdoc(1, op.body.description)}${pad(1)}body${op.body.required ? "" : "?"}: ${typeText(op.body.type, nameOf, 1)};`,
    );
  }
  const hasRequired =
    op.pathParams.some((p) => p.name !== "namespace") ||
    op.queryParams.some((q) => q.required) ||
    (op.body?.required ?? false);

  const base = pascal(op.name);
  let paramsType: string | undefined;
  if (op.patchTypes) {
    uses.add("WithPatch");
    const query = `${base}Query`;
    parts.push(interfaceText(query, queryInfo.base, members));
    const target = typeText(op.body!.type, nameOf, 0);
    const kinds = op.patchTypes.map((t) => JSON.stringify(t)).join(" | ");
    paramsType = `${base}Params`;
    parts.push(
      jsdoc(
        0,
        "Parameters of `" + op.name + "`: the patch type picks the body's shape and content type.",
      ) +
        fit(0, `export type ${paramsType} = WithPatch`, [query, target, kinds], ";", "<", ">") +
        "\n",
    );
  } else if (members.length > 0 || queryInfo.base) {
    paramsType = `${base}Params`;
    parts.push(interfaceText(paramsType, queryInfo.base, members));
  }

  const responseType = op.response ? typeText(op.response, nameOf, 0) : "unknown";
  const paramDecl = paramsType
    ? [`params: ${paramsType}${hasRequired || op.patchTypes ? "" : " = {}"}`]
    : [];
  const paramsArg = paramsType ? "params" : "{}";
  const path = JSON.stringify(op.path);
  const doc = jsdoc(0, op.description, "`" + `${op.method} ${op.path}` + "`");

  uses.add("CallOptions");
  const returns = op.textResponse ? "Promise<string>" : `Promise<${responseType}>`;
  const signature = fit(
    0,
    `export function ${op.name}`,
    ["client: Client", ...paramDecl, "options?: CallOptions"],
    `: ${returns} {`,
  );
  const call = op.textResponse
    ? (uses.add("sendText"),
      fit(
        1,
        "return sendText",
        ["client", JSON.stringify(op.method), path, paramsArg, "options"],
        ";",
      ))
    : (uses.add("send"),
      fit(
        1,
        `return send<${responseType}>`,
        ["client", JSON.stringify(op.method), path, paramsArg, "options"],
        ";",
      ));
  parts.push(`${doc}${signature}\n${call}\n}\n`);
  functions.push(op.name);

  if (op.listItem && op.name.startsWith("list")) {
    const item = typeText(op.listItem, nameOf, 0);
    const rest = op.name.slice("list".length);
    const listParams = paramsType ? [`params: ${paramsType} = {}`] : [];
    if (op.watchable) {
      uses.add("watch").add("WatchOptions").add("WatchEvent");
      const name = `watch${rest}`;
      parts.push(
        jsdoc(
          0,
          `Watch changes to ${item} objects: a stream of ADDED, MODIFIED, DELETED, BOOKMARK and ERROR events that resumes from the last resourceVersion when the connection drops.`,
          "`" + `GET ${op.path}?watch=1` + "`",
        ) +
          fit(
            0,
            `export function ${name}`,
            ["client: Client", ...listParams, "options?: WatchOptions"],
            `: AsyncIterable<WatchEvent<${item}>> {`,
          ) +
          "\n" +
          fit(1, `return watch<${item}>`, ["client", path, paramsArg, "options"], ";") +
          "\n}\n",
      );
      functions.push(name);
    }
    uses.add("paginate").add("PaginateOptions");
    const name = `paginate${rest}`;
    parts.push(
      jsdoc(
        0,
        `Every ${item} object, fetched page by page (\`limit\`/\`continue\`) so memory stays bounded.`,
        "`" + `GET ${op.path}` + "`",
      ) +
        fit(
          0,
          `export function ${name}`,
          ["client: Client", ...listParams, "options?: PaginateOptions"],
          `: AsyncIterable<${item}> {`,
        ) +
        "\n" +
        fit(1, `return paginate<${item}>`, ["client", path, paramsArg, "options"], ";") +
        "\n}\n",
    );
    functions.push(name);
  }
  return { text: parts.join("\n"), uses, functions };
}
