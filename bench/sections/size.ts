/** Size: each app bundled, kubegen's own share of its bundle, and what each client installs. */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import type { ClientName } from "../clients.js";
import { ROOT } from "../report.js";
import type { Machine } from "../setup.js";
import {
  LABEL,
  fmt,
  kb,
  mb,
  packageDir,
  progress,
  table,
  verdict,
  type Findings,
} from "../support.js";

const APPS: { client: ClientName; file: string }[] = [
  { client: "undici", file: "undici" },
  { client: "kubegen", file: "kubegen" },
  { client: "client-node", file: "client-node" },
];

interface Bundle {
  minBytes: number;
  gzBytes: number;
  byInput: Record<string, number>;
}

async function bundle(entry: string, external: string[] = []): Promise<Bundle> {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  const byInput: Record<string, number> = {};
  for (const [input, info] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
    const area = input.startsWith("node_modules/")
      ? input
          .split("/")
          .slice(1, input.split("/")[1].startsWith("@") ? 3 : 2)
          .join("/")
      : input.split("/")[0];
    byInput[area] = (byInput[area] ?? 0) + info.bytesInOutput;
  }
  return {
    minBytes: file.contents.length,
    gzBytes: gzipSync(file.contents, { level: 9 }).length,
    byInput,
  };
}

function dirBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = dirBytes(full);
      bytes += sub.bytes;
      files += sub.files;
    } else if (entry.isFile()) {
      bytes += statSync(full).size;
      files++;
    }
  }
  return { bytes, files };
}

/** Packages installed for `names` and everything they depend on (nested copies included), and their size. */
function footprint(names: string[]): { packages: number; bytes: number; files: number } {
  const seen = new Set<string>();
  const queue = names.map((n) => packageDir(n, ROOT)).filter((d): d is string => !!d);
  while (queue.length) {
    const dir = queue.pop()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const found = packageDir(dep, dir);
      if (found) queue.push(found);
    }
  }
  let bytes = 0;
  let files = 0;
  for (const dir of seen) {
    const s = dirBytes(dir);
    bytes += s.bytes;
    files += s.files;
  }
  return { packages: seen.size, bytes, files };
}

export async function sizeSection() {
  progress("bundles and installed sizes");
  const app = (f: string) => join(ROOT, "bench/apps", `${f}.ts`);
  const full = {} as Record<ClientName, Bundle>;
  for (const a of APPS) full[a.client] = await bundle(app(a.file));
  const own = await bundle(app("kubegen"), ["undici", "yaml"]);
  const dependencies = Object.keys(
    (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
      }
    ).dependencies,
  ).sort();
  return {
    full,
    own,
    installed: {
      dependencies,
      kubegenDeps: footprint(dependencies),
      callsDeps: footprint(["undici", "yaml"]),
      clientNode: footprint(["@kubernetes/client-node"]),
    },
  };
}

export type SizeResults = Awaited<ReturnType<typeof sizeSection>>;

export function sizeFindings(
  size: SizeResults,
  info: Machine,
  { sections, verdicts }: Findings,
): void {
  const rows = APPS.map(({ client: c, file }) => [
    `${LABEL[c]} (\`bench/apps/${file}.ts\`)`,
    kb(size.full[c].minBytes),
    kb(size.full[c].gzBytes),
  ]);
  const area = (b: Bundle, name: string) => kb(b.byInput[name] ?? 0);
  const own = size.own;
  verdicts.push(
    verdict("kubegen own code ≤ 15 KB gzipped", own.gzBytes / 1024, 15, (n) => n.toFixed(1), " KB"),
  );
  const inst = size.installed;
  sections.push(
    "### Size\n\n" +
      "esbuild bundle of each app: minified, ESM, platform node; gzip level 9.\n\n" +
      table(["app bundle", "minified", "gzipped"], rows) +
      "\n\n" +
      table(
        ["kubegen's own code in its app bundle", "minified", "gzipped"],
        [
          [
            "undici and yaml external (runtime + used generated functions + the app)",
            kb(own.minBytes),
            kb(own.gzBytes),
          ],
          ["  of which runtime/", area(own, "runtime"), ""],
          ["  of which generated/", area(own, "generated"), ""],
        ],
      ) +
      "\n\n`yaml` is loaded with `require` only when a kubeconfig is parsed, so no bundle holds it; " +
      "it counts in the installed size below.\n\n" +
      table(
        ["installed (node_modules, dependencies included)", "packages", "files", "size"],
        [
          [
            `kubegen's dependencies: ${inst.dependencies.join(", ")}`,
            fmt(inst.kubegenDeps.packages),
            fmt(inst.kubegenDeps.files),
            mb(inst.kubegenDeps.bytes),
          ],
          [
            "  of which what calls load (undici, yaml)",
            fmt(inst.callsDeps.packages),
            fmt(inst.callsDeps.files),
            mb(inst.callsDeps.bytes),
          ],
          [
            `@kubernetes/client-node ${info.versions.clientNode} and its dependencies`,
            fmt(inst.clientNode.packages),
            fmt(inst.clientNode.files),
            mb(inst.clientNode.bytes),
          ],
        ],
      ),
  );
}
