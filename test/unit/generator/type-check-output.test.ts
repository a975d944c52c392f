/**
 * Generated files carry `// @ts-nocheck`: a user's tsc checks how the code is used (types flow as
 * before) without checking the generated bodies again. The generator's own tests check those
 * bodies instead, here for the committed tree; `--type-check-output` leaves the line out.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { buildOutput } from "../../../generator/generate.js";
import { sha256 } from "../../../generator/sources.js";
import { miniSpec } from "./mini-spec.js";
import { cli, readTree, root } from "./support.js";

const NOCHECK = "// @ts-nocheck: type-checked when generated; your tsc checks how you use it.";

/** The mini spec's output; `runtime` is relative to where it is written (see --runtime). */
function mini(typeCheckOutput?: boolean, runtime = "../../../../runtime/index.js") {
  const text = JSON.stringify(miniSpec());
  const provenance = {
    source: "file mini.json",
    kubernetesVersion: "v1.99.0",
    sha256: sha256(text),
  };
  return buildOutput({ text, provenance }, { runtime, typeCheckOutput });
}

/** Diagnostics of a program over `files`, with the project's compiler options. */
function diagnose(files: string[], host?: ts.CompilerHost): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => {},
    },
  )!;
  const program = ts.createProgram({
    rootNames: files,
    options: { ...config.options, noEmit: true },
    host: host ?? ts.createCompilerHost(config.options),
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) =>
      d.file
        ? `${d.file.fileName.slice(root.length + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`
        : ts.flattenDiagnosticMessageText(d.messageText, " "),
    );
}

describe("// @ts-nocheck in generated files", () => {
  it("is the header's second line by default, and absent with typeCheckOutput", () => {
    for (const [name, text] of mini().files)
      if (name.endsWith(".ts")) expect(text.split("\n")[1], name).toBe(NOCHECK);
    for (const [name, text] of mini(true).files)
      if (name.endsWith(".ts")) expect(text, name).not.toContain("@ts-nocheck");
  });

  it("keeps the user's mistakes visible and the generated bodies out of the user's check", async () => {
    const dir = await mkdtemp(join(root, "test/unit/generator/.nocheck-"));
    try {
      // out/ is five folders below the project root.
      for (const [name, text] of mini(false, "../../../../../runtime/index.js").files) {
        await mkdir(dirname(join(dir, "out", name)), { recursive: true });
        // A mistake inside a generated file, which only the generator's own check may report.
        const body =
          name === "core/v1/operations.ts" ? `${text}\nconst wrong: number = "x";\n` : text;
        await writeFile(join(dir, "out", name), body);
      }
      const usage = join(dir, "usage.ts");
      await writeFile(
        usage,
        `import { createClient } from "../../../../runtime/index.js";
import { readNamespacedPod, type Pod } from "./out/core/v1/index.js";
const client = createClient({ server: "https://127.0.0.1:1" });
const pod: Pod = await readNamespacedPod(client, { name: "a" });
export const name: number = pod.metadata?.name;
export const misnamed = await readNamespacedPod(client, { nmae: "a" });
`,
      );
      const errors = diagnose([usage]);
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatch(
        /usage\.ts: Type 'string \| undefined' is not assignable to type 'number'/,
      );
      expect(errors[1]).toMatch(
        /usage\.ts: Object literal may only specify known properties, and 'nmae'/,
      );
      // The same tree without the line: now the generated mistake is reported too.
      const operations = join(dir, "out/core/v1/operations.ts");
      await writeFile(operations, (await readFile(operations, "utf8")).replace(`${NOCHECK}\n`, ""));
      expect(diagnose([usage]).filter((e) => e.includes("operations.ts"))).toEqual([
        expect.stringContaining("Type 'string' is not assignable to type 'number'"),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("--type-check-output is recorded in kubegen.json and kept when regenerating", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kubegen-nocheck-"));
    try {
      const spec = join(dir, "mini.json");
      const out = join(dir, "out");
      await writeFile(spec, JSON.stringify(miniSpec()));
      const first = await cli(["--spec", spec, "--out", out, "--type-check-output"]);
      expect(first.code, first.stderr).toBe(0);
      const tree = await readTree(out);
      expect(JSON.parse(tree.get("kubegen.json")!)).toMatchObject({ typeCheckOutput: true });
      expect([...tree.values()].some((t) => t.includes("@ts-nocheck"))).toBe(false);
      const again = await cli(["--spec", spec, "--out", out, "--check"]);
      expect(again.code, again.stdout).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("the committed generated/ tree type-checks under --strict as if the line were absent", () => {
    const options = ts.getParsedCommandLineOfConfigFile(
      join(root, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: () => {},
      },
    )!.options;
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    let stripped = 0;
    host.getSourceFile = (fileName, language, onError, shouldCreate) => {
      if (!fileName.startsWith(join(root, "generated")))
        return getSourceFile(fileName, language, onError, shouldCreate);
      const text = ts.sys.readFile(fileName)!;
      if (text.includes(`\n${NOCHECK}\n`)) stripped++;
      return ts.createSourceFile(fileName, text.replace(`\n${NOCHECK}\n`, "\n"), language);
    };
    const files = ts.sys
      .readDirectory(join(root, "generated"), [".ts"])
      .filter((f) => !f.endsWith(".d.ts"));
    expect(files.length).toBeGreaterThan(150);
    expect(diagnose(files, host)).toEqual([]);
    expect(stripped).toBe(files.length);
  }, 120_000);
});
