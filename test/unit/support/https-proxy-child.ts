/**
 * Run in a child process by `https-proxy.test.ts`, because `NODE_EXTRA_CA_CERTS` (the only way to
 * trust an `https://` proxy's certificate) is read when node starts: a call and an exec through a
 * TLS CONNECT proxy to an HTTPS API server stand-in. Prints one JSON line with what happened.
 *
 *   node --import tsx https-proxy-child.ts   (the test CA and keys come in env KUBEGEN_TEST_TLS)
 */
import { createServer } from "node:https";
import { WebSocketServer } from "ws";
import { createClient, send } from "../../../runtime/index.js";
import { run } from "../../../runtime/streams/index.js";
import { startConnectProxy } from "../../tools/connect-proxy.js";

const { ca, cert, key } = JSON.parse(process.env.KUBEGEN_TEST_TLS!) as Record<string, string>;
const frame = (channel: number, data: string) =>
  Buffer.concat([Buffer.from([channel]), Buffer.from(data)]);

const server = createServer({ cert, key }, (_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end('{"kind":"APIVersions"}');
});
const wss = new WebSocketServer({ server, handleProtocols: (p) => [...p][0] ?? false });
wss.on("connection", (socket) => {
  socket.send(frame(1, "through"));
  socket.send(frame(3, '{"status":"Success"}'));
  socket.close(1000);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as { port: number }).port;
const auth = `Basic ${Buffer.from("u:p").toString("base64")}`;
const proxy = await startConnectProxy(auth, { tls: { cert, key } });
const client = createClient({
  server: `https://127.0.0.1:${port}`,
  ca,
  token: "secret-token",
  proxyUrl: `https://u:p@127.0.0.1:${proxy.port}`,
  logger: () => {},
});
const outcome = async <T>(work: () => Promise<T>) =>
  work().then(
    (value) => ({ value }),
    (error: Error) => ({
      error: `${error.message} ${String((error.cause as Error)?.message ?? "")}`,
    }),
  );
const call = await outcome(() => send(client, "GET", "/api", {}));
const exec = await outcome(() =>
  run(client, { name: "p", namespace: "d", command: ["x"] }).then((r) => r.stdout),
);
process.stdout.write(
  JSON.stringify({
    call,
    exec,
    tunnels: proxy.tunnels,
    tokenOnWire: proxy.wire().includes("secret-token"),
  }) + "\n",
);
await client.close();
await proxy.close();
wss.close();
server.close();
