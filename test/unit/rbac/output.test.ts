import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Need } from "../../../generator/rbac/analyze.js";
import { rbacMain } from "../../../generator/rbac/cli.js";
import { drift, grantsOfText, toJson, toYaml } from "../../../generator/rbac/output.js";
import { deriveRoles } from "../../../generator/rbac/rules.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const sample = join(root, "test/fixtures/rbac-app/app.ts");
const plus = join(root, "test/unit/rbac/fixtures/app-plus.ts");
const unresolved = join(root, "test/unit/rbac/fixtures/unresolved.ts");

const need = (
  fn: string,
  line: number,
  p: Need["permission"],
  extra: Partial<Need> = {},
): Need => ({
  permission: p,
  site: { file: "app.ts", line, fn },
  ...extra,
});
const pods = { group: "", resource: "pods", namespaced: true };
const NEEDS: Need[] = [
  need("readNamespacedPod", 3, { verbs: ["get"], ...pods }, { resourceName: "web" }),
  need("readNamespacedPod", 9, { verbs: ["get"], ...pods }, { resourceName: "db" }),
  need("listNamespacedPod", 4, { verbs: ["list"], ...pods }),
  need("deleteNamespacedPod", 5, { verbs: ["delete"], ...pods }),
  need("createNamespacedPod", 6, { verbs: ["create"], ...pods }, { resourceName: "x" }),
  need("listNamespacedPod", 7, { verbs: ["list"], ...pods }, { namespace: "other" }),
  need("readNamespace", 8, {
    verbs: ["get"],
    group: "",
    resource: "namespaces",
    namespaced: false,
  }),
  need("getAPIResources", 2, { verbs: ["get"], nonResourceURL: "/api/v1/" }),
];

/** Runs the CLI in-process; returns exit code, stdout and stderr. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c) => ((err += String(c)), true));
  try {
    return { code: await rbacMain(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("kubegen rbac output", () => {
  it("merges and sorts rules, one Role per namespace, cluster scope and URLs in the ClusterRole", () => {
    const d = deriveRoles(NEEDS, { namespace: "shop", serviceAccount: "web" });
    expect(d.roles.map((r) => r.namespace)).toEqual(["other", "shop"]);
    expect(d.roles[1].rules).toEqual([
      {
        apiGroups: [""],
        resources: ["pods"],
        verbs: ["create", "delete", "get", "list"],
        sites: {
          create: [{ file: "app.ts", line: 6, fn: "createNamespacedPod" }],
          delete: [{ file: "app.ts", line: 5, fn: "deleteNamespacedPod" }],
          get: [
            { file: "app.ts", line: 3, fn: "readNamespacedPod" },
            { file: "app.ts", line: 9, fn: "readNamespacedPod" },
          ],
          list: [{ file: "app.ts", line: 4, fn: "listNamespacedPod" }],
        },
      },
    ]);
    expect(d.clusterRules.map((r) => r.resources ?? r.nonResourceURLs)).toEqual([
      ["namespaces"],
      ["/api/v1/"],
    ]);
  });

  it("--pin-names restricts get/update/patch/delete when every call names the object", () => {
    const d = deriveRoles(NEEDS, { namespace: "shop", serviceAccount: "web", pinNames: true });
    expect(d.roles[1].rules.map((r) => `${r.verbs} ${r.resourceNames ?? "*"}`)).toEqual([
      "create,delete,list *", // delete has a call without a literal name; create cannot be pinned
      "get db,web",
    ]);
  });

  it("YAML: ServiceAccount, Roles, bindings, ClusterRole; each rule commented with its call sites", () => {
    const text = toYaml(deriveRoles(NEEDS, { namespace: "shop", serviceAccount: "web" }));
    const docs = parseAllDocuments(text).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    expect(docs.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual([
      "ServiceAccount web",
      "Role web",
      "RoleBinding web",
      "Role web",
      "RoleBinding web",
      "ClusterRole shop:web",
      "ClusterRoleBinding shop:web",
    ]);
    expect(text).toContain(
      [
        "  # create: app.ts:6 createNamespacedPod",
        "  # delete: app.ts:5 deleteNamespacedPod",
        "  # get: app.ts:3 readNamespacedPod, app.ts:9 readNamespacedPod",
        "  # list: app.ts:4 listNamespacedPod",
        '  - apiGroups: [""]',
        "    resources: [pods]",
        "    verbs: [create, delete, get, list]",
      ].join("\n"),
    );
    expect(text).toContain("  # get: app.ts:2 getAPIResources\n  - nonResourceURLs: [/api/v1/]");
    // Deterministic: the same needs in another order give the same bytes.
    expect(
      toYaml(deriveRoles([...NEEDS].reverse(), { namespace: "shop", serviceAccount: "web" })),
    ).toBe(text);
  });

  it("JSON: a List; the call sites in an annotation", () => {
    const list = JSON.parse(
      toJson(deriveRoles(NEEDS, { namespace: "shop", serviceAccount: "web" })),
    );
    expect(list.kind).toBe("List");
    const role = list.items.find((i: { kind: string }) => i.kind === "ClusterRole");
    expect(role.metadata.annotations["kubegen.io/call-sites"]).toBe(
      "get: app.ts:8 readNamespace\nget: app.ts:2 getAPIResources",
    );
  });

  it("drift: missing grants with their call sites, unneeded grants", () => {
    const d = deriveRoles(NEEDS, { namespace: "shop", serviceAccount: "web" });
    const committed = grantsOfText(toYaml(d), "role.yaml");
    expect(drift(d, committed)).toEqual({ missing: [], unneeded: [] });
    committed.delete("Role shop delete core pods");
    committed.add("Role shop watch core pods");
    expect(drift(d, committed)).toEqual({
      missing: [
        {
          grant: "Role shop delete core pods",
          sites: [{ file: "app.ts", line: 5, fn: "deleteNamespacedPod" }],
        },
      ],
      unneeded: ["Role shop watch core pods"],
    });
    expect(grantsOfText(toJson(d), "role.json")).toEqual(grantsOfText(toYaml(d), "role.yaml"));
  });
});

describe("kubegen rbac CLI", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubegen-rbac-cli-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("--check passes on its own output and reports drift when the program gains a call", async () => {
    const derived = await cli(["--namespace", "shop", sample]);
    expect(derived.code).toBe(0);
    expect(derived.err).toBe("");
    const role = join(dir, "role.yaml");
    await writeFile(role, derived.out);
    const same = await cli(["--namespace", "shop", "--check", role, sample]);
    expect(same).toMatchObject({ code: 0, out: "" });
    const gained = await cli(["--namespace", "shop", "--check", role, plus]);
    expect(gained.code).toBe(1);
    expect(gained.out).toMatch(
      /missing {3}Role shop list core secrets {2}\(test\/unit\/rbac\/fixtures\/app-plus\.ts:8 listNamespacedSecret\)/,
    );
  }, 120_000);

  it("warns about what cannot be resolved; --strict makes it an error", async () => {
    const lax = await cli([unresolved]);
    expect(lax.code).toBe(0);
    expect(lax.err).toMatch(/unresolved\.ts:6: warning: a function of .* chosen at run time/);
    const strict = await cli(["--strict", unresolved]);
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(/unresolved\.ts:6: error: a function of .* chosen at run time/);
    expect(strict.out).toBe("");
  }, 120_000);
});
