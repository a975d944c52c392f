/** Contract tests of paginate(): limit/continue, resourceVersion rules, expired tokens, laziness. */
import { describe, expect, it } from "vitest";
import { isGone, KubeError, paginate } from "../../runtime/index.js";
import {
  caught,
  json,
  useHttpsServer,
  status,
  type RecordedRequest,
} from "./support/https-server.js";

const harness = useHttpsServer();
const client = harness.client;

interface Pod {
  metadata: { name: string };
}

const PODS = "/api/v1/namespaces/{namespace}/pods";
const pods = (count: number): Pod[] =>
  Array.from({ length: count }, (_, i) => ({ metadata: { name: `pod-${i}` } }));

/**
 * Serves `items` a page at a time. Continue tokens carry characters that need encoding in a
 * query (`+ / =`) to prove they travel back verbatim.
 */
function servePages(items: Pod[], onContinue?: (rec: RecordedRequest, offset: number) => boolean) {
  const tokenFor = (offset: number) =>
    `${Buffer.from(JSON.stringify({ offset })).toString("base64")}+/=`;
  harness.server.handle((_req, res, rec) => {
    const limit = Number(rec.query.get("limit"));
    const token = rec.query.get("continue");
    let offset = 0;
    if (token !== null) {
      const issued = Array.from({ length: items.length + 1 }, (_, i) => i).find(
        (i) => tokenFor(i) === token,
      );
      if (issued === undefined)
        return json(res, 400, status(400, "BadRequest", `unknown continue token ${token}`));
      offset = issued;
      if (onContinue && !onContinue(rec, offset)) {
        return json(
          res,
          410,
          status(
            410,
            "Expired",
            "The provided continue parameter is too old to display a consistent list result.",
          ),
        );
      }
    }
    const end = offset + limit;
    json(res, 200, {
      kind: "PodList",
      apiVersion: "v1",
      metadata: {
        resourceVersion: "4711",
        ...(end < items.length ? { continue: tokenFor(end) } : {}),
      },
      items: items.slice(offset, end),
    });
  });
}

describe("paginate", () => {
  it("follows continue tokens through 5 pages and yields every item in order", async () => {
    const items = pods(13);
    servePages(items);
    const names: string[] = [];
    for await (const p of paginate<Pod>(client(), PODS, { limit: 3, labelSelector: "app=web" }))
      names.push(p.metadata.name);
    expect(names).toEqual(items.map((p) => p.metadata.name));
    expect(harness.server.requests).toHaveLength(5);
    for (const rec of harness.server.requests) {
      expect(rec.path).toBe("/api/v1/namespaces/default/pods");
      expect(rec.query.get("limit")).toBe("3");
      expect(rec.query.get("labelSelector")).toBe("app=web");
    }
    expect(harness.server.requests[0].query.has("continue")).toBe(false);
    expect(
      harness.server.requests.slice(1).every((r) => r.query.get("continue")?.endsWith("+/=")),
    ).toBe(true);
  });

  it("sends resourceVersion(Match) on the first page only, never together with continue", async () => {
    servePages(pods(7));
    const got = [];
    for await (const p of paginate<Pod>(client(), PODS, {
      limit: 3,
      resourceVersion: "123",
      resourceVersionMatch: "NotOlderThan",
    })) {
      got.push(p);
    }
    expect(got).toHaveLength(7);
    const [first, ...rest] = harness.server.requests;
    expect(first.query.get("resourceVersion")).toBe("123");
    expect(first.query.get("resourceVersionMatch")).toBe("NotOlderThan");
    expect(rest).toHaveLength(2);
    for (const rec of rest) {
      expect(rec.query.has("continue")).toBe(true);
      expect(rec.query.has("resourceVersion")).toBe(false);
      expect(rec.query.has("resourceVersionMatch")).toBe(false);
    }
  });

  it("uses pageSize when params carry no limit, else 100", async () => {
    servePages(pods(5));
    let count = 0;
    for await (const _ of paginate<Pod>(client(), PODS, {}, { pageSize: 2 })) count++;
    expect(count).toBe(5);
    expect(harness.server.requests.map((r) => r.query.get("limit"))).toEqual(["2", "2", "2"]);

    harness.server.requests.length = 0;
    for await (const _ of paginate<Pod>(client(), PODS, {})) count++;
    expect(harness.server.requests.map((r) => r.query.get("limit"))).toEqual(["100"]);
  });

  it("yields nothing for an empty list (items may be absent)", async () => {
    harness.server.handle((_req, res) => json(res, 200, { kind: "PodList", metadata: {} }));
    const got = [];
    for await (const p of paginate<Pod>(client(), PODS, {})) got.push(p);
    expect(got).toEqual([]);
    expect(harness.server.requests).toHaveLength(1);
  });

  it("fetches lazily: leaving the loop early requests no further pages", async () => {
    servePages(pods(13));
    for await (const p of paginate<Pod>(client(), PODS, { limit: 3 })) {
      if (p.metadata.name === "pod-1") break;
    }
    expect(harness.server.requests).toHaveLength(1);
  });

  it("surfaces a 410 Expired on a continue as isGone, after the pages before it", async () => {
    // Page 3 (offset 6) finds its token expired.
    servePages(pods(13), (_rec, offset) => offset < 6);
    const names: string[] = [];
    const error = await caught(
      (async () => {
        for await (const p of paginate<Pod>(client(), PODS, { limit: 3 }))
          names.push(p.metadata.name);
      })(),
    );
    expect(names).toEqual(["pod-0", "pod-1", "pod-2", "pod-3", "pod-4", "pod-5"]);
    expect(error).toBeInstanceOf(KubeError);
    expect(isGone(error)).toBe(true);
    expect(error).toMatchObject({ code: 410, reason: "Expired", verb: "GET" });
    expect(harness.server.requests).toHaveLength(3);
  });
});
