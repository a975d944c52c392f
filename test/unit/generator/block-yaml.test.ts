/** The fast CRD YAML reader gives exactly what js-yaml gives, or declines. */
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import { readBlockYaml } from "../../../generator/block-yaml.js";
import { CRD_SETS, crdSetDir } from "../../tools/crd-sets.js";

const same = (text: string) => JSON.parse(JSON.stringify(loadAll(text))) as unknown;

describe("readBlockYaml", () => {
  it("reads every CRD file of Gateway API and cert-manager exactly as js-yaml does", async () => {
    let read = 0;
    for (const set of CRD_SETS) {
      const dir = await crdSetDir(set);
      for (const file of (await readdir(dir)).filter((f) => f.endsWith(".yaml")).sort()) {
        const text = await readFile(join(dir, file), "utf8");
        const fast = readBlockYaml(text);
        if (!text.includes("kind: CustomResourceDefinition")) continue;
        expect(fast, `${set.name}/${file}`).toBeDefined();
        expect(fast, `${set.name}/${file}`).toEqual(same(text));
        read++;
      }
    }
    expect(read).toBe(29);
  }, 60_000);

  it("reads the subset: nesting, sequences, quoting, folding, literal blocks, flow lists", () => {
    const text = `# comment
---
a: 1
b: -2.5e3
c: "x \\"q\\" \\
  joined"
d: 'it''s
  folded'
e: plain words
  go on
f: |-
  line 1

  line 3
g: |
  keep
h:
- x
- k: v
  l: [1, two, true]
- - nested
i: []
j: {}
k: ~
"quoted key": yes
---
second: doc
`;
    expect(readBlockYaml(text)).toEqual(same(text));
  });

  it("declines what it does not read, so the full parser decides", () => {
    for (const text of [
      "a: &x 1\nb: *x\n",
      "a: !!str 1\n",
      "a: >\n  folded\n",
      "a: {b: 1}\n",
      "a: b\n\n  c\n",
      "a: 0x1F\n",
      "a:\tb\n",
    ])
      expect(readBlockYaml(text), text).toBeUndefined();
  });
});
