/** SPDY/3.1 framing for the port-forward tunnel: header blocks, frame parsing at any split, control frames. */
import { inflateSync, constants } from "node:zlib";
import { describe, expect, it } from "vitest";
import { dataFrame, headerBlock, MAX_DATA_FRAME, SpdySession } from "../../runtime/streams/spdy.js";

const control = (type: number, flags: number, body: number[]) => {
  const b = Buffer.alloc(8 + body.length);
  b.writeUInt16BE(0x8003, 0);
  b.writeUInt16BE(type, 2);
  b.writeUInt32BE(body.length, 4);
  b[4] = flags;
  Buffer.from(body).copy(b, 8);
  return b;
};
const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

function recorder() {
  const sent: Buffer[] = [];
  const session = new SpdySession((bytes, done) => {
    sent.push(bytes);
    done();
  });
  const log: string[] = [];
  const events = (name: string) => ({
    data: (c: Buffer) => (log.push(`${name} data ${c.toString()}`), true),
    end: () => void log.push(`${name} end`),
    reset: (r: string) => void log.push(`${name} reset ${r}`),
  });
  return { sent, session, log, events };
}

describe("SPDY header blocks", () => {
  it("are one zlib stream across frames that any inflater reads back", () => {
    const first = headerBlock({ streamType: "error", port: "8080", requestID: "0" }, true);
    const second = headerBlock({ streamtype: "data", port: "8080", requestid: "0" }, false);
    const out = inflateSync(Buffer.concat([first, second]), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    const expected = (pairs: [string, string][]) =>
      Buffer.concat([
        Buffer.from(u32(pairs.length)),
        ...pairs.flatMap(([n, v]) => [
          Buffer.from(u32(n.length)),
          Buffer.from(n),
          Buffer.from(u32(v.length)),
          Buffer.from(v),
        ]),
      ]);
    expect(out).toEqual(
      Buffer.concat([
        // Names go lower-case, as SPDY requires.
        expected([
          ["streamtype", "error"],
          ["port", "8080"],
          ["requestid", "0"],
        ]),
        expected([
          ["streamtype", "data"],
          ["port", "8080"],
          ["requestid", "0"],
        ]),
      ]),
    );
  });
});

describe("SpdySession", () => {
  it("opens client streams with odd ids, SYN_STREAM first, and half-closes with an empty FIN frame", () => {
    const { sent, session, events } = recorder();
    const a = session.open({ streamtype: "error" }, events("a"));
    const b = session.open({ streamtype: "data" }, events("b"));
    session.end(a);
    expect([a, b]).toEqual([1, 3]);
    expect(sent[0].readUInt16BE(0)).toBe(0x8003);
    expect(sent[0].readUInt16BE(2)).toBe(1);
    expect(sent[0].readUInt32BE(8)).toBe(1);
    expect(sent[1].readUInt32BE(8)).toBe(3);
    expect([...sent[2]]).toEqual([0, 0, 0, 1, 1, 0, 0, 0]);
  });

  it("splits large writes into frames of at most MAX_DATA_FRAME bytes", () => {
    const { sent, session, events } = recorder();
    const id = session.open({}, events("s"));
    sent.length = 0;
    let done = 0;
    session.write(id, [Buffer.alloc(MAX_DATA_FRAME + 10, 1), Buffer.alloc(5, 2)], () => done++);
    expect(done).toBe(1);
    expect(sent.map((f) => f.readUIntBE(5, 3))).toEqual([MAX_DATA_FRAME, 15]);
    expect(sent.every((f) => f.readUInt32BE(0) === id)).toBe(true);
  });

  it("reads the same frames whatever way the transport splits them", () => {
    const stream = Buffer.concat([
      control(2, 0, [...u32(1), 0x78, 0x01]),
      dataFrame(1, [Buffer.from("hello ")]),
      dataFrame(3, [Buffer.from("elsewhere")]),
      dataFrame(1, [Buffer.from("world")], true),
    ]);
    for (let split = 1; split < stream.length; split++) {
      const { session, log, events } = recorder();
      session.open({}, events("one"));
      session.open({}, events("three"));
      session.receive(stream.subarray(0, split));
      session.receive(stream.subarray(split));
      // A frame cut by the transport arrives in pieces; joined, each stream's data is the same.
      const joined = log
        .join("|")
        .replace(/(one|three) data ([^|]*)\|\1 data /g, "$1 data $2")
        .replace(/(one|three) data ([^|]*)\|\1 data /g, "$1 data $2");
      expect(joined, `split at ${split}`).toBe(
        "one data hello |three data elsewhere|one data world|one end",
      );
    }
  });

  it("answers server pings, reports resets and ends every stream on GOAWAY", () => {
    const { sent, session, log, events } = recorder();
    session.open({}, events("one"));
    session.open({}, events("three"));
    sent.length = 0;
    session.receive(control(6, 0, u32(2)));
    session.receive(control(6, 0, u32(1)));
    expect(sent).toEqual([control(6, 0, u32(2))]);
    session.receive(control(3, 0, [...u32(3), ...u32(3)]));
    session.receive(control(7, 0, [...u32(0), ...u32(0)]));
    expect(log).toEqual(["three reset REFUSED_STREAM", "one end"]);
  });

  it("tells the transport to pause when a stream's reader is full", () => {
    const { session } = recorder();
    session.open({}, { data: () => false, end: () => {}, reset: () => {} });
    expect(session.receive(dataFrame(1, [Buffer.from("x")]))).toBe(false);
  });

  it("resets one stream with RST_STREAM CANCEL and drops what still comes for it", () => {
    const { sent, session, log, events } = recorder();
    session.open({}, events("one"));
    session.open({}, events("three"));
    sent.length = 0;
    session.reset(1);
    session.reset(1);
    expect(sent).toEqual([control(3, 0, [...u32(1), ...u32(5)])]);
    session.receive(dataFrame(1, [Buffer.from("late")]));
    session.receive(dataFrame(3, [Buffer.from("on")]));
    expect(log).toEqual(["three data on"]);
  });
});
