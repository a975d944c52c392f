/**
 * Pod logs as a stream of lines (or raw chunks): no idle timeout while following, stopped by
 * `break` or an AbortSignal (either frees the socket), a server error thrown before the first line.
 */
import type { Client } from "../client.js";
import { execute, prepare, type CallOptions } from "../request.js";

export interface PodLogParams {
  /** Pod name. */
  name: string;
  /** Default: the client's namespace. */
  namespace?: string;
  container?: string;
  /** Keep the stream open and deliver new lines as they are written. */
  follow?: boolean;
  /** Logs of the previous, terminated instance of the container. */
  previous?: boolean;
  /** Prefix each line with its RFC3339Nano time and a space. */
  timestamps?: boolean;
  /** Only lines newer than this many seconds. */
  sinceSeconds?: number;
  /** Only lines at or after this RFC3339 time (the server cuts it to whole seconds). */
  sinceTime?: string;
  /** Only the last N lines. */
  tailLines?: number;
  /** Stop after this many bytes. */
  limitBytes?: number;
  insecureSkipTLSVerifyBackend?: boolean;
}

export interface LogStream extends AsyncIterable<string> {
  /** The same stream as raw byte chunks, as they arrive. */
  chunks(): AsyncIterable<Uint8Array>;
}

const LOG_PATH = "/api/v1/namespaces/{namespace}/pods/{name}/log";

/**
 * Streams a container's log. Iterating yields lines without their newline; `chunks()` yields the
 * bytes. Each iteration makes its own request; a `KubeError` (pod not found, container not
 * started) is thrown before the first line.
 */
export function streamNamespacedPodLog(
  client: Client,
  params: PodLogParams,
  options: Omit<CallOptions, "timeoutMs"> = {},
): LogStream {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const accept = "text/plain, application/json;q=0.9, */*;q=0.8";
    const call = prepare(client, "GET", LOG_PATH, params, options, { stream: true, accept });
    const res = await execute(call);
    // Leaving the loop early (break, throw, abort) destroys the body, which closes the socket:
    // a half-read response cannot go back to the pool.
    try {
      for await (const chunk of res.body) yield chunk as Uint8Array;
    } finally {
      if (!res.body.destroyed) res.body.destroy();
    }
  }
  async function* lines(): AsyncGenerator<string> {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of chunks()) {
      rest += decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let nl = rest.indexOf("\n"); nl !== -1; nl = rest.indexOf("\n", start)) {
        yield rest.slice(start, nl);
        start = nl + 1;
      }
      rest = rest.slice(start);
    }
    rest += decoder.decode();
    if (rest) yield rest;
  }
  return { [Symbol.asyncIterator]: () => lines(), chunks };
}
