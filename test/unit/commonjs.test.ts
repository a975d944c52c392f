/**
 * CommonJS: a `.cjs` file requires `kubegen/runtime` and a generated group from an installed
 * copy of the package (built to JavaScript, resolved through its `exports` map) and makes calls.
 * Node's require(esm) needs Node >= 20.19 (or 22.12); this machine's Node is checked first.
 */
import { execFile } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import * as esbuild from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const dir = mkdtempSync(path.join(os.tmpdir(), "kubegen-cjs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tsFiles = (sub: string) =>
  readdirSync(path.join(ROOT, sub))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => path.join(ROOT, sub, f));

/** node_modules/kubegen as npm would install it: package.json (exports map) and dist/*.js. */
async function install(): Promise<void> {
  const pkg = path.join(dir, "node_modules", "kubegen");
  mkdirSync(pkg, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  writeFileSync(
    path.join(pkg, "package.json"),
    JSON.stringify({ name: "kubegen", type: manifest.type, exports: manifest.exports }),
  );
  await esbuild.build({
    entryPoints: [...tsFiles("runtime"), ...tsFiles("generated/core/v1")],
    outdir: path.join(pkg, "dist"),
    outbase: ROOT,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "error",
  });
  for (const dep of ["undici", "yaml"])
    symlinkSync(path.join(ROOT, "node_modules", dep), path.join(dir, "node_modules", dep));
}

const [major, minor] = process.versions.node.split(".").map(Number);

describe("CommonJS", () => {
  it("this Node can require(esm) without a flag (>= 20.19 / >= 22.12)", () => {
    expect(major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19)).toBe(true);
  });

  it('require("kubegen/runtime") and require("kubegen/core/v1") work from a .cjs file', async () => {
    await install();
    const server = createServer((req, res) => {
      if (req.url === "/api/v1/namespaces/shop/pods") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            kind: "PodList",
            metadata: {},
            items: [{ metadata: { name: "web-0" } }],
          }),
        );
      } else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            kind: "Status",
            status: "Failure",
            reason: "NotFound",
            code: 404,
            message: "nope",
          }),
        );
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(
      path.join(dir, "app.cjs"),
      `"use strict";
const { createClient, isNotFound } = require("kubegen/runtime");
const { listNamespacedPod, readNamespacedPod } = require("kubegen/core/v1");
const client = createClient({ server: ${JSON.stringify(url)}, namespace: "shop" });
(async () => {
  const pods = await listNamespacedPod(client, {});
  const missing = await readNamespacedPod(client, { name: "gone" }).catch((e) => e);
  console.log(JSON.stringify({ names: pods.items.map((p) => p.metadata.name), notFound: isNotFound(missing), type: typeof require("kubegen/runtime").watch }));
  await client.close();
})();
`,
    );
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(dir, "app.cjs")], {
        cwd: dir,
      });
      expect(JSON.parse(stdout.trim())).toEqual({
        names: ["web-0"],
        notFound: true,
        type: "function",
      });
    } finally {
      server.close();
    }
  }, 60_000);
});
