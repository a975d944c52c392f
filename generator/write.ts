/** Writing output: all or nothing. Files go to a temp folder that replaces the output in one rename. */
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import type { FileSet } from "./emit.js";

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else out.push(relative(root, full).split("\\").join("/"));
    }
  }
  await walk(root);
  return out.sort();
}

/** Replaces `outDir` with exactly `files`. The previous output stays intact if anything fails. */
export async function writeAtomically(outDir: string, files: FileSet): Promise<void> {
  const parent = dirname(outDir);
  await mkdir(parent, { recursive: true });
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const staging = join(parent, `.${basename(outDir)}.new-${suffix}`);
  const previous = join(parent, `.${basename(outDir)}.old-${suffix}`);
  try {
    const dirs = new Set([...files.keys()].map((f) => dirname(join(staging, f))));
    for (const d of [...dirs].sort()) await mkdir(d, { recursive: true });
    await Promise.all([...files].map(([name, text]) => writeFile(join(staging, name), text)));
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  let moved = false;
  try {
    await rename(outDir, previous);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }
  try {
    await rename(staging, outDir);
  } catch (error) {
    if (moved) await rename(previous, outDir);
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  if (moved) await rm(previous, { recursive: true, force: true });
}

export interface Drift {
  changed: string[];
  added: string[];
  removed: string[];
}

/** What writing `files` to `outDir` would change; nothing is written. */
export async function diffOutput(outDir: string, files: FileSet): Promise<Drift> {
  const existing = await listFiles(outDir);
  const drift: Drift = { changed: [], added: [], removed: [] };
  for (const name of [...files.keys()].sort()) {
    if (!existing.includes(name)) {
      drift.added.push(name);
      continue;
    }
    const current = await readFile(join(outDir, name), "utf8");
    if (current !== files.get(name)) drift.changed.push(name);
  }
  drift.removed = existing.filter((name) => !files.has(name));
  return drift;
}
