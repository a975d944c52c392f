/**
 * Who am I? The running pod's identity from the Downward API (environment variables and a
 * downwardAPI volume), with an optional API read to fill what neither provides.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Client } from "./client.js";
import { isForbidden } from "./errors.js";
import { send, type CallOptions } from "./request.js";

/** Single-valued fields, each available as an env var, a volume file and from the API. */
export type PodScalarField = "name" | "namespace" | "ip" | "nodeName" | "serviceAccount" | "uid";
/** Fields the API fallback can supply (name and namespace are needed to make the call). */
export type PodLookupField =
  Exclude<PodScalarField, "name" | "namespace"> | "labels" | "annotations" | "resources";

/** Resource name (`cpu`, `memory`, `ephemeral-storage`, …) to an env var or file name, per kind. */
export interface ResourceNames {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface PodIdentityOptions {
  /** Environment to read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Env var names, defaults: POD_NAME, POD_NAMESPACE, POD_IP, NODE_NAME, POD_SERVICE_ACCOUNT, POD_UID. */
  envNames?: Partial<Record<PodScalarField, string>>;
  /**
   * Use HOSTNAME as the pod name when nothing else names it (default true). Kubernetes sets it to
   * the pod name, except with `spec.hostname`, `hostNetwork`, or names longer than 63 characters.
   */
  hostnameFallback?: boolean;
  /** Env vars filled by `resourceFieldRef`, e.g. `{ requests: { cpu: "CPU_REQUEST" } }`. */
  resourceEnv?: ResourceNames;
  /** Service-account directory whose `namespace` file is the last resort for the namespace. */
  serviceAccountDir?: string;
  /** downwardAPI volume mount; a missing directory is fine. Default `/etc/podinfo`. */
  downwardApiDir?: string;
  /** File names in the volume, defaults: name, namespace, podIP, nodeName, serviceAccountName, uid. */
  fileNames?: Partial<Record<PodScalarField, string>>;
  /** Resource files in the volume, e.g. `{ limits: { cpu: "cpu_limit" } }`. */
  resourceFiles?: ResourceNames;
  /** Enables the API fallback: GET the pod when something in `fields` is still unknown. */
  client?: Client;
  /** Set to false to never call the API even with a client. */
  allowApiFallback?: boolean;
  /**
   * What the caller needs; the API is called only when one of these is unknown locally.
   * Default: all. Resources count as known locally only when mappings are configured and all resolved.
   */
  fields?: PodLookupField[];
  /** Container whose resources the API fallback reports. Default: the first container. */
  container?: string;
  /** Signal, timeout etc. for the API call. */
  callOptions?: CallOptions;
}

export interface PodIdentity {
  name: string | undefined;
  namespace: string | undefined;
  ip: string | undefined;
  nodeName: string | undefined;
  serviceAccount: string | undefined;
  uid?: string;
  /** Empty both when the pod has none and when unknown; `sources` tells which. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /**
   * Values as their source gave them: env vars and files carry the kubelet's rendering (divisor
   * applied, e.g. `1` core, bytes), the API fallback the spec's quantities (`250m`, `128Mi`).
   */
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  /** Where each value came from, e.g. `name: env POD_NAME`, `labels: file /etc/podinfo/labels`. */
  sources: string[];
  /** Problems that did not stop the lookup (unreadable files, a forbidden API read). */
  warnings: string[];
}

const DEFAULT_ENV: Record<PodScalarField, string> = {
  name: "POD_NAME",
  namespace: "POD_NAMESPACE",
  ip: "POD_IP",
  nodeName: "NODE_NAME",
  serviceAccount: "POD_SERVICE_ACCOUNT",
  uid: "POD_UID",
};
const DEFAULT_FILES: Record<PodScalarField, string> = {
  name: "name",
  namespace: "namespace",
  ip: "podIP",
  nodeName: "nodeName",
  serviceAccount: "serviceAccountName",
  uid: "uid",
};
const SCALARS = Object.keys(DEFAULT_ENV) as PodScalarField[];
const LOOKUP_FIELDS: PodLookupField[] = [
  "ip",
  "nodeName",
  "serviceAccount",
  "uid",
  "labels",
  "annotations",
  "resources",
];
const RESOURCE_KINDS = ["requests", "limits"] as const;
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const DOWNWARD_API_DIR = "/etc/podinfo";
const POD_PATH = "/api/v1/namespaces/{namespace}/pods/{name}";

/** The parts of a Pod this helper reads. */
interface PodObject {
  metadata?: {
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    nodeName?: string;
    serviceAccountName?: string;
    containers?: ContainerObject[];
    initContainers?: ContainerObject[];
  };
  status?: { podIP?: string };
}
interface ContainerObject {
  name?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

const FROM_POD: Record<
  Exclude<PodScalarField, "name" | "namespace">,
  (pod: PodObject) => string | undefined
> = {
  ip: (p) => p.status?.podIP,
  nodeName: (p) => p.spec?.nodeName,
  serviceAccount: (p) => p.spec?.serviceAccountName,
  uid: (p) => p.metadata?.uid,
};

/**
 * Collects the pod's identity: env vars first, then the downwardAPI volume, then guesses
 * (HOSTNAME, the service-account namespace file), then, with a `client`, one GET of the pod.
 */
export async function podIdentity(options: PodIdentityOptions = {}): Promise<PodIdentity> {
  const env = options.env ?? process.env;
  const dir = options.downwardApiDir ?? DOWNWARD_API_DIR;
  const sources: string[] = [];
  const warnings: string[] = [];
  const scalars: Partial<Record<PodScalarField, string>> = {};

  for (const field of SCALARS) {
    const envName = options.envNames?.[field] ?? DEFAULT_ENV[field];
    const fromEnv = env[envName];
    if (fromEnv) {
      scalars[field] = fromEnv;
      sources.push(`${field}: env ${envName}`);
      continue;
    }
    const file = path.resolve(dir, options.fileNames?.[field] ?? DEFAULT_FILES[field]);
    const fromFile = (await readOptional(file, warnings))?.trim();
    if (fromFile) {
      scalars[field] = fromFile;
      sources.push(`${field}: file ${file}`);
    }
  }
  // Guesses come after the volume, whose files are authoritative.
  if (!scalars.name && options.hostnameFallback !== false && env.HOSTNAME) {
    scalars.name = env.HOSTNAME;
    sources.push("name: env HOSTNAME");
  }
  if (!scalars.namespace) {
    const file = path.join(options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, "namespace");
    const fromFile = (await readOptional(file, warnings))?.trim();
    if (fromFile) {
      scalars.namespace = fromFile;
      sources.push(`namespace: file ${file}`);
    }
  }

  const maps: Partial<Record<"labels" | "annotations", Record<string, string>>> = {};
  for (const key of ["labels", "annotations"] as const) {
    const file = path.join(dir, key);
    const text = await readOptional(file, warnings);
    if (text === undefined) continue;
    // An empty file is a pod with none, which is known.
    maps[key] = parseMap(text, file);
    sources.push(`${key}: file ${file}`);
  }

  const resources = {
    requests: {} as Record<string, string>,
    limits: {} as Record<string, string>,
  };
  let resourcesConfigured = false;
  let resourcesComplete = true;
  for (const kind of RESOURCE_KINDS) {
    const envMap = options.resourceEnv?.[kind] ?? {};
    const fileMap = options.resourceFiles?.[kind] ?? {};
    for (const res of new Set([...Object.keys(envMap), ...Object.keys(fileMap)])) {
      resourcesConfigured = true;
      const envName = envMap[res];
      const fromEnv = envName === undefined ? undefined : env[envName];
      if (fromEnv) {
        resources[kind][res] = fromEnv;
        sources.push(`${kind}.${res}: env ${envName}`);
        continue;
      }
      const fileName = fileMap[res];
      const file = fileName === undefined ? undefined : path.resolve(dir, fileName);
      const fromFile =
        file === undefined ? undefined : (await readOptional(file, warnings))?.trim();
      if (fromFile) {
        resources[kind][res] = fromFile;
        sources.push(`${kind}.${res}: file ${file}`);
      } else {
        resourcesComplete = false;
      }
    }
  }

  const known = (field: PodLookupField): boolean =>
    field === "labels" || field === "annotations"
      ? maps[field] !== undefined
      : field === "resources"
        ? resourcesConfigured && resourcesComplete
        : scalars[field] !== undefined;
  const missing = (options.fields ?? LOOKUP_FIELDS).filter((f) => !known(f));

  if (options.client && options.allowApiFallback !== false && missing.length > 0) {
    const { name, namespace } = scalars;
    if (!name || !namespace) {
      warnings.push(
        `API fallback skipped: pod ${name ? "namespace" : "name"} unknown (needed for ${missing.join(", ")})`,
      );
    } else {
      const where = `GET /api/v1/namespaces/${namespace}/pods/${name}`;
      let pod: PodObject | undefined;
      try {
        pod = await send<PodObject>(
          options.client,
          "GET",
          POD_PATH,
          { namespace, name },
          options.callOptions,
        );
      } catch (error) {
        if (!isForbidden(error)) throw error;
        sources.push(`api: ${where} forbidden`);
        warnings.push(`${error.message}; still unknown: ${missing.join(", ")}`);
      }
      if (pod) {
        for (const field of ["ip", "nodeName", "serviceAccount", "uid"] as const) {
          const value = FROM_POD[field](pod);
          if (scalars[field] === undefined && value) {
            scalars[field] = value;
            sources.push(`${field}: api ${where}`);
          }
        }
        for (const key of ["labels", "annotations"] as const) {
          if (maps[key] !== undefined) continue;
          maps[key] = { ...pod.metadata?.[key] };
          sources.push(`${key}: api ${where}`);
        }
        fillResources(pod, options.container, resources, sources, warnings, where);
      }
    }
  }

  const identity: PodIdentity = {
    name: scalars.name,
    namespace: scalars.namespace,
    ip: scalars.ip,
    nodeName: scalars.nodeName,
    serviceAccount: scalars.serviceAccount,
    labels: maps.labels ?? {},
    annotations: maps.annotations ?? {},
    resources,
    sources,
    warnings,
  };
  if (scalars.uid !== undefined) identity.uid = scalars.uid;
  return identity;
}

/** Adds the API's requests/limits for resources no local source gave. */
function fillResources(
  pod: PodObject,
  containerName: string | undefined,
  resources: PodIdentity["resources"],
  sources: string[],
  warnings: string[],
  where: string,
): void {
  const containers = pod.spec?.containers ?? [];
  // Sidecars are init containers (restartPolicy: Always) and may be the caller.
  const container =
    containerName === undefined
      ? containers[0]
      : [...containers, ...(pod.spec?.initContainers ?? [])].find((c) => c.name === containerName);
  if (!container) {
    warnings.push(
      containerName === undefined
        ? `${where}: the pod has no containers; resources unknown`
        : `${where}: no container named ${containerName}; resources unknown`,
    );
    return;
  }
  for (const kind of RESOURCE_KINDS) {
    for (const [res, value] of Object.entries(container.resources?.[kind] ?? {})) {
      if (resources[kind][res] !== undefined) continue;
      resources[kind][res] = value;
      sources.push(`${kind}.${res}: api ${where} container ${container.name}`);
    }
  }
}

/** Reads a file that may legitimately be absent; other failures become warnings. */
async function readOptional(file: string, warnings: string[]): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR")
      warnings.push(`cannot read ${file}: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Parses a downwardAPI `labels` / `annotations` file: one `key="value"` per line, the value
 * quoted like Go's `%q` (strconv.Quote). Throws a SyntaxError naming the line on malformed input.
 */
export function parseDownwardApiMap(text: string): Record<string, string> {
  return parseMap(text, "downward API map");
}

function parseMap(text: string, where: string): Record<string, string> {
  // A Map plus fromEntries defines keys as own properties, so `__proto__` is just a key.
  const entries = new Map<string, string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    // The kubelet writes no trailing newline, hand-made files often do.
    if (line === "") continue;
    const fail = (message: string): never => {
      throw new SyntaxError(`${where}, line ${i + 1}: ${message}`);
    };
    const eq = line.indexOf("=");
    if (eq < 0) fail('expected key="value", found no "="');
    const key = line.slice(0, eq);
    if (key === "") fail("empty key");
    if (/[\s"]/.test(key)) fail(`invalid key ${JSON.stringify(key)}`);
    if (entries.has(key)) fail(`duplicate key ${key}`);
    try {
      entries.set(key, unquoteGo(line.slice(eq + 1)));
    } catch (error) {
      fail(`value of ${key}: ${(error as Error).message}`);
    }
  }
  return Object.fromEntries(entries);
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  "\\": 92,
  '"': 34,
};
const utf8 = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF that is part of the value instead of dropping it.
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Go's strconv.Unquote for a double-quoted string. `\x` and octal escapes are bytes (so a run of
 * them can spell one UTF-8 character), `\u` / `\U` are code points; bytes that are not valid
 * UTF-8 decode to U+FFFD since a JS string cannot hold them.
 */
function unquoteGo(quoted: string): string {
  if (!quoted.startsWith('"')) throw new Error("expected a double-quoted value");
  const bytes: number[] = [];
  const push = (chunk: Uint8Array) => {
    for (const b of chunk) bytes.push(b);
  };
  let i = 1;
  for (;;) {
    if (i >= quoted.length) throw new Error("missing closing quote");
    const c = quoted[i];
    if (c === '"') break;
    if (c !== "\\") {
      let j = i;
      while (j < quoted.length && quoted[j] !== "\\" && quoted[j] !== '"') j++;
      push(utf8.encode(quoted.slice(i, j)));
      i = j;
      continue;
    }
    const at = i;
    const e = quoted[i + 1];
    i += 2;
    if (e === undefined) throw new Error("missing closing quote");
    // Exactly `count` more characters matching `pattern`, as Go requires.
    const take = (count: number, pattern: RegExp, what: string): string => {
      const text = quoted.slice(i, i + count);
      if (text.length !== count || !pattern.test(text))
        throw new Error(`escape \\${e} needs ${what}`);
      i += count;
      return text;
    };
    if (Object.hasOwn(SIMPLE_ESCAPES, e)) bytes.push(SIMPLE_ESCAPES[e]);
    else if (e === "x") bytes.push(parseInt(take(2, /^[0-9a-fA-F]+$/, "2 hex digits"), 16));
    else if (e >= "0" && e <= "7") {
      const v = parseInt(e + take(2, /^[0-7]+$/, "3 octal digits"), 8);
      if (v > 255) throw new Error(`octal escape \\${quoted.slice(at + 1, i)} exceeds 255`);
      bytes.push(v);
    } else if (e === "u" || e === "U") {
      const count = e === "u" ? 4 : 8;
      const v = parseInt(take(count, /^[0-9a-fA-F]+$/, `${count} hex digits`), 16);
      if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) {
        throw new Error(`escape \\${quoted.slice(at + 1, i)} is not a valid code point`);
      }
      push(utf8.encode(String.fromCodePoint(v)));
    } else {
      throw new Error(`unknown escape \\${e}`);
    }
  }
  if (i !== quoted.length - 1) throw new Error("unexpected text after the closing quote");
  return utf8Decoder.decode(Uint8Array.from(bytes));
}
