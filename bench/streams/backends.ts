/**
 * The TCP servers behind the benchmark's "pod", in a process of their own so that they do not
 * share an event loop with the client being measured (a real pod is never in the client's
 * process; kubectl, a separate process, would otherwise get a core to itself that kubegen does not).
 *
 *   node bench/streams/backends.ts SIZE   → prints {"sendPort":…,"recvPort":…}, runs until killed
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

const chunk = Buffer.alloc(64 * 1024, 7);
/** `size` bytes as 64 KiB chunks, produced on demand. */
export const source = (size: number) =>
  Readable.from(
    (function* () {
      for (let sent = 0; sent < size; sent += chunk.length)
        yield chunk.subarray(0, Math.min(chunk.length, size - sent));
    })(),
  );

/**
 * One server sends `size` bytes to each connection; one reads `size` bytes, then closes; one
 * echoes what it reads.
 */
async function serve(size: number) {
  const listen = async (s: Server) => {
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return (s.address() as { port: number }).port;
  };
  const sender = createServer((s) => {
    s.on("error", () => {});
    source(size).pipe(s);
  });
  const receiver = createServer((s) => {
    let got = 0;
    s.on("error", () => {});
    s.on("data", (c: Buffer) => {
      got += c.length;
      if (got >= size) s.destroy();
    });
  });
  const echo = createServer((s) => {
    s.on("error", () => {});
    s.pipe(s);
  });
  const ports = {
    sendPort: await listen(sender),
    recvPort: await listen(receiver),
    echoPort: await listen(echo),
  };
  process.stdout.write(JSON.stringify(ports) + "\n");
}

/** Starts the backends in a child process. */
export async function backends(
  size: number,
): Promise<{ sendPort: number; recvPort: number; echoPort: number; close(): void }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), String(size)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  type Ports = { sendPort: number; recvPort: number; echoPort: number };
  const ports = await new Promise<Ports>((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (d: Buffer) => {
      text += d;
      if (text.includes("\n")) resolve(JSON.parse(text));
    });
    child.once("exit", (code) => reject(new Error(`stream backends exited ${code}`)));
  });
  return { ...ports, close: () => child.kill() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await serve(Number(process.argv[2]));
