/** `kubegen rbac`: the Role and ClusterRole a program needs, from its calls. */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { analyze } from "./analyze.js";
import { drift, driftText, grantsOfText, toJson, toYaml } from "./output.js";
import { deriveRoles } from "./rules.js";

export const RBAC_USAGE = `Usage: kubegen rbac [--project tsconfig.json | FILES...] [options]

Reads the program with the TypeScript compiler, finds every call of a generated operation
function (and the runtime's own API calls) and prints the least-privilege ServiceAccount, Role,
ClusterRole and bindings, each rule commented with the call sites that need it.

Options:
  --project FILE          a tsconfig.json (default when no FILES: ./tsconfig.json)
  --namespace NS          the service account's namespace and the Role's (default: default)
  --service-account NAME  default: app
  --format yaml|json      default: yaml
  --pin-names             restrict get/update/patch/delete to names the calls pass as literals
  --strict                what cannot be resolved statically is an error (exit 1), not a warning
  --check FILE            write nothing; exit 1 listing missing and unneeded rules in FILE
  --stats                 print files, lines and timings on stderr
`;

export async function rbacMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      project: { type: "string" },
      namespace: { type: "string", default: "default" },
      "service-account": { type: "string", default: "app" },
      format: { type: "string", default: "yaml" },
      "pin-names": { type: "boolean" },
      strict: { type: "boolean" },
      check: { type: "string" },
      stats: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(RBAC_USAGE);
    return 0;
  }
  if (values.format !== "yaml" && values.format !== "json")
    throw new RbacUsageError(`--format must be yaml or json, not ${values.format}`);
  if (values.project && positionals.length > 0)
    throw new RbacUsageError("give --project or files, not both");

  const analysis = analyze(
    positionals.length > 0
      ? { files: positionals }
      : { project: values.project ?? "tsconfig.json" },
  );
  for (const w of analysis.warnings)
    process.stderr.write(
      `${w.file}:${w.line}: ${values.strict ? "error" : "warning"}: ${w.message}\n`,
    );
  if (values.stats) {
    const { files, lines, loadMs, analyzeMs } = analysis.stats;
    process.stderr.write(
      `kubegen rbac: ${files} files, ${lines} lines, ${analysis.needs.length} calls; ` +
        `load ${loadMs.toFixed(0)} ms, analysis ${analyzeMs.toFixed(0)} ms\n`,
    );
  }
  if (values.strict && analysis.warnings.length > 0) return 1;

  const derived = deriveRoles(analysis.needs, {
    namespace: values.namespace!,
    serviceAccount: values["service-account"]!,
    pinNames: values["pin-names"],
  });
  if (values.check) {
    const committed = grantsOfText(await readFile(values.check, "utf8"), values.check);
    const text = driftText(values.check, drift(derived, committed));
    if (text) {
      process.stdout.write(text);
      return 1;
    }
    process.stderr.write(`kubegen rbac: ${values.check} grants exactly what the program needs\n`);
    return 0;
  }
  process.stdout.write(values.format === "json" ? toJson(derived) : toYaml(derived));
  return 0;
}

export class RbacUsageError extends Error {}
