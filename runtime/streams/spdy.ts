/**
 * The client side of SPDY/3.1 as kube-apiserver tunnels it inside a WebSocket for port-forward
 * (`SPDY/3.1+portforward.k8s.io`, what kubectl uses): streams opened by the client, data frames
 * with half-close (FIN), resets, pings answered, everything else ignored. The kubelet's SPDY peer
 * (moby/spdystream) does no flow control, so neither does this. Header blocks are sent as
 * uncompressed ("stored") deflate blocks, which every zlib reader accepts, so no compressor is
 * needed; the server's header blocks are skipped unread (port-forward replies carry nothing).
 */

const VERSION = 3;
const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;
const SYNC_FLUSH = Buffer.from([0, 0, 0, 0xff, 0xff]);
/** Largest data frame sent; spdystream accepts up to 2^24 - 1 and allocates each one whole. */
export const MAX_DATA_FRAME = 1024 * 1024;

const RST_REASONS: Record<number, string> = {
  1: "PROTOCOL_ERROR",
  2: "INVALID_STREAM",
  3: "REFUSED_STREAM",
  4: "UNSUPPORTED_VERSION",
  5: "CANCEL",
  6: "INTERNAL_ERROR",
  7: "FLOW_CONTROL_ERROR",
  8: "STREAM_IN_USE",
  9: "STREAM_ALREADY_CLOSED",
  11: "FRAME_TOO_LARGE",
};

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + payload.length);
  out.writeUInt16BE(0x8000 | VERSION, 0);
  out.writeUInt16BE(type, 2);
  out.writeUInt32BE(payload.length, 4);
  out[4] = flags;
  payload.copy(out, 8);
  return out;
}

/** A data frame for `streamId` carrying `chunks` (copied once, behind the 8-byte header). */
export function dataFrame(streamId: number, chunks: readonly Uint8Array[], fin = false): Buffer {
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = Buffer.allocUnsafe(8 + size);
  out.writeUInt32BE(streamId & 0x7fffffff, 0);
  out.writeUInt32BE(size, 4);
  out[4] = fin ? FLAG_FIN : 0;
  let at = 8;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The name/value block of SYN_STREAM, as zlib data made of stored blocks (`first` adds the zlib header). */
export function headerBlock(headers: Record<string, string>, first: boolean): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(value);
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  const raw = Buffer.concat(parts);
  if (raw.length > 0xffff) throw new RangeError("SPDY header block too large");
  // zlib header 78 01 (deflate, no dictionary: stored blocks refer to nothing), one stored
  // non-final block, then an empty one, which is what a sync flush writes: it makes the reader
  // hand out the block now. The stream stays open for the next header block, as SPDY's zlib
  // context does.
  const stored = Buffer.allocUnsafe(5);
  stored[0] = 0;
  stored.writeUInt16LE(raw.length, 1);
  stored.writeUInt16LE(~raw.length & 0xffff, 3);
  return Buffer.concat([
    first ? Buffer.from([0x78, 0x01]) : Buffer.alloc(0),
    stored,
    raw,
    SYNC_FLUSH,
  ]);
}

export interface SpdyStreamEvents {
  /** Data from the server; returning false asks the session to stop reading. */
  data(chunk: Buffer): boolean;
  /** The server will send no more (FIN). */
  end(): void;
  /** The server reset the stream. */
  reset(reason: string): void;
}

/**
 * A SPDY session over a byte transport (the tunnel's WebSocket messages, which do not align with
 * frames). `send` writes bytes with backpressure; `pause`/`resume` control the transport.
 */
export class SpdySession {
  private nextId = 1;
  private headerStarted = false;
  private readonly streams = new Map<number, SpdyStreamEvents>();
  // The frame being read: its 8-byte header, then the body bytes still to come.
  private readonly head = Buffer.alloc(8);
  private headLength = 0;
  private bodyLeft = 0;
  private controlBody: Buffer[] | undefined;
  private dataStream: SpdyStreamEvents | undefined;
  constructor(
    private readonly send: (bytes: Buffer, done: (error?: Error | null) => void) => void,
  ) {}

  /** Opens a stream with `headers`; with `fin`, the client sends nothing on it. */
  open(headers: Record<string, string>, events: SpdyStreamEvents, fin = false): number {
    const id = this.nextId;
    this.nextId += 2;
    const block = headerBlock(headers, !this.headerStarted);
    this.headerStarted = true;
    const head = Buffer.allocUnsafe(10);
    head.writeUInt32BE(id, 0);
    head.writeUInt32BE(0, 4); // associated-to stream: none
    head.writeUInt16BE(0, 8); // priority 0, slot 0
    this.streams.set(id, events);
    this.send(controlFrame(SYN_STREAM, fin ? FLAG_FIN : 0, Buffer.concat([head, block])), () => {});
    return id;
  }

  /** Sends `chunks` on stream `id`, split into frames of at most MAX_DATA_FRAME bytes. */
  write(id: number, chunks: readonly Uint8Array[], done: (error?: Error | null) => void): void {
    const frames: Buffer[] = [];
    let batch: Uint8Array[] = [];
    let size = 0;
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.length;) {
        const part = chunk.subarray(at, at + (MAX_DATA_FRAME - size));
        batch.push(part);
        size += part.length;
        at += part.length;
        if (size === MAX_DATA_FRAME) {
          frames.push(dataFrame(id, batch));
          batch = [];
          size = 0;
        }
      }
    }
    if (size) frames.push(dataFrame(id, batch));
    if (frames.length === 0) return done();
    for (let i = 0; i < frames.length - 1; i++) this.send(frames[i], () => {});
    this.send(frames[frames.length - 1], done);
  }

  /** Half-closes stream `id`: the server reads end of input. */
  end(id: number, done: (error?: Error | null) => void = () => {}): void {
    this.send(dataFrame(id, [], true), done);
  }

  /**
   * Feeds bytes from the transport (frames do not align with its messages); returns false when a
   * stream asked to stop reading. Data is handed on as slices of `bytes`, never copied.
   */
  receive(bytes: Buffer): boolean {
    let flowing = true;
    let at = 0;
    while (at < bytes.length) {
      if (this.headLength < 8) {
        const n = Math.min(8 - this.headLength, bytes.length - at);
        bytes.copy(this.head, this.headLength, at, at + n);
        this.headLength += n;
        at += n;
        if (this.headLength < 8) break;
        this.bodyLeft = this.head.readUIntBE(5, 3);
        this.controlBody = this.head[0] & 0x80 ? [] : undefined;
        this.dataStream = this.controlBody
          ? undefined
          : this.streams.get(this.head.readUInt32BE(0) & 0x7fffffff);
      }
      const n = Math.min(this.bodyLeft, bytes.length - at);
      if (n > 0) {
        const part = bytes.subarray(at, at + n);
        at += n;
        this.bodyLeft -= n;
        if (this.controlBody) this.controlBody.push(part);
        else if (this.dataStream && !this.dataStream.data(part)) flowing = false;
      }
      if (this.bodyLeft === 0) this.frameDone();
    }
    return flowing;
  }

  private frameDone(): void {
    const flags = this.head[4];
    if (this.controlBody)
      this.control(this.head.readUInt16BE(2), flags, Buffer.concat(this.controlBody));
    else if (this.dataStream && flags & FLAG_FIN) this.dataStream.end();
    this.headLength = 0;
    this.controlBody = undefined;
    this.dataStream = undefined;
  }

  /** Forgets stream `id` (both sides are done with it). */
  forget(id: number): void {
    this.streams.delete(id);
  }

  /** Abandons stream `id` (RST_STREAM, CANCEL): the server drops it, other streams go on. */
  reset(id: number): void {
    if (!this.streams.delete(id)) return;
    const body = Buffer.allocUnsafe(8);
    body.writeUInt32BE(id, 0);
    body.writeUInt32BE(5, 4);
    this.send(controlFrame(RST_STREAM, 0, body), () => {});
  }

  private control(type: number, flags: number, body: Buffer): void {
    switch (type) {
      case SYN_REPLY: {
        const stream = this.streams.get(body.readUInt32BE(0) & 0x7fffffff);
        if (stream && flags & FLAG_FIN) stream.end();
        break;
      }
      case RST_STREAM: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const code = body.readUInt32BE(4);
        this.streams.get(id)?.reset(RST_REASONS[code] ?? `status ${code}`);
        this.streams.delete(id);
        break;
      }
      case PING:
        // Server pings carry even ids; answering with the same frame is the whole protocol.
        if ((body.readUInt32BE(0) & 1) === 0) this.send(controlFrame(PING, 0, body), () => {});
        break;
      case GOAWAY:
        // The server closes the session (spdystream says GOAWAY when it closes): streams end.
        for (const stream of this.streams.values()) stream.end();
        this.streams.clear();
        break;
      // SETTINGS, HEADERS, WINDOW_UPDATE: nothing port-forward needs.
    }
  }
}
