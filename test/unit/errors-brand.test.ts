/** is* helpers and instanceof recognise a KubeError made by another copy of the runtime. */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import {
  isConflict,
  isForbidden,
  isGone,
  isKubeError,
  isNotFound,
  KubeError,
} from "../../runtime/index.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "kubegen-brand-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A second, independent copy of runtime/errors.ts: its own module, its own KubeError class. */
async function otherCopy(): Promise<typeof import("../../runtime/errors.js")> {
  const outfile = path.join(dir, "errors-copy.mjs");
  await esbuild.build({
    entryPoints: [path.resolve(__dirname, "../../runtime/errors.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    logLevel: "error",
  });
  return import(pathToFileURL(outfile).href);
}

describe("KubeError brand", () => {
  it("recognises errors from another copy of the runtime", async () => {
    const other = await otherCopy();
    expect(other.KubeError).not.toBe(KubeError);
    const notFound = new other.KubeError({ code: 404, verb: "GET", path: "/api/v1/pods/x" });
    expect(isNotFound(notFound)).toBe(true);
    expect(isKubeError(notFound)).toBe(true);
    expect(notFound instanceof KubeError).toBe(true);
    expect(isConflict(notFound)).toBe(false);
    expect(isGone(new other.KubeError({ code: 410, verb: "WATCH", path: "/p" }))).toBe(true);
    // And the other way round.
    expect(other.isForbidden(new KubeError({ code: 403, verb: "GET", path: "/p" }))).toBe(true);
  });

  it("is not fooled by look-alikes", () => {
    const lookAlike = Object.assign(new Error("x"), {
      name: "KubeError",
      code: 404,
      reason: "NotFound",
    });
    expect(isNotFound(lookAlike)).toBe(false);
    expect(isForbidden({ code: 403, reason: "Forbidden" })).toBe(false);
    expect(isKubeError(null)).toBe(false);
    expect(lookAlike instanceof KubeError).toBe(false);
  });
});
