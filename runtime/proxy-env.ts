/**
 * The proxy a connection without `proxy-url` takes from the environment, with the rules client-go
 * gets from Go's `http.ProxyFromEnvironment`: `HTTPS_PROXY` for https servers, `HTTP_PROXY` for
 * http ones (upper case first, then lower), `NO_PROXY` exceptions, and never a proxy for localhost
 * or a loopback address.
 */
import { BlockList, isIP } from "node:net";
import { ConfigError } from "./kubeconfig.js";

export interface EnvironmentProxy {
  proxyUrl: string;
  /** The variable it came from, for messages. */
  variable: string;
}

export function proxyFromEnvironment(
  server: string,
  env: NodeJS.ProcessEnv,
): EnvironmentProxy | undefined {
  const target = new URL(server);
  const names =
    target.protocol === "https:" ? ["HTTPS_PROXY", "https_proxy"] : ["HTTP_PROXY", "http_proxy"];
  const variable = names.find((name) => env[name]);
  if (!variable) return undefined;
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  if (host === "localhost" || isLoopback(host)) return undefined;
  if (bypassed(host, port, env.NO_PROXY ?? env.no_proxy ?? "")) return undefined;
  // As in Go, a value without a scheme is an http:// proxy.
  const raw = env[variable]!.trim();
  const proxyUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let protocol: string | undefined;
  try {
    protocol = new URL(proxyUrl).protocol;
  } catch {}
  if (protocol !== "http:" && protocol !== "https:") {
    // Going direct instead would bypass a proxy the environment demands.
    throw new ConfigError(
      `${variable}: only http:// and https:// proxies are supported (SOCKS is not); ` +
        "set proxyUrl, or NO_PROXY for this server",
    );
  }
  return { proxyUrl, variable };
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || /^::ffff:127\./.test(host);
  return false;
}

/**
 * `NO_PROXY` as Go reads it: `*` for every host; an IP or a CIDR block; a domain (`example.com`
 * matches it and its subdomains, `.example.com` and `*.example.com` only subdomains); any entry
 * may end with `:port` to apply to that port only.
 */
export function bypassed(host: string, port: string, noProxy: string): boolean {
  const ipVersion = isIP(host);
  for (const raw of noProxy.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    if (entry.includes("/")) {
      const [base, bits] = entry.split("/");
      const family = isIP(base);
      if (!family || family !== ipVersion) continue;
      const list = new BlockList();
      try {
        list.addSubnet(base, Number(bits), family === 4 ? "ipv4" : "ipv6");
      } catch {
        continue;
      }
      if (list.check(host, family === 4 ? "ipv4" : "ipv6")) return true;
      continue;
    }
    if (isIP(entry) || isIP(entry.replace(/^\[|\]$/g, ""))) {
      if (entry.replace(/^\[|\]$/g, "") === host) return true;
      continue;
    }
    const { name, entryPort } = splitPort(entry);
    if (entryPort && entryPort !== port) continue;
    if (isIP(name.replace(/^\[|\]$/g, ""))) {
      if (name.replace(/^\[|\]$/g, "") === host) return true;
      continue;
    }
    const domain = name.replace(/^\*/, "");
    if (domain.startsWith(".")) {
      if (host.endsWith(domain)) return true;
    } else if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function splitPort(entry: string): { name: string; entryPort?: string } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
  return match ? { name: match[1], entryPort: match[2] } : { name: entry };
}
