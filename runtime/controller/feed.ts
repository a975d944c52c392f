/** An unbounded push-to-pull queue behind an async iterator: pushes never wait, pulls wait for a push. */
export class EventFeed<E> implements AsyncIterableIterator<E> {
  private readonly buffer: E[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<E>) => void) | undefined;
  private ended = false;

  constructor(private readonly onClose: () => void) {}

  push(event: E): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: event, done: false });
    } else this.buffer.push(event);
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
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** `break` out of a for-await loop: stop buffering for this consumer. */
  return(): Promise<IteratorResult<E>> {
    this.ended = true;
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
