import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Every test file belongs to exactly one project. Projects do not extend the root
    // config: that would merge its include into theirs and run unit files twice.
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"] },
      },
      {
        // Vitest runs a project's globalSetup only when some of its files are selected, so
        // `vitest run test/unit` never builds or starts the cluster.
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/cluster/global-setup.ts"],
          // Files share one apiserver; running them one at a time keeps them from
          // tripping over each other's objects. (fileParallelism is root-only; this is the
          // per-project way to serialize.)
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 120_000,
          // globalSetup (which may build the binaries for ~15 minutes) has no timeout of
          // its own; this generous limit covers per-file hooks that create fixtures.
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
