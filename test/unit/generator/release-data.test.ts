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

describe("null fields from Go struct tags", () => {
  it("follows encoding/json: pointers, slices, maps without omitempty, zero Time values; not required ones", async () => {
    const { mkdtemp, mkdir, writeFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { readNullFields } = await import("../../tools/go-sources.js");
    const dir = await mkdtemp(join(tmpdir(), "kubegen-go-"));
    try {
      await mkdir(join(dir, "api/demo/v1"), { recursive: true });
      await writeFile(
        join(dir, "api/demo/v1/types.go"),
        `package v1

import (
\tmetav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type Names []string

type Thing struct {
\tmetav1.TypeMeta \`json:",inline"\`
\tPtr *string \`json:"ptr"\`
\tPtrOmit *string \`json:"ptrOmit,omitempty"\`
\tList []string \`json:"list"\`
\tListOmit []string \`json:"listOmit,omitempty"\`
\tMap map[string]string \`json:"map"\`
\tNamed Names \`json:"named"\`
\tWhen metav1.Time \`json:"when,omitempty"\`
\tWhenZero metav1.Time \`json:"whenZero,omitempty,omitzero"\`
\tMicro metav1.MicroTime \`json:"micro"\`
\tPlain string \`json:"plain"\`
\tRequired []string \`json:"required"\`
\tNested struct {
\t\tInner *string \`json:"inner"\`
\t} \`json:"nested"\`
\tSkipped *string \`json:"-"\`
}
`,
      );
      const props = Object.fromEntries(
        [
          "ptr",
          "ptrOmit",
          "list",
          "listOmit",
          "map",
          "named",
          "when",
          "whenZero",
          "micro",
          "plain",
          "required",
          "nested",
        ].map((n) => [n, { type: "string" }]),
      );
      const spec = {
        swagger: "2.0",
        paths: {},
        definitions: {
          "io.k8s.api.demo.v1.Thing": { type: "object", required: ["required"], properties: props },
        },
      };
      const result = await readNullFields(
        spec,
        new Map([["k8s.io/api", join(dir, "api")]]),
        "v9.9.9",
      );
      expect(result.fields).toEqual({
        "io.k8s.api.demo.v1.Thing": ["list", "map", "micro", "named", "ptr", "when"],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the pinned release output carries enums and the null fields the issue found", async () => {
    const core = await readFile(join(root, "generated/core/v1/models.ts"), "utf8");
    expect(core).toContain('restartPolicy?: "Always" | "Never" | "OnFailure";');
    expect(core).toContain("firstTimestamp?: Time | null;");
    expect(core).toContain("lastTimestamp?: Time | null;");
    expect(core).toContain("eventTime?: MicroTime | null;");
    const events = await readFile(join(root, "generated/events.k8s.io/v1/models.ts"), "utf8");
    expect(events).toContain("deprecatedFirstTimestamp?: Time | null;");
    expect(events).toContain("deprecatedLastTimestamp?: Time | null;");
    const rbac = await readFile(
      join(root, "generated/rbac.authorization.k8s.io/v1/models.ts"),
      "utf8",
    );
    expect(rbac).toContain("rules?: PolicyRule[] | null;");
  });
});
