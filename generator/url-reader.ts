/**
 * How `--url` reads: anonymously with the platform's fetch, or, with `--kubeconfig`/`--context`,
 * through the runtime's client for that context (its CA, credentials, proxy), which only ever
 * sends them to the context's own server. The client also reads the server's `/version`, so the
 * release data applies without `--kubernetes-version`.
 */
import { createClient, sendText, type ClientOptions } from "../runtime/index.js";
import { decode, download, type Progress } from "./sources.js";

export interface UrlReader {
  read(url: string): Promise<string>;
  /** The server's gitVersion, when the reader can ask it. */
  version?(): Promise<string>;
  close(): Promise<void>;
}

const JSON_ACCEPT = { accept: "application/json" };

export function anonymousReader(progress: Progress): UrlReader {
  return {
    read: async (url) => decode(await download(url, progress, JSON_ACCEPT), new URL(url).pathname),
    close: async () => {},
  };
}

export function clusterReader(options: ClientOptions, progress: Progress): UrlReader {
  const client = createClient(options);
  const server = new URL(client.server);
  const prefix = server.pathname.replace(/\/+$/, "");
  /** The path to ask the client for; refuses any URL that is not on the context's server. */
  const pathOf = (url: string) => {
    const target = new URL(url);
    if (target.origin !== server.origin || !target.pathname.startsWith(`${prefix}/`)) {
      throw new Error(
        `--url ${url} is not on the server of ${client.description} (${client.server}); ` +
          "its credentials go to that server only",
      );
    }
    return target.pathname.slice(prefix.length) + target.search;
  };
  return {
    read: (url) => {
      progress(`downloading ${url} (${client.description})`);
      return sendText(client, "GET", pathOf(url), {}, { headers: JSON_ACCEPT, timeoutMs: 300_000 });
    },
    version: async () =>
      (JSON.parse(await sendText(client, "GET", "/version", {})) as { gitVersion?: string })
        .gitVersion ?? "unknown",
    close: () => client.close(),
  };
}
