/**
 * A push-to-pull queue behind an async iterator: pushes never wait (the informer cannot slow the
 * server down), pulls wait for a push. An optional bound turns a loop that falls too far behind
 * into an error instead of unbounded memory.
 */
export interface EventsOptions {
  /** First an `add` event for every stored object, as an add handler registered late gets. */
  replay?: boolean;
  /**
   * Events that may wait for a slow loop (replayed ones aside); one more ends the iterator with an
   * `EventsOverflowError` once the waiting ones are taken. Default: no limit.
   */
  maxBuffered?: number;
}

export class EventsOverflowError extends Error {
  readonly maxBuffered: number;
  constructor(maxBuffered: number) {
    super(
      `the events() loop fell more than ${maxBuffered} events behind; later events were dropped ` +
        "(open a new iterator with { replay: true } to catch up from the store)",
    );
    this.name = "EventsOverflowError";
    this.maxBuffered = maxBuffered;
  }
}

export class EventFeed<E> implements AsyncIterableIterator<E> {
  private readonly buffer: E[];
  private head = 0;
  /** Index past the replayed events, which do not count against `maxBuffered`. */
  private replayEnd: number;
  /** A pull waiting for a push; it only waits on an empty buffer, so never for an overflow. */
  private waiting: ((result: IteratorResult<E>) => void) | undefined;
  private ended = false;
  private failure: EventsOverflowError | undefined;

  constructor(
    private readonly onClose: () => void,
    private readonly maxBuffered = Infinity,
    replay: E[] = [],
  ) {
    this.buffer = replay;
    this.replayEnd = replay.length;
  }

  push(event: E): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: event, done: false });
      return;
    }
    if (this.buffer.length - Math.max(this.head, this.replayEnd) >= this.maxBuffered) {
      // What is buffered is still delivered: a true prefix of the events, then the error.
      this.failure = new EventsOverflowError(this.maxBuffered);
      this.ended = true;
      this.onClose();
      return;
    }
    this.buffer.push(event);
  }

  /** No more events: the consumer drains what is buffered, then the loop ends. */
  end(): void {
    this.ended = true;
    if (this.waiting && this.head >= this.buffer.length) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<E>> {
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head++];
      if (this.head > 1024 && this.head * 2 > this.buffer.length) {
        this.buffer.splice(0, this.head);
        this.replayEnd = Math.max(0, this.replayEnd - this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** `break` out of a for-await loop: stop buffering for this consumer. */
  return(): Promise<IteratorResult<E>> {
    this.ended = true;
    this.failure = undefined;
    this.buffer.length = 0;
    this.head = 0;
    this.onClose();
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<E> {
    return this;
  }
}
