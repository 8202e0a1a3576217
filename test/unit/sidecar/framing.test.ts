import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameReader, type FrameEvent } from '../../../src/sidecar/framing';

const bytes = (...b: number[]) => Buffer.from(b);
const payloads = (events: FrameEvent[]) => events.map((e) => (e.kind === 'frame' ? e.payload.toString('hex') : `bad:${e.why}`));

test('framing: the varint prefix at its boundaries', () => {
  const cases: [number, string][] = [
    [0, '00'], [1, '01'], [127, '7f'], [128, '8001'], [300, 'ac02'], [16383, 'ff7f'], [16384, '808001'], [1048576, '808040'],
  ];
  for (const [len, prefix] of cases) {
    const f = encodeFrame(Buffer.alloc(len, 0xab));
    assert.equal(f.subarray(0, prefix.length / 2).toString('hex'), prefix, `length ${len}`);
    assert.equal(f.length, prefix.length / 2 + len);
    const r = new FrameReader(2 * 1024 * 1024);
    const ev = r.push(f);
    assert.equal(ev.length, 1);
    assert.ok(ev[0]!.kind === 'frame' && ev[0]!.payload.length === len);
    assert.equal(r.bufferedBytes, 0);
  }
});

test('framing: one byte at a time gives each frame exactly once, only when whole', () => {
  const stream = Buffer.concat([encodeFrame(bytes(1, 2, 3)), encodeFrame(Buffer.alloc(200, 7)), encodeFrame(bytes()), encodeFrame(bytes(9))]);
  const r = new FrameReader(1024);
  const got: FrameEvent[] = [];
  const whenComplete: number[] = [];
  for (let i = 0; i < stream.length; i++) {
    const ev = r.push(stream.subarray(i, i + 1));
    if (ev.length > 0) whenComplete.push(i);
    got.push(...ev);
  }
  assert.deepEqual(payloads(got), ['010203', '07'.repeat(200), '', '09']);
  assert.deepEqual(whenComplete, [3, 3 + 202, 3 + 202 + 1, stream.length - 1]);
});

test('framing: many frames in one chunk, and a frame split across chunks', () => {
  const a = encodeFrame(bytes(0xaa));
  const b = encodeFrame(Buffer.alloc(300, 0xbb));
  const r = new FrameReader(1024);
  const first = r.push(Buffer.concat([a, a, b.subarray(0, 5)]));
  assert.deepEqual(payloads(first), ['aa', 'aa']);
  assert.equal(r.bufferedBytes, 5);
  assert.deepEqual(payloads(r.push(b.subarray(5))), ['bb'.repeat(300)]);
});

test('framing: a truncated frame yields nothing (never a partial message)', () => {
  const r = new FrameReader(1024);
  const f = encodeFrame(Buffer.alloc(50, 1));
  assert.deepEqual(r.push(f.subarray(0, 30)), []);
  assert.equal(r.bufferedBytes, 30);
});

test('framing: an oversized length is refused as soon as the prefix is read, and the reader stays broken', () => {
  const r = new FrameReader(1000);
  const ev = r.push(bytes(0xe9, 0x07)); // 1001
  assert.equal(ev.length, 1);
  assert.ok(ev[0]!.kind === 'bad' && ev[0]!.tooLarge);
  assert.match((ev[0] as { why: string }).why, /1001 bytes is over the 1000-byte limit/);
  assert.deepEqual(r.push(encodeFrame(bytes(1))), [], 'nothing after a broken stream');
  assert.equal(r.bufferedBytes, 0);
});

test('framing: exactly the limit is accepted', () => {
  const r = new FrameReader(1000);
  const ev = r.push(encodeFrame(Buffer.alloc(1000)));
  assert.equal(ev[0]!.kind, 'frame');
});

test('framing: a prefix longer than 5 bytes is garbage, frames before it still count', () => {
  const r = new FrameReader(1 << 30);
  const ev = r.push(Buffer.concat([encodeFrame(bytes(5)), bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)]));
  assert.deepEqual(payloads(ev), ['05', 'bad:frame length prefix longer than 5 bytes']);
});
