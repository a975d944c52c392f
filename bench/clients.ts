/** The three clients under test behind one small interface, each used the way its documentation suggests. */
import { NAMESPACE, TOKEN } from "./fixtures.js";

export type ClientName = "undici" | "kubegen" | "client-node";
export const CLIENTS: ClientName[] = ["undici", "kubegen", "client-node"];

export interface Target {
  server: string;
  ca: string;
}

/** The fields every scenario touches, so no client gets away with lazily skipping work. */
export interface PodLike {
  metadata?: { name?: string };
}

export interface Adapter {
  getPod(name: string): Promise<PodLike>;
  /** One list request. */
  listPage(
    namespace: string,
    limit: number,
    token?: string,
  ): Promise<{ items: PodLike[]; continue?: string }>;
  /** Every pod of a namespace, one page in memory at a time. */
  paginate(namespace: string, limit: number): AsyncIterable<PodLike>;
  /** Consumes a watch stream until the server ends it; returns the number of events. */
  watch(namespace: string): Promise<number>;
  create(body: Record<string, unknown>): Promise<PodLike>;
  close(): Promise<void>;
}

export async function listAll(
  adapter: Adapter,
  namespace: string,
  limit: number,
): Promise<PodLike[]> {
  const all: PodLike[] = [];
  let token: string | undefined;
  do {
    const page = await adapter.listPage(namespace, limit, token);
    for (const item of page.items) all.push(item);
    token = page.continue;
  } while (token);
  return all;
}

/** Generic page loop for clients without a paginating iterator of their own. */
async function* pages(adapter: Adapter, namespace: string, limit: number): AsyncGenerator<PodLike> {
  let token: string | undefined;
  do {
    const page = await adapter.listPage(namespace, limit, token);
    for (const item of page.items) yield item;
    token = page.continue;
  } while (token);
}

export async function createAdapter(name: ClientName, target: Target): Promise<Adapter> {
  switch (name) {
    case "undici":
      return undiciAdapter(target);
    case "kubegen":
      return kubegenAdapter(target);
    case "client-node":
      return clientNodeAdapter(target);
  }
}

/** The baseline: undici's request() with a keep-alive Agent, JSON.parse, nothing else. */
async function undiciAdapter(target: Target): Promise<Adapter> {
  const { Agent, request } = await import("undici");
  const dispatcher = new Agent({ connect: { ca: target.ca } });
  const headers = { accept: "application/json", authorization: `Bearer ${TOKEN}` };
  const base = `${target.server}/api/v1/namespaces`;

  async function json<T>(
    url: string,
    init: { method?: "GET" | "POST"; body?: string } = {},
  ): Promise<T> {
    const res = await request(url, {
      dispatcher,
      method: init.method ?? "GET",
      headers: init.body ? { ...headers, "content-type": "application/json" } : headers,
      body: init.body,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  const adapter: Adapter = {
    getPod: (name) => json(`${base}/${NAMESPACE}/pods/${encodeURIComponent(name)}`),
    async listPage(namespace, limit, token) {
      const q = new URLSearchParams({ limit: String(limit) });
      if (token) q.set("continue", token);
      const list = await json<{ items: PodLike[]; metadata: { continue?: string } }>(
        `${base}/${namespace}/pods?${q}`,
      );
      return { items: list.items, continue: list.metadata.continue };
    },
    paginate: (namespace, limit) => pages(adapter, namespace, limit),
    async watch(namespace) {
      const res = await request(
        `${base}/${namespace}/pods?watch=1&resourceVersion=1&timeoutSeconds=60`,
        {
          dispatcher,
          headers,
        },
      );
      if (res.statusCode !== 200) throw new Error(`watch: ${res.statusCode}`);
      res.body.setEncoding("utf8");
      let events = 0;
      let pending = "";
      for await (const chunk of res.body as AsyncIterable<string>) {
        pending += chunk;
        let start = 0;
        for (let nl = pending.indexOf("\n"); nl !== -1; nl = pending.indexOf("\n", start)) {
          const event = JSON.parse(pending.slice(start, nl)) as { object: PodLike };
          if (event.object.metadata?.name) events++;
          start = nl + 1;
        }
        pending = pending.slice(start);
      }
      return events;
    },
    create: (body) =>
      json(`${base}/${NAMESPACE}/pods`, { method: "POST", body: JSON.stringify(body) }),
    close: () => dispatcher.close(),
  };
  return adapter;
}

/** kubegen: the generated functions plus the runtime, as an application imports them. */
async function kubegenAdapter(target: Target): Promise<Adapter> {
  const { createClient } = await import("../runtime/index.js");
  const core = await import("../generated/core/v1/index.js");
  const client = createClient({
    server: target.server,
    token: TOKEN,
    ca: target.ca,
    namespace: NAMESPACE,
  });
  return {
    getPod: (name) => core.readNamespacedPod(client, { name, namespace: NAMESPACE }),
    async listPage(namespace, limit, token) {
      const list = await core.listNamespacedPod(client, { namespace, limit, continue: token });
      return { items: list.items, continue: list.metadata?.continue };
    },
    paginate: (namespace, limit) => core.paginateNamespacedPod(client, { namespace, limit }),
    async watch(namespace) {
      let events = 0;
      for await (const event of core.watchNamespacedPod(client, {
        namespace,
        resourceVersion: "1",
        timeoutSeconds: 60,
      })) {
        if ((event.object as PodLike).metadata?.name) events++;
      }
      return events;
    },
    create: (body) => core.createNamespacedPod(client, { namespace: NAMESPACE, body }),
    close: () => client.close(),
  };
}

/** @kubernetes/client-node: KubeConfig + CoreV1Api (object-parameter API of 1.x/2.x) and Watch. */
async function clientNodeAdapter(target: Target): Promise<Adapter> {
  const k8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: "bench",
        server: target.server,
        caData: Buffer.from(target.ca).toString("base64"),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: "bench", token: TOKEN }],
    contexts: [{ name: "bench", cluster: "bench", user: "bench", namespace: NAMESPACE }],
    currentContext: "bench",
  });
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const watcher = new k8s.Watch(kc);
  const adapter: Adapter = {
    getPod: (name) => api.readNamespacedPod({ name, namespace: NAMESPACE }),
    async listPage(namespace, limit, token) {
      const list = await api.listNamespacedPod({ namespace, limit, _continue: token });
      return { items: list.items, continue: list.metadata?._continue };
    },
    paginate: (namespace, limit) => pages(adapter, namespace, limit),
    watch(namespace) {
      return new Promise((resolve, reject) => {
        let events = 0;
        void watcher.watch(
          `/api/v1/namespaces/${namespace}/pods`,
          { resourceVersion: "1", timeoutSeconds: 60 },
          (_type, object: PodLike) => {
            if (object.metadata?.name) events++;
          },
          (err: unknown) => (err ? reject(err as Error) : resolve(events)),
        );
      });
    },
    create: (body) => api.createNamespacedPod({ namespace: NAMESPACE, body: body as never }),
    close: async () => {},
  };
  return adapter;
}
