/**
 * The proxy a connection without `proxy-url` takes from the environment, with the rules client-go
 * gets from Go's `http.ProxyFromEnvironment`: `HTTPS_PROXY` for https servers, `HTTP_PROXY` for
 * http ones (upper case first, then lower), `NO_PROXY` exceptions, and never a proxy for localhost
 * or a loopback address.
 */
import { BlockList, isIP } from "node:net";
import { checkProxy } from "./kubeconfig.js";

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
  // Going direct instead would bypass a proxy the environment demands.
  checkProxy(proxyUrl, variable);
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
  for (const raw of noProxy.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    if (entry.includes("/")) {
      if (inBlock(host, entry)) return true;
      continue;
    }
    // A bare IPv6 address has colons of its own; only a bracketed one can carry a port.
    const { name, entryPort } = isIP(entry)
      ? { name: entry, entryPort: undefined }
      : splitPort(entry);
    if (entryPort && entryPort !== port) continue;
    const address = name.replace(/^\[|\]$/g, "");
    if (isIP(address)) {
      if (address === host) return true;
      continue;
    }
    const domain = name.replace(/^\*/, "");
    if (
      domain.startsWith(".")
        ? host.endsWith(domain)
        : host === domain || host.endsWith(`.${domain}`)
    )
      return true;
  }
  return false;
}

function inBlock(host: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const family = isIP(base);
  if (!family || family !== isIP(host)) return false;
  const type = family === 4 ? "ipv4" : "ipv6";
  const list = new BlockList();
  try {
    list.addSubnet(base, Number(bits), type);
  } catch {
    return false;
  }
  return list.check(host, type);
}

function splitPort(entry: string): { name: string; entryPort?: string } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
  return match ? { name: match[1], entryPort: match[2] } : { name: entry };
}
