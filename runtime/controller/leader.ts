/**
 * Leader election over a coordination.k8s.io/v1 Lease, with client-go's semantics: candidates
 * poll every retryPeriod, a lease is free once its holder has not renewed it for its
 * leaseDuration (measured on the candidate's own clock from when it saw the last change), every
 * write carries the resourceVersion it read, and a leader that cannot renew within renewDeadline
 * stops leading before anyone else may start.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Client } from "../client.js";
import { isAlreadyExists, isConflict, isNotFound } from "../errors.js";
import { send } from "../request.js";
import { sleep } from "./backoff.js";

const LEASE_PATH = "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}";
const LEASES_PATH = "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases";

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  /** The Lease's name. */
  name: string;
  /** The Lease's namespace (default: the client's). */
  namespace?: string;
  /** This candidate's identity (default: hostname + random id). */
  identity?: string;
  /** How long a lease is honoured after its last renewal (default 15 000 ms). */
  leaseDurationMs?: number;
  /** A leader that has not renewed for this long stops leading (default 10 000 ms; < leaseDuration). */
  renewDeadlineMs?: number;
  /** How often candidates try to acquire and leaders renew (default 2 000 ms). */
  retryPeriodMs?: number;
  /** Called on becoming leader; `signal` aborts when leadership is lost or the election stops. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called after leading ends (lost, or stopped). */
  onStoppedLeading?: () => void;
  /** Called whenever the observed holder changes (including to this candidate). */
  onNewLeader?: (identity: string) => void;
  /** Failed Lease calls (they are retried every retryPeriod). */
  onError?: (error: unknown) => void;
  /** Give the lease up on stop, so a successor takes over within one retryPeriod (default true). */
  releaseOnStop?: boolean;
  /** Stops the election, like `stop()`. */
  signal?: AbortSignal;
}

export interface LeaderElection {
  readonly identity: string;
  readonly isLeader: boolean;
  /** The holder this candidate last observed ("" when none). */
  readonly leader: string;
  /** Stops leading (aborting its signal, awaiting onStartedLeading), releases the lease, stops campaigning. */
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits (the server rejects three). */
export function microTime(date: Date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function leaderElection(client: Client, options: LeaderElectionOptions): LeaderElection {
  const identity = options.identity ?? `${hostname()}_${randomUUID()}`;
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  if (renewDeadlineMs >= leaseDurationMs)
    throw new RangeError("renewDeadlineMs must be less than leaseDurationMs");
  if (retryPeriodMs >= renewDeadlineMs)
    throw new RangeError("retryPeriodMs must be less than renewDeadlineMs");
  const namespace = options.namespace ?? client.namespace;
  const ref = { namespace, name: options.name };
  const stopping = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([options.signal, stopping.signal])
    : stopping.signal;

  let leading = false;
  let observed: { holder: string; renewTime?: string; version?: string } = { holder: "" };
  let observedAt = 0;
  let lease: Lease | undefined;

  const observe = (next: Lease) => {
    lease = next;
    const holder = next.spec?.holderIdentity ?? "";
    const changed =
      holder !== observed.holder ||
      next.spec?.renewTime !== observed.renewTime ||
      next.metadata?.resourceVersion !== observed.version;
    if (changed) {
      observedAt = Date.now();
      if (holder !== observed.holder && holder) options.onNewLeader?.(holder);
      observed = {
        holder,
        renewTime: next.spec?.renewTime,
        version: next.metadata?.resourceVersion,
      };
    }
  };

  /** One client-go tryAcquireOrRenew. True when this candidate holds the lease afterwards. */
  const tryAcquireOrRenew = async (timeoutMs: number): Promise<boolean> => {
    const call = { signal, timeoutMs, retry: false as const };
    const now = microTime();
    let current: Lease;
    try {
      current = await send<Lease>(client, "GET", LEASE_PATH, ref, call);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const spec: LeaseSpec = {
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      };
      try {
        const body: Lease = {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: options.name },
          spec,
        };
        observe(await send<Lease>(client, "POST", LEASES_PATH, { namespace, body }, call));
        return true;
      } catch (createError) {
        if (isAlreadyExists(createError) || isConflict(createError)) return false;
        throw createError;
      }
    }
    observe(current);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(leaseDurationMs / 1000)) * 1000;
    if (holder && holder !== identity && observedAt + durationMs > Date.now()) return false;
    const mine = holder === identity;
    const next: LeaseSpec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      renewTime: now,
      acquireTime: mine ? (spec.acquireTime ?? now) : now,
      leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
    };
    try {
      // metadata.resourceVersion is what makes this a compare-and-swap.
      const body: Lease = { ...current, spec: next };
      observe(await send<Lease>(client, "PUT", LEASE_PATH, { ...ref, body }, call));
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  };

  const attempt = async (timeoutMs: number): Promise<boolean> => {
    try {
      return await tryAcquireOrRenew(timeoutMs);
    } catch (error) {
      if (!signal.aborted) options.onError?.(error);
      return false;
    }
  };

  const release = async () => {
    if (!lease || lease.spec?.holderIdentity !== identity) return;
    const now = microTime();
    const body: Lease = {
      ...lease,
      spec: {
        holderIdentity: "",
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: lease.spec?.leaseTransitions ?? 0,
      },
    };
    try {
      observe(
        await send<Lease>(
          client,
          "PUT",
          LEASE_PATH,
          { ...ref, body },
          { timeoutMs: retryPeriodMs, retry: false },
        ),
      );
    } catch (error) {
      // Someone else already holds it (conflict), or the server is away: the lease simply expires.
      options.onError?.(error);
    }
  };

  const lead = async () => {
    leading = true;
    const leadership = new AbortController();
    const stopLeading = () => leadership.abort();
    signal.addEventListener("abort", stopLeading, { once: true });
    let lastRenewStart = Date.now();
    const work = (async () => {
      try {
        await options.onStartedLeading(leadership.signal);
      } catch (error) {
        options.onError?.(error);
      }
    })();
    while (!signal.aborted) {
      await sleep(retryPeriodMs, signal);
      if (signal.aborted) break;
      const start = Date.now();
      const remaining = lastRenewStart + renewDeadlineMs - start;
      if (remaining > 0 && (await attempt(Math.min(remaining, retryPeriodMs)))) {
        lastRenewStart = start;
        continue;
      }
      if (
        Date.now() - lastRenewStart >= renewDeadlineMs ||
        (lease && lease.spec?.holderIdentity !== identity)
      )
        break;
    }
    // Stop acting as leader before anything else: the deadline is shorter than the lease.
    leading = false;
    leadership.abort();
    signal.removeEventListener("abort", stopLeading);
    await work;
    if (signal.aborted && (options.releaseOnStop ?? true)) await release();
    options.onStoppedLeading?.();
  };

  const run = async () => {
    while (!signal.aborted) {
      if (await attempt(retryPeriodMs)) {
        if (signal.aborted) {
          if (options.releaseOnStop ?? true) await release();
          break;
        }
        await lead();
        continue;
      }
      // Jittered so candidates do not march in step, and never past the moment the observed
      // lease expires: a dead leader is replaced leaseDuration after its last renewal was seen.
      let wait = retryPeriodMs * (0.9 + Math.random() * 0.1);
      const held = lease?.spec?.holderIdentity;
      if (held && held !== identity) {
        const expiresIn = observedAt + (lease?.spec?.leaseDurationSeconds ?? 0) * 1000 - Date.now();
        if (expiresIn > 0) wait = Math.min(wait, expiresIn + 10);
      }
      await sleep(wait, signal);
    }
  };

  const done = run();
  return {
    identity,
    get isLeader() {
      return leading;
    },
    get leader() {
      return observed.holder;
    },
    stop: () => {
      stopping.abort();
      return done;
    },
    done,
  };
}
