/** `generate --crd`: every schema fidelity rule, golden files, broken CRDs, CLI behaviour. */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { CrdError, loadCrds } from "../../../generator/crd.js";
import { crdOnlySpec, withCrdProvenance } from "../../../generator/crd-source.js";
import { buildOutput, type GenerateResult } from "../../../generator/generate.js";
import { sha256 } from "../../../generator/sources.js";
import { miniSpec } from "./mini-spec.js";
import { cli, readTree } from "./support.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");
const fixtures = join(here, "crds");
const goldenDir = join(here, "golden-crd");
const RUNTIME = "../../../../runtime/index.js";
const run = promisify(execFile);

async function generateCrds(
  paths: string[],
  cwd = root,
  typeCheckOutput = false,
): Promise<GenerateResult> {
  const loaded = await loadCrds(paths, cwd);
  const spec = withCrdProvenance(crdOnlySpec(), loaded, paths);
  return buildOutput(spec, { runtime: RUNTIME, typeCheckOutput, crds: { loaded, paths } });
}

const CRD_PATH = "test/unit/generator/crds";

describe("generate --crd on hand-written CRDs", async () => {
  const result = await generateCrds([CRD_PATH]);
  const file = (name: string) => {
    const text = result.files.get(name);
    if (text === undefined) throw new Error(`no ${name}: ${[...result.files.keys()].join(", ")}`);
    return text;
  };
  const models = file("example.com/v1/models.ts");

  it("matches the golden files exactly", async () => {
    if (process.env.UPDATE_GOLDEN) {
      await rm(goldenDir, { recursive: true, force: true });
      for (const [name, text] of result.files) {
        await mkdir(dirname(join(goldenDir, name)), { recursive: true });
        await writeFile(join(goldenDir, name), text);
      }
    }
    const golden = await readTree(goldenDir);
    expect([...result.files.keys()].sort()).toEqual([...golden.keys()].sort());
    for (const [name, text] of result.files) expect(text, name).toBe(golden.get(name));
  });

  it("is deterministic", async () => {
    const again = await generateCrds([CRD_PATH]);
    expect([...again.files.entries()]).toEqual([...result.files.entries()]);
  });

  it("emits one module per served version, a minimal meta/v1, and skips unserved versions", () => {
    expect([...result.files.keys()].sort()).toEqual([
      "autoscaling/v1/index.ts",
      "autoscaling/v1/models.ts",
      "example.com/v1/index.ts",
      "example.com/v1/models.ts",
      "example.com/v1/operations.ts",
      "example.com/v1/permissions.ts",
      "example.com/v1/resources.ts",
      "example.com/v1beta1/index.ts",
      "example.com/v1beta1/models.ts",
      "example.com/v1beta1/operations.ts",
      "example.com/v1beta1/permissions.ts",
      "example.com/v1beta1/resources.ts",
      "kubegen.json",
      "manifests.ts",
      "meta/v1/index.ts",
      "meta/v1/models.ts",
    ]);
    expect(models).toContain(
      'import type { ListMeta, ObjectMeta } from "../../meta/v1/models.js";',
    );
  });

  it("pins apiVersion and kind and honours required", () => {
    expect(models).toContain('apiVersion?: "example.com/v1";');
    expect(models).toContain('kind?: "Widget";');
    expect(models).toContain('kind?: "WidgetList";');
    expect(models).toMatch(/\n  spec: \{\n/);
    expect(models).toContain("    name?: string;");
    expect(models).toContain("      name: string;");
    expect(models).toContain("  items: Widget[];");
  });

  it("turns enums into literal unions and nullable into | null", () => {
    expect(models).toContain('size: "Small" | "Medium" | "Large";');
    expect(models).toContain('protocol?: "TCP" | "UDP";');
    expect(models).toContain("weight?: 1 | 2 | 3 | null;");
    expect(models).toContain("note?: string | null;");
  });

  it("types int-or-string, preserve-unknown-fields and embedded resources", () => {
    expect(models).toContain("port?: number | string;");
    expect(models).toContain("raw?: unknown;");
    expect(models).toContain(
      "config?: {\n      mode?: string;\n      [key: string]: unknown;\n    };",
    );
    expect(models).toContain(
      "template?: {\n      apiVersion: string;\n      kind: string;\n      metadata?: ObjectMeta;\n      [key: string]: unknown;\n    };",
    );
  });

  it("turns oneOf/anyOf alternatives of shape into unions", () => {
    expect(models).toContain("} & ({ git: string } | { url: string });");
    expect(models).toContain("} & ({ a: string } | { b: boolean });");
    expect(models).toContain("/** Exactly one of: `git`, `url` */");
  });

  it("documents default, format, pattern, bounds, CEL rules and list-map keys", () => {
    expect(models).toContain('Default: `"Medium"`');
    expect(models).toContain("Format: `int32`");
    expect(models).toContain("Pattern: `^[a-z]+$`");
    expect(models).toContain("Length: 1 to 63");
    expect(models).toContain("Range: minimum 0, maximum 100");
    expect(models).toContain(
      "Validation: `self.replicas <= 10 || self.size == 'Large'` (only large widgets scale past 10)",
    );
    expect(models).toContain("List type: map, keyed by `name`, `protocol`");
  });

  it("marks deprecated versions @deprecated on models and operations", () => {
    const deprecated = "@deprecated example.com/v1beta1 Widget is deprecated; use example.com/v1";
    expect(file("example.com/v1beta1/models.ts")).toContain(`/** ${deprecated} */`);
    const ops = file("example.com/v1beta1/operations.ts");
    expect(ops.split(deprecated).length - 1).toBe(
      (ops.match(/^export (async )?function (?!watch|paginate)/gm) ?? []).length,
    );
    expect(models).not.toContain("@deprecated");
  });

  it("emits operations for the scope and subresources each CRD has", () => {
    const ops = file("example.com/v1/operations.ts");
    for (const name of [
      "listNamespacedWidget",
      "watchNamespacedWidget",
      "paginateNamespacedWidget",
      "listWidgetForAllNamespaces",
      "createNamespacedWidget",
      "readNamespacedWidget",
      "replaceNamespacedWidget",
      "patchNamespacedWidget",
      "deleteNamespacedWidget",
      "deleteCollectionNamespacedWidget",
      "readNamespacedWidgetStatus",
      "patchNamespacedWidgetStatus",
      "readNamespacedWidgetScale",
      "replaceNamespacedWidgetScale",
      "listGadget",
      "watchGadget",
      "createGadget",
      "patchGadget",
    ])
      expect(ops).toMatch(new RegExp(`export function ${name}\\(`));
    expect(ops).not.toContain("GadgetStatus");
    expect(ops).not.toContain("GadgetForAllNamespaces");
    expect(ops).not.toContain("strategic-merge");
    expect(ops).toContain("/apis/example.com/v1/gadgets/{name}");
    expect(file("example.com/v1beta1/operations.ts")).not.toContain("WidgetStatus");
    const resources = file("example.com/v1/resources.ts");
    expect(resources).toContain('subresources: ["scale", "status"]');
    expect(resources).toContain("namespaced: false");
  });

  it("passes prettier.check", async () => {
    const options = (await prettier.resolveConfig(join(root, "package.json"))) ?? {};
    for (const [name, text] of result.files) {
      if (!name.endsWith(".ts")) continue;
      expect(await prettier.check(text, { ...options, filepath: name }), name).toBe(true);
    }
  });

  it("compiles with tsc --strict together with a usage file that relies on each rule", async () => {
    const dir = await mkdtemp(join(here, ".crd-tsc-"));
    // Without the // @ts-nocheck line, so tsc checks the generated code itself too.
    const checked = await generateCrds([CRD_PATH], root, true);
    try {
      for (const [name, text] of checked.files) {
        await mkdir(dirname(join(dir, "out", name)), { recursive: true });
        await writeFile(
          join(dir, "out", name),
          text.replaceAll(RUNTIME, "../../../../../runtime/index.js"),
        );
      }
      await writeFile(
        join(dir, "usage.ts"),
        `import type { Widget, Gadget } from "./out/example.com/v1/index.js";
import { createNamespacedWidget, patchNamespacedWidget } from "./out/example.com/v1/index.js";
import type { Client } from "../../../../runtime/index.js";
export const ok: Widget = {
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name: "w" },
  spec: { size: "Large", port: "http", note: null, raw: [1], config: { mode: "a", extra: 1 },
    template: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: {} },
    source: { git: "https://example.test" }, ports: [{ name: "p", protocol: "TCP", weight: null }] },
};
// @ts-expect-error not one of the enum values
export const badEnum: Widget = { spec: { size: "Huge" } };
// @ts-expect-error spec is required
export const noSpec: Widget = { metadata: {} };
// @ts-expect-error neither alternative of the oneOf
export const noSource: Widget = { spec: { size: "Small", source: {} } };
// @ts-expect-error kind is pinned
export const wrongKind: Gadget = { kind: "Widget" };
export async function use(client: Client) {
  const created = await createNamespacedWidget(client, { body: ok });
  await patchNamespacedWidget(client, { name: "w", patchType: "merge", body: { spec: { size: "Small" } } });
  return created.spec.size;
}
`,
      );
      await writeFile(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          extends: "../../../../tsconfig.json",
          compilerOptions: { noEmit: true, types: ["node"] },
          include: ["usage.ts", "out"],
          exclude: [],
        }),
      );
      const tsc = join(root, "node_modules/typescript/bin/tsc");
      const out = await run(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")]).then(
        () => "",
        (e: { stdout: string }) => e.stdout,
      );
      expect(out).toBe("");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("broken CRDs", () => {
  async function brokenWith(name: string, text: string): Promise<Error> {
    const dir = await mkdtemp(join(tmpdir(), "kubegen-crd-"));
    try {
      await writeFile(join(dir, name), text);
      return await loadCrds([name], dir).then(
        () => {
          throw new Error("loaded");
        },
        (e: Error) => e,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const crd = (versions: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: things.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { kind: Thing, plural: things }
  versions:
${versions}`;

  it("names file, document index and pointer for a served version without a schema", async () => {
    const error = await brokenWith(
      "things.yaml",
      `---\nkind: ConfigMap\napiVersion: v1\n---\n${crd("    - { name: v1, served: true, storage: true }")}`,
    );
    expect(error).toBeInstanceOf(CrdError);
    expect(error.message).toBe(
      "things.yaml (document 1) #/spec/versions/0/schema/openAPIV3Schema: a served version needs a schema",
    );
  });

  it("points at an unknown type deep in the schema", async () => {
    const error = await brokenWith(
      "things.yaml",
      crd(`    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                a/b: { type: strng }`),
    );
    expect(error.message).toBe(
      'things.yaml (document 0) #/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/a~1b/type: unknown type "strng"',
    );
  });

  it("reports invalid YAML with its position", async () => {
    const error = await brokenWith("bad.yaml", "kind: [unclosed\n");
    expect(error).toBeInstanceOf(CrdError);
    expect(error.message).toMatch(
      /^bad\.yaml \(document 0\) #: invalid YAML at line \d+, column \d+/,
    );
  });

  it("refuses v1beta1 CRDs and a path with no CRD", async () => {
    const old = await brokenWith(
      "old.yaml",
      crd("    - { name: v1, served: true }").replace(
        "apiextensions.k8s.io/v1",
        "apiextensions.k8s.io/v1beta1",
      ),
    );
    expect(old.message).toContain(
      "old.yaml (document 0) #/apiVersion: only apiextensions.k8s.io/v1",
    );
    const none = await brokenWith("k.yaml", "kind: Kustomization\n");
    expect(none.message).toContain("no CustomResourceDefinition found");
  });

  it("leaves the previous output untouched and exits 2 (CLI)", async () => {
    const dir = await mkdtemp(join(here, ".crd-cli-"));
    try {
      const out = join(dir, "out");
      const first = await cli(["--crd", CRD_PATH, "--out", out, "--runtime", "./rt.js"]);
      expect(first.stderr).toContain("2 group/versions, 29 operations");
      expect(first.code).toBe(0);
      const before = await readTree(out);
      expect(before.get("kubegen.json")).toContain(`"crds": [\n    "${CRD_PATH}"\n  ]`);
      await cp(join(fixtures, "widgets.yaml"), join(dir, "broken.yaml"));
      const text = await readFile(join(dir, "broken.yaml"), "utf8");
      await writeFile(
        join(dir, "broken.yaml"),
        text.replace(
          "type: integer\n                  format: int32",
          "type: int\n                  format: int32",
        ),
      );
      const second = await cli(["--crd", join(dir, "broken.yaml"), "--out", out]);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(
        '(document 0) #/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/replicas/type: unknown type "int"',
      );
      expect(await readTree(out)).toEqual(before);
      // With no source, the recorded CRD paths are read again: same bytes.
      const again = await cli(["--out", out, "--check"]);
      expect(again.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("CRDs added to another spec", () => {
  it("puts CRD groups in the same tree, importing that tree's meta/v1", async () => {
    const text = JSON.stringify(miniSpec());
    const base = {
      text,
      provenance: { source: "file mini.json", kubernetesVersion: "v1.99.0", sha256: sha256(text) },
    };
    const loaded = await loadCrds([join(fixtures, "widgets.yaml")]);
    const spec = withCrdProvenance(base, loaded, ["crds/widgets.yaml"]);
    const result = buildOutput(spec, {
      runtime: RUNTIME,
      crds: { loaded, paths: ["crds/widgets.yaml"] },
    });
    expect(result.files.has("core/v1/models.ts")).toBe(true);
    expect(result.files.get("example.com/v1/models.ts")).toContain("../../meta/v1/models.js");
    expect(result.files.get("meta/v1/models.ts")).toContain("export interface ObjectMeta");
    expect(result.files.get("core/v1/models.ts")).toContain(
      "// Source: file mini.json + 2 CRD(s) from crds/widgets.yaml",
    );
  });

  it("accepts globs and folders, and skips non-CRD documents", async () => {
    const viaGlob = await loadCrds(["test/unit/generator/crds/*.yaml"], root);
    expect(viaGlob.crds.map((c) => c.name)).toEqual(["gadgets.example.com", "widgets.example.com"]);
    expect(viaGlob.skipped).toEqual(["test/unit/generator/crds/kustomization.yaml (document 0)"]);
    const viaFolder = await loadCrds([CRD_PATH], root);
    expect(viaFolder.files).toEqual(viaGlob.files);
  });
});
