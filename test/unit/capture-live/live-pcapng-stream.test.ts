import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { PcapngStreamReader, type PcapngStreamEvent } from '../../../src/capture/live-pcapng-stream';

/** A minimal pcapng writer for tests, in either byte order. */
class Writer {
  constructor(private readonly le = true) {}
  private u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    this.le ? b.writeUInt16LE(v) : b.writeUInt16BE(v);
    return b;
  }
  private u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    this.le ? b.writeUInt32LE(v) : b.writeUInt32BE(v);
    return b;
  }
  private u64(v: bigint): Buffer {
    const b = Buffer.alloc(8);
    this.le ? b.writeBigUInt64LE(v) : b.writeBigUInt64BE(v);
    return b;
  }
  opt(code: number, value: Buffer): Buffer {
    const pad = Buffer.alloc((4 - (value.length % 4)) % 4);
    return Buffer.concat([this.u16(code), this.u16(value.length), value, pad]);
  }
  block(type: number, body: Buffer): Buffer {
    const len = 12 + body.length;
    return Buffer.concat([this.u32(type), this.u32(len), body, this.u32(len)]);
  }
  shb(): Buffer {
    return this.block(0x0a0d0d0a, Buffer.concat([this.u32(0x1a2b3c4d), this.u16(1), this.u16(0), Buffer.alloc(8, 0xff)]));
  }
  idb(linkType: number, snaplen: number, opts: Buffer[] = []): Buffer {
    const end = opts.length ? [this.opt(0, Buffer.alloc(0))] : [];
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(snaplen), ...opts, ...end]));
  }
  tsresol(v: number): Buffer {
    return this.opt(9, Buffer.from([v]));
  }
  tsoffset(sec: bigint): Buffer {
    return this.opt(14, this.u64(sec));
  }
  epb(ifId: number, ticks: bigint, data: Buffer, origLen = data.length, caplen = data.length): Buffer {
    const pad = Buffer.alloc((4 - (data.length % 4)) % 4);
    return this.block(6, Buffer.concat([
      this.u32(ifId), this.u32(Number(ticks >> 32n)), this.u32(Number(ticks & 0xffffffffn)),
      this.u32(caplen), this.u32(origLen), data, pad,
    ]));
  }
  isb(ifId: number, counters: [number, bigint][]): Buffer {
    return this.block(5, Buffer.concat([
      this.u32(ifId), this.u32(0), this.u32(0),
      this.opt(1, Buffer.from('Counters provided by dumpcap')),
      ...counters.map(([code, v]) => this.opt(code, this.u64(v))),
      this.opt(0, Buffer.alloc(0)),
    ]));
  }
}

const plain = (evs: PcapngStreamEvent[]): unknown[] =>
  evs.map((e) => (e.kind === 'packet' ? { ...e, data: Buffer.from(e.data).toString('hex') } : e));

function readAll(bytes: Buffer, chunk = bytes.length): PcapngStreamEvent[] {
  const r = new PcapngStreamReader();
  const out: PcapngStreamEvent[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...r.push(bytes.subarray(i, i + chunk)));
  return out;
}

describe('PcapngStreamReader', () => {
  for (const le of [true, false]) {
    it(`reads a dumpcap-like stream (${le ? 'little' : 'big'} endian), whole or byte by byte`, () => {
      const w = new Writer(le);
      const frame = Buffer.from('00000000000000000000000008004500', 'hex');
      const stream = Buffer.concat([
        w.shb(),
        w.idb(1, 262144, [w.opt(2, Buffer.from('lo')), w.tsresol(9)]),
        w.epb(0, 1_795_261_350_591_855_618n, frame),
        w.block(0x0bad, Buffer.alloc(8)),   // unknown block: skipped
        w.epb(0, 1_795_261_350_591_866_038n, frame.subarray(0, 13), 74),
        w.isb(0, [[4, 1234n], [5, 7n], [7, 2n]]),
      ]);
      const want = [
        { kind: 'interface', interfaceId: 0, linkType: 1, snaplen: 262144, nanoTimestamps: true },
        { kind: 'packet', interfaceId: 0, tsNs: 1_795_261_350_591_855_618n, data: frame.toString('hex'), origLen: 16 },
        { kind: 'packet', interfaceId: 0, tsNs: 1_795_261_350_591_866_038n, data: frame.subarray(0, 13).toString('hex'), origLen: 74 },
        { kind: 'stats', interfaceId: 0, ifRecv: 1234n, ifDrop: 7n, osDrop: 2n },
      ];
      assert.deepEqual(plain(readAll(stream)), want);
      assert.deepEqual(plain(readAll(stream, 1)), want);
      assert.deepEqual(plain(readAll(stream, 7)), want);
    });
  }

  const clocks: [string, Buffer[], bigint, bigint, boolean][] = [
    ['no if_tsresol: microseconds', [], 1_500_000n, 1_500_000_000n, false],
    ['10^-3', [new Writer().tsresol(3)], 5n, 5_000_000n, false],
    ['10^-9', [new Writer().tsresol(9)], 123n, 123n, true],
    ['10^-12: rounded down to ns', [new Writer().tsresol(12)], 1_234_567n, 1_234n, true],
    ['2^-20', [new Writer().tsresol(0x80 | 20)], 1n << 20n, 1_000_000_000n, false],
    ['2^-30', [new Writer().tsresol(0x80 | 30)], 1n << 30n, 1_000_000_000n, true],
    ['if_tsoffset 100 s', [new Writer().tsresol(6), new Writer().tsoffset(100n)], 1n, 100_000_001_000n, false],
  ];
  for (const [name, opts, ticks, ns, nano] of clocks) {
    it(`timestamps: ${name}`, () => {
      const w = new Writer();
      const evs = readAll(Buffer.concat([w.shb(), w.idb(1, 65535, opts), w.epb(0, ticks, Buffer.from([1, 2, 3]))]));
      assert.equal(evs[0]?.kind === 'interface' && evs[0].nanoTimestamps, nano);
      assert.equal(evs[1]?.kind === 'packet' && evs[1].tsNs, ns);
    });
  }

  const w = new Writer();
  const bad: [string, Buffer, RegExp][] = [
    ['no section header first', Buffer.concat([w.idb(1, 65535)]), /does not start with a section header/],
    ['unknown byte-order magic', Buffer.concat([w.block(0x0a0d0d0a, Buffer.alloc(16))]), /byte-order magic/],
    ['length not a multiple of 4', (() => { const b = Buffer.concat([w.shb(), w.idb(1, 65535)]); b.writeUInt32LE(21, w.shb().length + 4); return b; })(), /length 21/],
    ['trailing length differs', (() => { const b = Buffer.concat([w.shb(), w.idb(1, 65535)]); b.writeUInt32LE(999, b.length - 4); return b; })(), /trailing length/],
    ['packet longer than its block', Buffer.concat([w.shb(), w.idb(1, 65535), w.epb(0, 1n, Buffer.from([1, 2, 3, 4]), 4, 400)]), /longer than its block/],
    ['packet for an undeclared interface', Buffer.concat([w.shb(), w.idb(1, 65535), w.epb(1, 1n, Buffer.from([1]))]), /undeclared interface 1/],
    ['a new section forgets interfaces', Buffer.concat([w.shb(), w.idb(1, 65535), w.shb(), w.epb(0, 1n, Buffer.from([1]))]), /undeclared interface 0/],
  ];
  for (const [name, bytes, reason] of bad) {
    it(`malformed: ${name} -> one bad event, then nothing`, () => {
      const r = new PcapngStreamReader();
      const evs = r.push(bytes);
      const last = evs.at(-1);
      assert.equal(last?.kind, 'bad');
      assert.match(last?.kind === 'bad' ? last.reason : '', reason);
      assert.deepEqual(r.push(Buffer.concat([w.shb(), w.idb(1, 65535)])), []);
    });
  }

  it('a partial block waits for the rest; packet bytes stay intact after later chunks', () => {
    const stream = Buffer.concat([w.shb(), w.idb(1, 65535), w.epb(0, 1n, Buffer.from('abcdef')), w.epb(0, 2n, Buffer.from('ghijkl'))]);
    const r = new PcapngStreamReader();
    const cut = stream.length - 10;
    const first = r.push(Buffer.from(stream.subarray(0, cut)));
    assert.deepEqual(first.map((e) => e.kind), ['interface', 'packet']);
    const second = r.push(Buffer.from(stream.subarray(cut)));
    assert.deepEqual(second.map((e) => e.kind), ['packet']);
    assert.equal(first[1]?.kind === 'packet' && Buffer.from(first[1].data).toString(), 'abcdef');
    assert.equal(second[0]?.kind === 'packet' && Buffer.from(second[0].data).toString(), 'ghijkl');
  });
});
