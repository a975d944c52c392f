/** What an informer reports about itself: failures it survived, its state and its counters. */

export type InformerPhase = "list" | "watch" | "handler";

/** A failure the informer survived; `retryInMs` says when it tries again (absent for handler errors). */
export class InformerError extends Error {
  readonly phase: InformerPhase;
  readonly retryInMs: number | undefined;
  override readonly cause: unknown;
  constructor(message: string, phase: InformerPhase, cause: unknown, retryInMs?: number) {
    super(message);
    this.name = "InformerError";
    this.phase = phase;
    this.cause = cause;
    this.retryInMs = retryInMs;
  }
}

export type InformerState = "starting" | "listing" | "watching" | "backoff" | "stopped";

export interface InformerHealth {
  state: InformerState;
  synced: boolean;
  /** Failures since the last event; 0 when healthy. */
  consecutiveFailures: number;
  lastError?: InformerError;
  lastErrorAt?: Date;
}

export interface InformerStats {
  /** Initial lists and relists (a streaming list counts as one). */
  lists: number;
  /** Watch connections opened (streaming lists included). */
  watches: number;
  /** 410 Gone answers: the watch or list position had expired. */
  gone: number;
  /** Events delivered to handlers, resyncs excluded. */
  events: number;
  errors: number;
}
