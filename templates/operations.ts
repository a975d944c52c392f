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

export function operationText(op: Operation, nameOf: NameOf): OperationText {
  const uses = new Set<string>(["Client"]);
  const parts: string[] = [];
  const functions: string[] = [];

  // Namespace is optional: the runtime fills in the client's default namespace.
  const members: string[] = [];
  for (const p of op.pathParams) members.push(member(p, nameOf, p.name === "namespace"));
  for (const q of op.queryParams) members.push(member(q, nameOf, !q.required));
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
    parts.push(`export interface ${query} {\n${members.join("\n")}\n}\n`);
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
  } else if (members.length > 0) {
    paramsType = `${base}Params`;
    parts.push(`export interface ${paramsType} {\n${members.join("\n")}\n}\n`);
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
