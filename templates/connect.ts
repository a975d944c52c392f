/** Connect functions: one per subresource, each a thin call into `kubegen/streams`. */
import type { ConnectOperation } from "../generator/connect.js";
import { fit, jsdoc, pad, propertyKey } from "./layout.js";

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

const RUNTIME: Record<ConnectOperation["kind"], { call: string; types: string[] }> = {
  exec: { call: "exec", types: ["ExecOptions", "ExecSession"] },
  attach: { call: "attach", types: ["ExecOptions", "ExecSession"] },
  portforward: { call: "portForward", types: ["PortForwarder", "PortForwardServerOptions"] },
  proxy: { call: "", types: ["ProxyParams", "ProxyResponse"] },
};

// The node function is itself named proxyNode, so the runtime's is imported under another name.
const PROXY_CALL = {
  pods: "proxyPod",
  services: "proxyService",
  nodes: "proxyNodeRequest",
} as const;
const PROXY_IMPORT = {
  pods: "proxyPod",
  services: "proxyService",
  nodes: "proxyNode as proxyNodeRequest",
} as const;

function doc(op: ConnectOperation): string {
  return jsdoc(0, `Serves ${op.operationIds.join(", ")} (\`${op.path}\`).`);
}

function paramsInterface(op: ConnectOperation): string {
  const type = `${pascal(op.name)}Params`;
  const members = [
    `${pad(1)}/** Pod name. */\n${pad(1)}name: string;`,
    `${pad(1)}/** Default: the client's namespace. */\n${pad(1)}namespace?: string;`,
    ...op.params.map(
      (p) =>
        `${jsdoc(1, p.description)}${pad(1)}${propertyKey(p.name)}${p.required ? "" : "?"}: ${p.type};`,
    ),
  ];
  return `export interface ${type} {\n${members.join("\n")}\n}\n`;
}

function functionText(op: ConnectOperation): string {
  const params = `${pascal(op.name)}Params`;
  if (op.kind === "proxy") {
    const type = op.target === "nodes" ? `Omit<ProxyParams, "namespace">` : "ProxyParams";
    const head = `export function ${op.name}`;
    const sig = fit(0, head, ["client: Client", `params: ${type}`], ": Promise<ProxyResponse> {");
    return `${doc(op)}${sig}\n${pad(1)}return ${PROXY_CALL[op.target]}(client, params);\n}\n`;
  }
  if (op.kind === "portforward") {
    const sig = fit(
      0,
      `export function ${op.name}`,
      ["client: Client", `params: ${params}`, "options?: PortForwardServerOptions"],
      ": Promise<PortForwarder[]> {",
    );
    const body = fit(
      1,
      "return Promise.all",
      ["params.ports.map((port) => portForward(client, params, port, options))"],
      ";",
    );
    return `${doc(op)}${paramsInterface(op)}\n${jsdoc(0, "One local listener per port (127.0.0.1, any free port unless `options.localPort`).")}${sig}\n${body}\n}\n`;
  }
  const sig = fit(
    0,
    `export function ${op.name}`,
    ["client: Client", `params: ${params}`, "options?: ExecOptions"],
    ": Promise<ExecSession> {",
  );
  return `${doc(op)}${paramsInterface(op)}\n${sig}\n${pad(1)}return ${RUNTIME[op.kind].call}(client, params, options);\n}\n`;
}

/** The file `<group>/<version>/streams/index.ts`; `streams` is the import specifier of `kubegen/streams`. */
export function connectFileText(ops: ConnectOperation[], runtime: string, streams: string): string {
  const values = new Set<string>();
  const types = new Set<string>();
  for (const op of ops) {
    if (op.kind === "proxy") values.add(PROXY_IMPORT[op.target]);
    else values.add(RUNTIME[op.kind].call);
    RUNTIME[op.kind].types.forEach((t) => types.add(t));
  }
  const sorted = (s: Set<string>) => [...s].sort();
  const imports = [
    fit(0, "import type ", ["Client"], ` from ${JSON.stringify(runtime)};`, "{ ", " }"),
    fit(
      0,
      "import ",
      [...sorted(values), ...sorted(types).map((t) => `type ${t}`)],
      ` from ${JSON.stringify(streams)};`,
      "{ ",
      " }",
    ),
  ].join("\n");
  return `\n${imports}\n\n${ops.map(functionText).join("\n")}`;
}
