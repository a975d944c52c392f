/** `kubegen diff`: changes between two models, text and JSON output, --fail-on exit status. */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { diffModels, diffText, failsOn, type ApiDiff } from "../../../generator/diff.js";
import { buildOutput } from "../../../generator/generate.js";
import { sha256 } from "../../../generator/sources.js";
import type { SwaggerSpec } from "../../../generator/spec.js";
import { miniSpec } from "./mini-spec.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");
const run = promisify(execFile);

function model(spec: SwaggerSpec, version: string) {
  const text = JSON.stringify(spec);
  return buildOutput(
    {
      text,
      provenance: { source: "file mini.json", kubernetesVersion: version, sha256: sha256(text) },
    },
    { runtime: "kubegen/runtime" },
  ).model;
}

/** The mini spec one release later: an operation and a field gone, a field changed, one added. */
function bumped(): SwaggerSpec {
  const spec = miniSpec();
  delete spec.paths["/api/v1/namespaces/{namespace}/pods/{name}/log"];
  const podSpec = spec.definitions["io.k8s.api.core.v1.PodSpec"];
  delete podSpec.properties!.hostNetwork;
  podSpec.properties!.activeDeadlineSeconds = { type: "string" };
  podSpec.properties!.restartPolicy = { type: "string", enum: ["Always", "Never"] };
  podSpec.required = ["containers", "restartPolicy"];
  const container = spec.definitions["io.k8s.api.core.v1.Container"];
  container.required = [];
  return spec;
}

describe("diffModels", () => {
  const diff = diffModels(model(miniSpec(), "v1.98.0"), model(bumped(), "v1.99.0"));

  it("lists removed operations and fields, changed types and requiredness, added fields", () => {
    expect(diff.changes).toEqual([
      { kind: "removed", what: "field", name: "core/v1 PodSpec.hostNetwork" },
      { kind: "removed", what: "operation", name: "core/v1 readNamespacedPodLog" },
      {
        kind: "changed",
        what: "field",
        name: "core/v1 Container.name",
        from: "required",
        to: "optional",
      },
      {
        kind: "changed",
        what: "field",
        name: "core/v1 PodSpec.activeDeadlineSeconds",
        from: "number",
        to: "string",
      },
      { kind: "added", what: "field", name: "core/v1 PodSpec.restartPolicy" },
    ]);
  });

  it("prints one line per change with a summary, and fails only on the kinds asked for", () => {
    expect(diffText(diff)).toBe(
      [
        "kubegen diff file mini.json (v1.98.0) → file mini.json (v1.99.0): 2 removed, 2 changed, 0 deprecated, 1 added",
        "- removed field core/v1 PodSpec.hostNetwork",
        "- removed operation core/v1 readNamespacedPodLog",
        "~ changed field core/v1 Container.name: required → optional",
        "~ changed field core/v1 PodSpec.activeDeadlineSeconds: number → string",
        "+ added field core/v1 PodSpec.restartPolicy",
        "",
      ].join("\n"),
    );
    expect(failsOn(diff, ["removed"])).toBe(true);
    expect(failsOn(diff, ["deprecated"])).toBe(false);
    expect(failsOn(diffModels(model(miniSpec(), "a"), model(miniSpec(), "b")), ["any"])).toBe(
      false,
    );
  });
});

describe("kubegen diff (CLI)", () => {
  const cli = (args: string[]) =>
    run(process.execPath, ["--import", "tsx", join(root, "generator/cli.ts"), "diff", ...args], {
      cwd: root,
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it("compares two CRD sets: a dropped kind, a deprecated version, a narrowed enum; --json and --fail-on", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kubegen-diff-"));
    try {
      const crd = await readFile(join(here, "crds/widgets.yaml"), "utf8");
      await writeFile(
        join(dir, "before.yaml"),
        crd.replace("deprecated: true", "deprecated: false"),
      );
      await writeFile(
        join(dir, "after.yaml"),
        crd
          .replace("enum: [Small, Medium, Large]", "enum: [Small, Large]")
          // The Gadget CRD (second document) is gone.
          .split("\n---\n")[0],
      );
      const text = await cli(["--from", join(dir, "before.yaml"), "--to", join(dir, "after.yaml")]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(
        '~ changed field example.com/v1 Widget.spec.size: "Large" | "Medium" | "Small" → "Large" | "Small"',
      );
      expect(text.stdout).toContain("! deprecated model example.com/v1beta1 Widget");
      expect(text.stdout).toContain("- removed operation example.com/v1 listGadget");
      expect(text.stdout).toContain("- removed model example.com/v1 Gadget");
      const json = await cli([
        "--from",
        join(dir, "before.yaml"),
        "--to",
        join(dir, "after.yaml"),
        "--json",
        "--fail-on",
        "removed",
      ]);
      expect(json.code).toBe(1);
      const parsed = JSON.parse(json.stdout) as ApiDiff;
      expect(parsed.changes).toContainEqual({
        kind: "removed",
        what: "model",
        name: "example.com/v1 GadgetList",
      });
      const same = await cli([
        "--from",
        join(dir, "before.yaml"),
        "--to",
        join(dir, "before.yaml"),
        "--fail-on",
        "any",
      ]);
      expect(same.code).toBe(0);
      expect(same.stdout).toContain("0 removed, 0 changed, 0 deprecated, 0 added");
      const bad = await cli(["--from", "a", "--to", "b", "--fail-on", "gone"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--fail-on takes removed, changed, deprecated, added, any");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("compares an output tree with a release: generated/ against its own pinned release is empty", async () => {
    const result = await cli(["--from", "generated", "--to", "1.36.3", "--fail-on", "any"]);
    expect(result.stdout).toContain(": 0 removed, 0 changed, 0 deprecated, 0 added");
    expect(result.code).toBe(0);
  }, 60_000);
});
