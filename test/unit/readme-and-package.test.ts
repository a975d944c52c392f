/** The README's examples compile, and the package resolves the way the README says. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);

describe("README", () => {
  it("has examples that type-check against the runtime and the generated client", async () => {
    const readme = await readFile(join(root, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```ts\n([^]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const dir = join(root, ".cache/readme-examples");
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const files = await Promise.all(
      blocks.map(async (code, i) => {
        const file = join(dir, `example-${i}.ts`);
        // Each example is its own module (top-level await needs one).
        await writeFile(file, `${code}\nexport {};\n`);
        return file;
      }),
    );
    const tsconfig = join(dir, "tsconfig.json");
    await writeFile(
      tsconfig,
      JSON.stringify({
        extends: "../../tsconfig.json",
        compilerOptions: {
          noEmit: true,
          module: "NodeNext",
          // What the package's exports map points at, in source form.
          paths: {
            "kubegen/runtime": ["../../runtime/index.ts"],
            "kubegen/manifests": ["../../runtime/manifests/index.ts"],
            "kubegen/streams": ["../../runtime/streams/index.ts"],
            "kubegen/controller": ["../../runtime/controller/index.ts"],
            "kubegen/*": ["../../generated/*/index.ts"],
          },
        },
        files,
        include: [],
      }),
    );
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    const out = await run(process.execPath, [tsc, "-p", tsconfig], { cwd: root }).then(
      (r) => r.stdout,
      (e: { stdout: string }) => e.stdout,
    );
    expect(out).toBe("");
  }, 120_000);
});

describe("package", () => {
  it("declares ESM, exports, sideEffects, engines and types", async () => {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    expect(pkg.type).toBe("module");
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.engines.node).toMatch(/^>=20/);
    expect(pkg.exports["./runtime"]).toEqual({
      types: "./dist/runtime/index.d.ts",
      default: "./dist/runtime/index.js",
    });
    expect(pkg.exports["./*"].types).toBe("./dist/generated/*/index.d.ts");
    expect(pkg.exports["./controller"]).toEqual({
      types: "./dist/runtime/controller/index.d.ts",
      default: "./dist/runtime/controller/index.js",
    });
  });

  it("resolves kubegen/runtime and kubegen/core/v1 by import, and by require on Node >= 20.19", async () => {
    // dist/ is built by `npm ci` (the prepare script) or `npm run build`.
    expect(
      existsSync(join(root, "dist/runtime/index.js")),
      "dist/ is missing: run npm run build",
    ).toBe(true);
    const esm = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const r = await import("kubegen/runtime"); const c = await import("kubegen/core/v1"); const a = await import("kubegen/rbac.authorization.k8s.io/v1");' +
          "console.log(typeof r.createClient, typeof c.listNamespacedPod, c.resources.length > 10, typeof a.createNamespacedRole)",
      ],
      { cwd: root },
    );
    expect(esm.stdout.trim()).toBe("function function true function");
    const manifests = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const m = await import("kubegen/manifests"); console.log(typeof m.applyManifests, typeof m.deleteManifests, m.parseManifests("apiVersion: v1\\nkind: Namespace\\nmetadata: {name: a}\\n").length)',
      ],
      { cwd: root },
    );
    expect(manifests.stdout.trim()).toBe("function function 1");
    const [major, minor] = process.versions.node.split(".").map(Number);
    if (major > 20 || minor >= 19) {
      const cjs = await run(
        process.execPath,
        ["-e", 'console.log(typeof require("kubegen/runtime").createClient)'],
        { cwd: root },
      );
      expect(cjs.stdout.trim()).toBe("function");
    }
    const controller = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const c = await import("kubegen/controller"); console.log(typeof c.informer, typeof c.leaderElection)',
      ],
      { cwd: root },
    );
    expect(controller.stdout.trim()).toBe("function function");
    const generator = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const g = await import("kubegen/generator"); console.log(typeof g.generate, typeof g.buildOutput, typeof g.diffModels)',
      ],
      { cwd: root },
    );
    expect(generator.stdout.trim()).toBe("function function function");
    const streams = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const s = await import("kubegen/streams"); console.log(typeof s.exec, typeof s.portForward)',
      ],
      { cwd: root },
    );
    expect(streams.stdout.trim()).toBe("function function");
    // The runtime's entries are bundled with shared chunks (packaging/bundle-runtime.ts): a few
    // files to load instead of one per module; the declarations stay one per module.
    expect(existsSync(join(root, "dist/runtime/client.js"))).toBe(false);
    expect(existsSync(join(root, "dist/runtime/client.d.ts"))).toBe(true);
    for (const file of [
      "runtime/index.d.ts",
      "runtime/controller/index.d.ts",
      "generated/core/v1/index.d.ts",
      "generator/cli.js",
      "generator/index.d.ts",
    ]) {
      expect(existsSync(join(root, "dist", file)), file).toBe(true);
    }
  });

  it("runs the CLI through a bin link, as npx kubegen does", async () => {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    const dir = join(root, ".cache/bin");
    await mkdir(dir, { recursive: true });
    const link = join(dir, "kubegen");
    await rm(link, { force: true });
    await symlink(join(root, pkg.bin.kubegen), link);
    const out = await run(process.execPath, [link, "generate", "--help"], { cwd: root });
    expect(out.stdout).toContain("Usage: kubegen generate");
  });

  it("masks outgoing WebSocket frames with bufferutil's native code where it has a build", async () => {
    // ws masks every frame a client sends; its JavaScript fallback costs about 1.1 s per 200 MB
    // on this machine, which capped exec stdin and port-forward uploads below kubectl's rate.
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    expect(pkg.optionalDependencies.bufferutil).toMatch(/^\^4\./);
    const { createRequire } = await import("node:module");
    const fromWs = createRequire(createRequire(join(root, "package.json")).resolve("ws"));
    const { mask } = fromWs("bufferutil") as { mask: (...args: unknown[]) => void };
    expect(String(mask)).toContain("[native code]");
    const out = Buffer.alloc(8);
    mask(Buffer.from("kubegen!"), Buffer.from([1, 2, 3, 4]), out, 0, 8);
    expect([...out]).toEqual([..."kubegen!"].map((c, i) => c.charCodeAt(0) ^ [1, 2, 3, 4][i & 3]));
  });
});
