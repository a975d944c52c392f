/**
 * The TypeScript compiler, loaded with `require`: an ESM import of its 9 MB CommonJS file first
 * scans it for export names, which costs about a second before any work is done.
 */
import { createRequire } from "node:module";
import type * as TS from "typescript";

export type { TS };
export const ts: typeof TS = createRequire(import.meta.url)("typescript");
