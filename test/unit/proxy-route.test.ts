/** The proxy route both ordinary calls and WebSocket streams take (kubeconfig `proxy-url`). */
import { describe, expect, it } from "vitest";
import { proxyRoute } from "../../runtime/transport.js";

const basic = (userAndPassword: string) =>
  `Basic ${Buffer.from(userAndPassword).toString("base64")}`;

describe("proxyRoute", () => {
  it("is undefined without a proxy", () => {
    expect(proxyRoute(undefined)).toBeUndefined();
    expect(proxyRoute("")).toBeUndefined();
  });

  it("keeps only the origin when the URL has no user info", () => {
    expect(proxyRoute("http://127.0.0.1:3128")).toEqual({ origin: "http://127.0.0.1:3128" });
    expect(proxyRoute("https://proxy.example/ignored/path")).toEqual({
      origin: "https://proxy.example",
    });
  });

  it("turns percent-encoded user info into Proxy-Authorization and drops it from the origin", () => {
    expect(proxyRoute("http://kube%20user:p%40ss%3Aword@127.0.0.1:3128")).toEqual({
      origin: "http://127.0.0.1:3128",
      authorization: basic("kube user:p@ss:word"),
    });
    // A user without a password is still sent, as client-go does.
    expect(proxyRoute("http://alice@proxy.example:8080")).toEqual({
      origin: "http://proxy.example:8080",
      authorization: basic("alice:"),
    });
  });
});
