/** Spec sources: each yields the spec's text and where it came from, nothing more. */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { createClient, discoverResources, sendText, type ClientOptions } from "../runtime/index.js";
import type { Provenance } from "./ir.js";

export interface LoadedSpec {
  text: string;
  provenance: Provenance;
  /** Verbs per `group/version/plural` from the server's discovery (cluster sources only). */
  discoveredVerbs?: Map<string, string[]>;
}

export type Progress = (message: string) => void;

const DEFAULT_RELEASE_URL = "https://raw.githubusercontent.com/kubernetes/kubernetes";
const SPEC_IN_RELEASE = "api/openapi-spec/swagger.json";

export function sha256(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

export function decode(bytes: Buffer, name: string): string {
  const gz = name.endsWith(".gz") || (bytes[0] === 0x1f && bytes[1] === 0x8b);
  return (gz ? gunzipSync(bytes) : bytes).toString("utf8");
}

function versionFromInfo(text: string): string | undefined {
  const m = /"info"\s*:\s*\{[^}]*"version"\s*:\s*"(v\d+\.\d+\.\d+[^"]*)"/.exec(text.slice(0, 4096));
  return m?.[1];
}

export async function fromFile(path: string, kubernetesVersion?: string): Promise<LoadedSpec> {
  const bytes = await readFile(path);
  const text = decode(bytes, path);
  return {
    text,
    provenance: {
      source: `file ${basename(path)}`,
      kubernetesVersion: kubernetesVersion ?? versionFromInfo(text) ?? "unknown",
      sha256: sha256(text),
    },
  };
}

/**
 * GET with the platform's fetch: no credentials, TLS verified against the system roots (plus
 * NODE_EXTRA_CA_CERTS), redirects followed. Failures name the URL and the cause.
 */
export async function download(
  url: string,
  progress: Progress,
  headers: Record<string, string> = {},
): Promise<Buffer> {
  progress(`downloading ${url}`);
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(300_000) });
  } catch (error) {
    // fetch's own message is "fetch failed"; the reason (TLS, refused, DNS) is its cause.
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new Error(`GET ${url} failed: ${cause ?? (error as Error).message}`);
  }
  if (res.status !== 200) {
    const body = await res.text().catch(() => "");
    let message = "";
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? "";
    } catch {
      // Not a Kubernetes Status: the status code says enough.
    }
    throw new Error(`GET ${url} answered ${res.status}${message ? `: ${message}` : ""}`);
  }
  return Buffer.from(await res.arrayBuffer());
}

/** A Swagger 2.0 document read from `url`. */
export function urlSpec(url: string, text: string, kubernetesVersion?: string): LoadedSpec {
  return {
    text,
    provenance: {
      source: `url ${url}`,
      kubernetesVersion: kubernetesVersion ?? versionFromInfo(text) ?? "unknown",
      sha256: sha256(text),
    },
  };
}

/** Reads `/openapi/v2` and `/version` through the runtime's own config resolution. */
export async function fromCluster(options: ClientOptions, progress: Progress): Promise<LoadedSpec> {
  const client = createClient(options);
  try {
    progress(`reading /openapi/v2 from ${client.server} (${client.description})`);
    const [text, version, resources] = await Promise.all([
      sendText(
        client,
        "GET",
        "/openapi/v2",
        {},
        { timeoutMs: 120_000, headers: { accept: "application/json" } },
      ),
      sendText(client, "GET", "/version", {}, {}),
      discoverResources(client, { allVersions: true }),
    ]);
    const gitVersion = (JSON.parse(version) as { gitVersion?: string }).gitVersion ?? "unknown";
    const discoveredVerbs = new Map(
      resources.map((r) => [`${r.group}/${r.version}/${r.name}`, r.verbs]),
    );
    return {
      text,
      provenance: {
        source: `cluster ${client.server}`,
        kubernetesVersion: gitVersion,
        sha256: sha256(text),
      },
      discoveredVerbs,
    };
  } finally {
    await client.close();
  }
}

export interface ReleaseOptions {
  /** Cached specs live in `<cacheDir>/specs/<version>/swagger.json`. */
  cacheDir: string;
  /** Base URL of release trees; `<base>/<vX.Y.Z>/api/openapi-spec/swagger.json`. */
  releaseUrl?: string;
  /** Use the Go toolchain's module download when `go` is installed (default true). */
  useGo?: boolean;
}

export function normalizeRelease(version: string): string {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version.trim());
  if (!m)
    throw new Error(`--kubernetes takes a release like 1.36.3, not ${JSON.stringify(version)}`);
  return `v${m[1]}.${m[2]}.${m[3]}`;
}

/** The spec of a Kubernetes release: from the cache, else the Go module download, else the release URL. */
export async function fromRelease(
  version: string,
  options: ReleaseOptions,
  progress: Progress,
): Promise<LoadedSpec> {
  const tag = normalizeRelease(version);
  const cached = join(options.cacheDir, "specs", tag, "swagger.json");
  const provenance = (text: string): LoadedSpec => ({
    text,
    provenance: {
      source: `Kubernetes release ${tag} (${SPEC_IN_RELEASE})`,
      kubernetesVersion: tag,
      sha256: sha256(text),
    },
  });
  try {
    return provenance(await readFile(cached, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }

  const errors: string[] = [];
  let text: string | undefined;
  if (!options.releaseUrl && options.useGo !== false) {
    try {
      text = await viaGoModule(tag, progress);
    } catch (error) {
      errors.push(`go module download: ${(error as Error).message}`);
    }
  }
  if (text === undefined) {
    const url = `${(options.releaseUrl ?? DEFAULT_RELEASE_URL).replace(/\/$/, "")}/${tag}/${SPEC_IN_RELEASE}`;
    try {
      text = decode(await download(url, progress), url);
    } catch (error) {
      errors.push(`download: ${(error as Error).message}`);
    }
  }
  if (text === undefined)
    throw new Error(`cannot obtain the spec of Kubernetes ${tag}:\n  ${errors.join("\n  ")}`);
  await mkdir(dirname(cached), { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, cached);
  return provenance(text);
}

async function viaGoModule(tag: string, progress: Progress): Promise<string> {
  progress(`fetching k8s.io/kubernetes@${tag} through the Go module proxy`);
  const run = promisify(execFile);
  const { stdout } = await run("go", ["mod", "download", "-json", `k8s.io/kubernetes@${tag}`], {
    cwd: tmpdir(),
    env: { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? "local", GOFLAGS: "-mod=mod" },
    maxBuffer: 16 * 1024 * 1024,
  });
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (info.Error || !info.Dir) throw new Error(info.Error ?? "no module directory reported");
  return readFile(join(info.Dir, SPEC_IN_RELEASE), "utf8");
}
