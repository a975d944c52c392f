// Enum properties: what a live kube-apiserver v1.36.3 publishes against the pinned release's
// data (generator/data/release-facts.ts, 123 properties from the Go sources). A default server
// publishes 97 (87 on the property, 10 on an array's items; the "87" counts the first
// kind only), the same in /openapi/v2 and /openapi/v3; the other 26 belong to alpha and beta
// API versions it does not serve. A server serving every API version publishes exactly the 123,
// and the pinned release's generated types carry each of them as the same literal union.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOutput } from "../../generator/generate.js";
import type { TypeRef } from "../../generator/ir.js";
import { fromRelease } from "../../generator/sources.js";
import { createClient, type Client } from "../../runtime/index.js";
import { startCluster, type Cluster } from "../cluster/server.js";
import {
  enumProperties,
  readLiveSpecs,
  releaseEnumProperties,
  v3Schemas,
  type EnumProperty,
} from "../tools/openapi-v3-measure.js";
import { adminClient } from "./support.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PINNED = "v1.36.3";
/** A definition of an alpha or beta API version (`io.k8s.api.resource.v1beta2.DeviceTaint`). */
const PRERELEASE = /\.v\d+(alpha|beta)\d+\.[A-Za-z]+$/;

const definitionOf = (key: string) => key.slice(0, key.lastIndexOf("."));

describe("enum properties of a default kube-apiserver", () => {
  let admin: Client;
  beforeAll(() => {
    admin = adminClient();
  });
  afterAll(async () => {
    await admin?.close();
  });

  it("are the release data's, minus those of API versions it does not serve", async () => {
    const { v2, v3 } = await readLiveSpecs(admin);
    const live = enumProperties(v2);
    expect(enumProperties(v3Schemas(v3))).toEqual(live);
    const onProperty = [...live.values()].filter((e) => !e.items).length;
    expect({ total: live.size, onProperty, onItems: live.size - onProperty }).toEqual({
      total: 97,
      onProperty: 87,
      onItems: 10,
    });
    const release = releaseEnumProperties();
    for (const [key, e] of live) expect(release.get(key), key).toEqual(e);
    const unpublished = [...release.keys()].filter((k) => !live.has(k));
    expect(unpublished).toHaveLength(26);
    for (const key of unpublished) {
      // Not a missing enum: the whole definition is absent, and it is an alpha/beta version's.
      expect(Object.hasOwn(v2, definitionOf(key)), key).toBe(false);
      expect(definitionOf(key), key).toMatch(PRERELEASE);
    }
  });
});

describe("enum properties of a kube-apiserver serving every API version", () => {
  let cluster: Cluster;
  let client: Client;

  beforeAll(async () => {
    cluster = await startCluster({
      apiserverArgs: [
        "--runtime-config=api/all=true",
        "--feature-gates=AllAlpha=true,AllBeta=true",
      ],
    });
    client = createClient({ server: cluster.server, token: cluster.adminToken, ca: cluster.caPem });
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it("are exactly the pinned release's data, and its generated types carry them", async () => {
    const { v2, v3 } = await readLiveSpecs(client);
    const live = enumProperties(v2);
    expect(enumProperties(v3Schemas(v3))).toEqual(live);
    expect(live).toEqual(releaseEnumProperties());
    expect(live.size).toBe(123);

    const spec = await fromRelease(PINNED, { cacheDir: join(ROOT, ".cache") }, () => {});
    const { model } = buildOutput(spec, { runtime: "kubegen/runtime" });
    const literals = (type: TypeRef): string[] | undefined => {
      if (type.kind === "literal") return [String(type.value)];
      if (type.kind !== "union") return undefined;
      const values = type.members.map((m) => (m.kind === "literal" ? String(m.value) : undefined));
      return values.every((v) => v !== undefined) ? (values as string[]).sort() : undefined;
    };
    const generated = (key: string): EnumProperty | undefined => {
      const def = model.definitions.get(definitionOf(key));
      const name = key.slice(definitionOf(key).length + 1);
      const prop =
        def?.type.kind === "object" ? def.type.properties.find((p) => p.name === name) : undefined;
      if (!prop) return undefined;
      if (prop.type.kind === "array") {
        const values = literals(prop.type.items);
        return values && { values, items: true };
      }
      const values = literals(prop.type);
      return values && { values, items: false };
    };
    for (const [key, e] of live) expect(generated(key), key).toEqual(e);
  }, 120_000);
});
