/** Shared pieces of the CRD end-to-end tests: installing CRDs, and tsc over a generated tree. */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createCustomResourceDefinition,
  deleteCustomResourceDefinition,
  readCustomResourceDefinition,
  type CustomResourceDefinition,
} from "../../generated/apiextensions.k8s.io/v1/index.js";
import { KubeError, isNotFound, type Client } from "../../runtime/index.js";
import { eventually } from "./support.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Creates the CRDs (an existing one is kept) and waits until each is Established. */
export async function installCrds(
  admin: Client,
  docs: CustomResourceDefinition[],
): Promise<string[]> {
  const names: string[] = [];
  for (const { metadata, spec } of docs) {
    const body: CustomResourceDefinition = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: metadata!.name, annotations: metadata!.annotations },
      spec,
    };
    await createCustomResourceDefinition(admin, { body }).catch((e: unknown) => {
      if (!(e instanceof KubeError && e.code === 409)) throw e;
    });
    names.push(metadata!.name!);
  }
  for (const name of names)
    await eventually(`${name} Established`, async () => {
      const { status } = await readCustomResourceDefinition(admin, { name });
      return status?.conditions?.some((c) => c.type === "Established" && c.status === "True")
        ? true
        : undefined;
    });
  return names;
}

/** Deletes the CRDs and waits until they are gone, so later test files never see them. */
export async function removeCrds(admin: Client, names: string[]): Promise<void> {
  for (const name of names) await deleteCustomResourceDefinition(admin, { name }).catch(() => {});
  for (const name of names)
    await eventually(
      `${name} deleted`,
      () =>
        readCustomResourceDefinition(admin, { name }).then(
          () => undefined,
          (e: unknown) => (isNotFound(e) ? true : undefined),
        ),
      // The apiextensions finalizer deletes every custom resource first; on a loaded 2-core
      // machine that has taken over a minute.
      180_000,
    );
}

/** Runs tsc --strict over `include` (relative to `dir`); resolves to its output and exit code. */
export async function tscStrict(
  dir: string,
  include: string[],
): Promise<{ code: number; out: string }> {
  const tsconfig = path.join(dir, "tsconfig.json");
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: path.join(ROOT, "tsconfig.json"),
      compilerOptions: {
        noEmit: true,
        strict: true,
        typeRoots: [path.join(ROOT, "node_modules/@types")],
      },
      include,
      exclude: [],
    }),
  );
  return new Promise((resolve, reject) => {
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const proc = spawn(process.execPath, [tsc, "-p", tsconfig], { cwd: dir });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => (out += d));
    proc.stderr.on("data", (d: Buffer) => (out += d));
    proc.on("error", reject);
    proc.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}
