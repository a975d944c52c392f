/**
 * BENCHMARKS.md is written by several benchmark rooms: `bench/run.ts` writes the main part, and
 * each script in `bench/rooms/` owns one marked section, so a room can be re-measured alone
 * (`node --import tsx bench/rooms/NAME.ts`) without a full run rewriting the others' figures.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const BENCHMARKS_MD = join(ROOT, "BENCHMARKS.md");

const BLOCK = /<!-- bench:([\w-]+) -->[\s\S]*?<!-- \/bench:\1 -->\n?/g;

/** The marked room sections currently in BENCHMARKS.md, in file order. */
export function roomSections(text = readIfExists()): string[] {
  return [...text.matchAll(BLOCK)].map((m) => m[0].replace(/\n?$/, "\n"));
}

/** Replaces (or appends) the section of room `name`, leaving everything else byte for byte. */
export async function writeRoomSection(name: string, markdown: string): Promise<void> {
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(BENCHMARKS_MD)) ?? {};
  const body = (await prettier.format(markdown, { ...options, parser: "markdown" })).trimEnd();
  const block = `<!-- bench:${name} -->\n${body}\n<!-- /bench:${name} -->\n`;
  const text = readIfExists();
  const existing = [...text.matchAll(BLOCK)].find((m) => m[1] === name);
  const next = existing
    ? text.replace(existing[0], block)
    : `${text.replace(/\n*$/, "\n\n")}${block}`;
  writeFileSync(BENCHMARKS_MD, next);
}

function readIfExists(): string {
  return existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, "utf8") : "";
}
