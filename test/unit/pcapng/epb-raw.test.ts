/**
 * writeEpbRaw (the two-thread writer's hot path: raw timestamp words, a place in a read buffer, a prebuilt
 * option list) must give the same bytes as writeEpb with the same facts: every length modulo 4, blocks
 * bigger than a chunk, chunks that fill up mid-way, comments with and without multi-byte characters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PcapngChunkEncoder, type RawPacket } from '../../../src/pcapng/chunk-encoder';
import { commentOptionList } from '../../../src/pcapng/encode';

function encodeAll(chunkBytes: number, write: (e: PcapngChunkEncoder) => void): Buffer {
  const parts: Buffer[] = [];
  const e = new PcapngChunkEncoder((bytes) => parts.push(Buffer.from(bytes)), { chunkBytes });
  write(e);
  e.flush();
  return Buffer.concat(parts);
}

function packetAt(ifaceId: number, tsHigh: number, tsLow: number, buffer: Uint8Array, offset: number, capLen: number, origLen: number): RawPacket {
  return { ifaceId, tsHigh, tsLow, buffer, offset, capLen, origLen };
}

test('writeEpbRaw writes what writeEpb writes', () => {
  const source = new Uint8Array(3 << 20);
  for (let i = 0; i < source.length; i++) source[i] = (i * 7 + 3) & 0xff;
  const texts = ['', 'ftpflow role=control session=1', 'ftpflow role=data session=7 arg="pub/fïle ☃.iso"', 'x'.repeat(70_000)];
  const lengths = [0, 1, 2, 3, 4, 5, 60, 1514, 9000, 2_100_000];
  const stamps: [number, number][] = [[0, 0], [0x0006_1a2b, 0x3c4d_5e6f], [0xffff_ffff, 0xffff_ffff]];
  for (const chunkBytes of [64 * 1024, 1 << 20]) {
    for (const text of texts) {
      const list = commentOptionList(text);
      const raw = encodeAll(chunkBytes, (e) => {
        let at = 5;
        for (const len of lengths) for (const [hi, lo] of stamps) {
          e.writeEpbRaw(packetAt(3, hi, lo, source, at, len, len + 17), list);
          at = (at + 11) % 1000;
        }
      });
      const plain = encodeAll(chunkBytes, (e) => {
        let at = 5;
        for (const len of lengths) for (const [hi, lo] of stamps) {
          const ticks = (BigInt(hi) << 32n) | BigInt(lo);
          e.writeEpb(3, ticks, source.subarray(at, at + len), len + 17, null, text === '' ? [] : [text]);
          at = (at + 11) % 1000;
        }
      });
      assert.equal(raw.length, plain.length, `chunk ${chunkBytes}, text ${text.slice(0, 20)}`);
      assert.ok(raw.equals(plain), `chunk ${chunkBytes}, text ${text.slice(0, 20)}: bytes differ`);
    }
  }
});

test('writeEpbRaw from a read buffer in the chunk\'s own ArrayBuffer (copyWithin) writes the same bytes', () => {
  const texts = ['', 'ftpflow role=data session=7 arg="pub/fïle ☃.iso"'];
  const lengths = [0, 1, 3, 4, 5, 60, 1514, 9000, 70_000];
  const sourceBytes = 200_000;
  for (const chunkBytes of [64 * 1024, 256 * 1024]) {
    // The chunk at a 4-aligned offset and at an odd one (no word view), the read buffer behind it.
    for (const chunkAt of [8, 3]) {
      const arena = new ArrayBuffer(chunkAt + chunkBytes + 5 + sourceBytes);
      const chunk = Buffer.from(arena, chunkAt, chunkBytes);
      const source = new Uint8Array(arena, chunkAt + chunkBytes + 5, sourceBytes);
      for (let i = 0; i < source.length; i++) source[i] = (i * 13 + 1) & 0xff;
      const apart = Uint8Array.from(source);
      for (const text of texts) {
        const list = commentOptionList(text);
        const writeAll = (e: PcapngChunkEncoder, from: Uint8Array): void => {
          let at = 7;
          for (const len of lengths) {
            e.writeEpbRaw(packetAt(1, 0x0006_1a2b, 0x3c4d_5e6f, from, at, len, len + 2), list);
            at = (at + 29) % 1000;
          }
        };
        const parts: Buffer[] = [];
        const shared = new PcapngChunkEncoder((bytes) => parts.push(Buffer.from(bytes)), { chunk });
        writeAll(shared, source);
        shared.flush();
        const separate = encodeAll(chunkBytes, (e) => writeAll(e, apart));
        const label = `chunk ${chunkBytes} at ${chunkAt}, text ${text.slice(0, 20)}`;
        assert.ok(Buffer.concat(parts).equals(separate), `${label}: bytes differ`);
      }
    }
  }
});

test('writeEpbRaw switching between read buffers in and out of the chunk\'s ArrayBuffer copies from the right one', () => {
  const chunkBytes = 128 * 1024;
  const arena = new ArrayBuffer(chunkBytes + 2 * 50_000);
  const chunk = Buffer.from(arena, 0, chunkBytes);
  const inFirst = new Uint8Array(arena, chunkBytes, 50_000);
  const inSecond = new Uint8Array(arena, chunkBytes + 50_000, 50_000);
  const outside = new Uint8Array(50_000);
  inFirst.forEach((_, i) => { inFirst[i] = (i * 3) & 0xff; });
  inSecond.forEach((_, i) => { inSecond[i] = (i * 5 + 1) & 0xff; });
  outside.forEach((_, i) => { outside[i] = (i * 11 + 2) & 0xff; });
  const order = [inFirst, outside, inSecond, inSecond, inFirst, outside, outside, inSecond, inFirst];
  const list = commentOptionList('ftpflow role=control session=2');
  const writeAll = (e: PcapngChunkEncoder, pick: (b: Uint8Array) => Uint8Array): void => {
    // Enough packets to fill the chunk a few times: the cached source must survive flushes too.
    for (let i = 0; i < 400; i++) e.writeEpbRaw(packetAt(0, 1, i, pick(order[i % order.length]!), (i * 37) % 40_000, 1000 + (i % 7), 1100), list);
  };
  const parts: Buffer[] = [];
  const shared = new PcapngChunkEncoder((bytes) => parts.push(Buffer.from(bytes)), { chunk });
  writeAll(shared, (b) => b);
  shared.flush();
  const copies = new Map<Uint8Array, Uint8Array>(order.map((b) => [b, Uint8Array.from(b)]));
  const separate = encodeAll(chunkBytes, (e) => writeAll(e, (b) => copies.get(b)!));
  assert.ok(Buffer.concat(parts).equals(separate), 'bytes differ');
});
