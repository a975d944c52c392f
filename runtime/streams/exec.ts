/**
 * exec and attach over WebSocket `v5.channel.k8s.io` (v4 when the server offers no v5): a session
 * with stdin/stdout/stderr streams that keep backpressure end to end, resize for a tty, and the
 * exit status as a value.
 */
import { Readable, Writable } from "node:stream";
import type WebSocket from "ws";
import { internals, type Client } from "../client.js";
import { KubeError, type Status } from "../errors.js";
import { buildPath } from "../request.js";
import { frame, frameMany, openWebSocket, sendFrame, type OpenOptions } from "./websocket.js";

const V5 = "v5.channel.k8s.io";
const V4 = "v4.channel.k8s.io";
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const RESIZE = 4;
const CLOSE = 255;

export interface AttachParams {
  /** Pod name. */
  name: string;
  /** Default: the client's namespace. */
  namespace?: string;
  /** Default: the pod's only container (or its `kubectl.kubernetes.io/default-container`). */
  container?: string;
  /** Open stdin (default false). */
  stdin?: boolean;
  /** Read stdout (default true). */
  stdout?: boolean;
  /** Read stderr (default true; always false with `tty`, which folds it into stdout). */
  stderr?: boolean;
  tty?: boolean;
}

export interface ExecParams extends AttachParams {
  /** The argv, e.g. `["sh", "-c", "echo hi"]`. */
  command: string[];
}

export interface ExecOptions extends OpenOptions {
  /** Bytes buffered per output stream before the socket is paused (default 1 MiB). */
  highWaterMark?: number;
  /** Subprotocols to offer, most preferred first (default v5, then v4). */
  protocols?: readonly string[];
}

export interface ExitStatus {
  /** The process exit code (0–255). */
  code: number;
  /** The Status the server sent on the status channel. */
  status: Status;
}

export interface ExecSession {
  /** The negotiated subprotocol: `v5.channel.k8s.io`, or `v4.channel.k8s.io` from older servers. */
  readonly protocol: string;
  /** The process's stdin, when `stdin: true`. Ending it closes the remote stdin (v5 only). */
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Sets the terminal size (tty sessions). */
  resize(columns: number, rows: number): void;
  /**
   * Settles when the process ends: a non-zero exit is a value. Rejects with a `KubeError` when the
   * server reports a failure other than an exit code, or when the stream breaks or is aborted.
   */
  readonly exit: Promise<ExitStatus>;
  /** Closes the socket (the remote process gets no more input). */
  close(): void;
}

/** Runs `command` in a container and returns a live session. */
export async function exec(
  client: Client,
  params: ExecParams,
  options: ExecOptions = {},
): Promise<ExecSession> {
  if (!Array.isArray(params.command) || params.command.length === 0) {
    throw new TypeError("exec: command must be a non-empty array of strings");
  }
  return open(client, "exec", params, params.command, options);
}

/** Attaches to the main process of a running container. */
export async function attach(
  client: Client,
  params: AttachParams,
  options: ExecOptions = {},
): Promise<ExecSession> {
  return open(client, "attach", params, undefined, options);
}

async function open(
  clientLike: Client,
  subresource: "exec" | "attach",
  params: AttachParams,
  command: string[] | undefined,
  options: ExecOptions,
): Promise<ExecSession> {
  const client = internals(clientLike);
  const tty = params.tty ?? false;
  const want = {
    stdin: params.stdin ?? false,
    stdout: params.stdout ?? true,
    stderr: tty ? false : (params.stderr ?? true),
  };
  const path = buildPath(
    `/api/v1/namespaces/{namespace}/pods/{name}/${subresource}`,
    { namespace: params.namespace, name: params.name },
    client.namespace,
    {
      command,
      container: params.container,
      stdin: want.stdin,
      stdout: want.stdout,
      stderr: want.stderr,
      tty,
    },
  );
  const ws = await openWebSocket(client, path, options.protocols ?? [V5, V4], options);
  return session(ws, want, options);
}

function session(
  ws: WebSocket,
  want: { stdin: boolean; stdout: boolean; stderr: boolean },
  options: ExecOptions,
): ExecSession {
  const protocol = ws.protocol;
  const highWaterMark = options.highWaterMark ?? 1024 * 1024;
  // One socket carries every channel: it is paused when a reader's buffer is full and resumed
  // when any reader asks for more (Readable may ask while still slightly above its mark). An
  // output nobody reads therefore buffers; pass `stderr: false` when it will not be read.
  const resumeIfDrained = () => {
    if (ws.isPaused) ws.resume();
  };
  const output = (on: boolean) =>
    on ? new Readable({ highWaterMark, read: resumeIfDrained }) : null;
  const stdout = output(want.stdout);
  const stderr = output(want.stderr);
  const statusChunks: Buffer[] = [];

  const stdin = want.stdin
    ? new Writable({
        highWaterMark: 256 * 1024,
        write: (chunk: Buffer, _encoding, callback) => sendFrame(ws, frame(STDIN, chunk), callback),
        writev: (chunks, callback) => sendFrame(ws, frameMany(STDIN, chunks), callback),
        final: (callback) => {
          // v4 has no way to say "end of input"; the process keeps reading until the socket closes.
          if (protocol === V5) sendFrame(ws, Buffer.from([CLOSE, STDIN]), callback);
          else callback();
        },
      })
    : null;

  ws.on("message", (data: Buffer) => {
    if (data.length < 1) return;
    const payload = data.subarray(1);
    switch (data[0]) {
      case STDOUT:
        if (payload.length && stdout && !stdout.push(payload)) ws.pause();
        break;
      case STDERR:
        if (payload.length && stderr && !stderr.push(payload)) ws.pause();
        break;
      case STATUS:
        statusChunks.push(Buffer.from(payload));
        break;
    }
  });

  const signal = options.signal;
  const onAbort = () => ws.terminate();
  signal?.addEventListener("abort", onAbort, { once: true });

  const exit = new Promise<ExitStatus>((resolve, reject) => {
    let socketError: Error | undefined;
    ws.on("error", (error) => (socketError = error));
    ws.once("close", () => {
      signal?.removeEventListener("abort", onAbort);
      const text = Buffer.concat(statusChunks).toString("utf8");
      let failure: Error | undefined;
      let result: ExitStatus | undefined;
      if (text) {
        try {
          result = exitStatus(text);
        } catch (error) {
          failure = error as Error;
        }
      } else if (signal?.aborted) {
        failure = signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
      } else {
        failure =
          socketError ?? new Error("the stream closed before the process reported an exit status");
      }
      for (const s of [stdout, stderr]) {
        if (!s) continue;
        // The error is also the exit promise's; a stream nobody listens to must not throw it again.
        if (failure) s.destroy(s.listenerCount("error") > 0 ? failure : undefined);
        else s.push(null);
      }
      if (stdin && !stdin.destroyed) stdin.destroy();
      if (failure) reject(failure);
      else resolve(result!);
    });
  });
  // Callers that only read the streams must not see an unhandled rejection.
  exit.catch(() => {});
  ws.resume();

  return {
    protocol,
    stdin,
    stdout,
    stderr,
    resize(columns: number, rows: number) {
      const size = JSON.stringify({ Width: columns, Height: rows });
      sendFrame(ws, frame(RESIZE, Buffer.from(size)), () => {});
    },
    exit,
    close: () => ws.close(1000),
  };
}

/** Reads the status channel: v4+ sends a JSON Status, older protocols plain error text. */
function exitStatus(text: string): ExitStatus {
  let status: Status;
  try {
    status = JSON.parse(text) as Status;
  } catch {
    status = { status: "Failure", message: text, reason: "InternalError" };
  }
  if (status.status === "Success") return { code: 0, status };
  if (status.reason === "NonZeroExitCode") {
    const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return { code, status };
  }
  throw new KubeError({
    code: status.code ?? 500,
    verb: "GET",
    path: "exec",
    status: { kind: "Status", ...status },
  });
}

export interface RunParams extends ExecParams {
  /** Sent to stdin, which is then closed. */
  input?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
  status: Status;
}

/** Runs `command` to completion and returns its output and exit code (a non-zero code is not an error). */
export async function run(
  client: Client,
  params: RunParams,
  options: ExecOptions = {},
): Promise<RunResult> {
  const { input, ...rest } = params;
  const s = await exec(client, { ...rest, stdin: input !== undefined }, options);
  const collect = async (stream: Readable | null) => {
    if (!stream) return "";
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  };
  const feeding = s.stdin && input !== undefined ? feed(s.stdin, input) : Promise.resolve();
  const [stdout, stderr, exit] = await Promise.all([
    collect(s.stdout),
    collect(s.stderr),
    s.exit,
    feeding.catch(() => {}),
  ]);
  return { stdout, stderr, code: exit.code, status: exit.status };
}

async function feed(stdin: Writable, input: string | Uint8Array | AsyncIterable<Uint8Array>) {
  const { pipeline } = await import("node:stream/promises");
  const source =
    typeof input === "string" || input instanceof Uint8Array
      ? Readable.from([Buffer.from(input)])
      : input;
  await pipeline(source, stdin);
}
