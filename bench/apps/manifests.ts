/** A small app that applies a manifest file with kubegen/manifests. */
import { readFileSync } from "node:fs";
import { createClient } from "../../runtime/index.js";
import { applyManifests } from "../../runtime/manifests/index.js";

const client = createClient();
const results = await applyManifests(client, readFileSync(process.argv[2], "utf8"), {
  fieldManager: "deployer",
});
for (const r of results) console.log(r.kind, r.name, r.ok ? r.action : r.error.message);
await client.close();
