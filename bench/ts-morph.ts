/**
 * The lower bound of a ts-morph pipeline for the same output: load every generated file into a
 * ts-morph project, format it with the compiler's formatter and print it. A generator that builds
 * the files through ts-morph structures would do at least this much work.
 *
 *   node --import tsx bench/ts-morph.ts
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Project } from "ts-morph";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "generated");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith(".ts") ? [full] : [];
  });
}

const sources = files(out).map((f) => [relative(out, f), readFileSync(f, "utf8")] as const);
const bytes = sources.reduce((n, [, text]) => n + text.length, 0);
const times: number[] = [];
for (let run = 0; run < 3; run++) {
  const started = performance.now();
  const project = new Project({ useInMemoryFileSystem: true });
  let printed = 0;
  for (const [name, text] of sources) {
    const file = project.createSourceFile(name, text);
    file.formatText({ indentSize: 2 });
    printed += file.getFullText().length;
  }
  times.push(performance.now() - started);
  if (printed === 0) throw new Error("nothing printed");
}
times.sort((a, b) => a - b);
console.log(
  `ts-morph load + format + print of ${sources.length} generated files (${(bytes / 1e6).toFixed(1)} MB): ` +
    `median ${(times[1] / 1000).toFixed(2)} s (runs: ${times.map((t) => (t / 1000).toFixed(2)).join(", ")} s)`,
);
