/**
 * The data files the generator reads for the pinned release (generator/data/) are exactly what
 * test/tools/release-data.ts derives from that release: the test fails when they go stale.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { releaseDataFiles, root } from "../../tools/release-data.js";

describe("release data files", () => {
  it("match what the pinned release gives (run test/tools/release-data.ts when this fails)", async () => {
    const expected = await releaseDataFiles();
    expect(expected.size).toBeGreaterThan(0);
    for (const [file, text] of expected)
      expect(await readFile(join(root, file), "utf8"), file).toBe(text);
  }, 120_000);
});
