/**
 * Ends a watch that has gone quiet for too long. A connection that dies without a FIN or RST (a
 * partition, a NAT that forgot it, a stalled proxy) never ends the stream on its own; TCP
 * keepalive would notice only after minutes, and until then an informer would stop silently.
 */
export class IdleWatchdog {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  /** Aborts when the parent does, or when nothing arrived for `limitMs`. */
  readonly signal: AbortSignal;

  constructor(parent: AbortSignal, limitMs: number, what: string) {
    this.signal = AbortSignal.any([parent, this.controller.signal]);
    this.timer = setTimeout(() => {
      this.controller.abort(
        new Error(`${what}: nothing arrived for ${limitMs} ms; the connection is presumed dead`),
      );
    }, limitMs);
    this.timer.unref();
  }

  /** Something arrived: the connection is alive. */
  touch(): void {
    this.timer.refresh();
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/** Like client-go: a random server-side timeout between 5 and 10 minutes spreads reconnects. */
export function watchTimeoutSeconds(): number {
  return 300 + Math.floor(Math.random() * 300);
}
