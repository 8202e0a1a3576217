import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counters } from '../../../src/core/counters';
import { DirectionReassembler, DEFAULT_REASSEMBLY_LIMITS, type ByteSink, type ReassemblyLimits } from '../../../src/reassembly/direction';

/** Records what a direction delivers: text per chunk with its frame, and gaps as "<gap N>". */
class Recorder implements ByteSink {
  out: string[] = [];
  onBytes(bytes: Uint8Array, frameNo: number): void {
    this.out.push(`${Buffer.from(bytes).toString('latin1')}@${frameNo}`);
  }
  onGap(lost: number): void {
    this.out.push(`<gap ${lost}>`);
  }
  get text(): string {
    return this.out.filter((s) => !s.startsWith('<')).map((s) => s.slice(0, s.lastIndexOf('@'))).join('');
  }
}

interface Seg { seq: number; data: string; syn?: boolean; missing?: number; ack?: number; t?: number }

function run(segs: Seg[], limits: ReassemblyLimits = DEFAULT_REASSEMBLY_LIMITS) {
  const sink = new Recorder();
  const counters = new Counters();
  const budget = { queuedBytes: 0 };
  const dir = new DirectionReassembler(sink, limits, budget, counters);
  segs.forEach((s, i) => {
    if (s.ack !== undefined) dir.onPeerAck(s.ack);
    else dir.onSegment(s.seq >>> 0, s.syn === true, Buffer.from(s.data, 'latin1'), s.missing ?? 0, i + 1, (s.t ?? i) * 1e9);
  });
  return { sink, counters, budget, dir };
}

const ISN = 1000;

const cases: { name: string; segs: Seg[]; want: string[]; counters?: Record<string, number> }[] = [
  { name: 'in order after SYN', segs: [{ seq: ISN, data: '', syn: true }, { seq: ISN + 1, data: 'USER a\r\n' }, { seq: ISN + 9, data: 'PASV\r\n' }],
    want: ['USER a\r\n@2', 'PASV\r\n@3'] },
  { name: 'missing SYN: first segment fixes the start', segs: [{ seq: 5000, data: 'abc' }, { seq: 5003, data: 'def' }],
    want: ['abc@1', 'def@2'] },
  { name: 'exact retransmission is dropped', segs: [{ seq: ISN, data: 'abc' }, { seq: ISN, data: 'abc' }, { seq: ISN + 3, data: 'd' }],
    want: ['abc@1', 'd@3'], counters: { 'reassembly.retransmitted_bytes': 3 } },
  { name: 'overlap: only the new tail is delivered', segs: [{ seq: ISN, data: 'abcd' }, { seq: ISN + 2, data: 'cdef' }],
    want: ['abcd@1', 'ef@2'], counters: { 'reassembly.retransmitted_bytes': 2 } },
  { name: 'reorder: later segment waits for the hole', segs: [{ seq: ISN, data: 'ab' }, { seq: ISN + 4, data: 'ef' }, { seq: ISN + 2, data: 'cd' }],
    want: ['ab@1', 'cd@3', 'ef@2'], counters: { 'reassembly.out_of_order_segments': 1 } },
  { name: 'reorder of three, arriving backwards', segs: [{ seq: ISN, data: 'a' }, { seq: ISN + 3, data: 'd' }, { seq: ISN + 2, data: 'c' }, { seq: ISN + 1, data: 'b' }],
    want: ['a@1', 'b@4', 'c@3', 'd@2'] },
  { name: 'hole the peer ACKed is skipped at once', segs: [{ seq: ISN, data: 'ab' }, { ack: ISN + 10, seq: 0, data: '' }, { seq: ISN + 6, data: 'gh' }],
    want: ['ab@1', '<gap 4>', 'gh@3'], counters: { 'reassembly.gap_skipped': 1, 'reassembly.gap_bytes': 4 } },
  { name: 'ACK arriving after the queued segment skips the hole', segs: [{ seq: ISN, data: 'ab' }, { seq: ISN + 6, data: 'gh' }, { ack: ISN + 8, seq: 0, data: '' }],
    want: ['ab@1', '<gap 4>', 'gh@2'] },
  { name: 'an ACK short of the hole changes nothing', segs: [{ seq: ISN, data: 'ab' }, { seq: ISN + 6, data: 'gh' }, { ack: ISN + 2, seq: 0, data: '' }, { seq: ISN + 2, data: 'cdef' }],
    want: ['ab@1', 'cdef@4', 'gh@2'] },
  { name: 'snaplen-cut payload becomes a gap', segs: [{ seq: ISN, data: 'ab', missing: 3 }, { seq: ISN + 5, data: 'f' }],
    want: ['ab@1', '<gap 3>', 'f@2'] },
  { name: 'sequence numbers wrap around 2^32', segs: [{ seq: 0xfffffffe, data: 'ab' }, { seq: 0, data: 'cd' }, { seq: 2, data: 'e' }],
    want: ['ab@1', 'cd@2', 'e@3'] },
  { name: 'reorder across the wrap', segs: [{ seq: 0xfffffffe, data: 'ab' }, { seq: 2, data: 'e' }, { seq: 0, data: 'cd' }],
    want: ['ab@1', 'cd@3', 'e@2'] },
  { name: 'old segment from before the start is ignored', segs: [{ seq: ISN + 10, data: 'kl' }, { seq: ISN, data: 'abcdefghij' }],
    want: ['kl@1'] },
];

for (const c of cases) {
  test(`reassembly: ${c.name}`, () => {
    const { sink, counters } = run(c.segs);
    assert.deepEqual(sink.out, c.want);
    for (const [k, v] of Object.entries(c.counters ?? {})) assert.equal(counters.get(k as never), v, k);
  });
}

test('reassembly: a hole older than the time-out is given up on', () => {
  const { sink, dir } = run([{ seq: ISN, data: 'ab', t: 0 }, { seq: ISN + 4, data: 'ef', t: 1 }]);
  dir.expire(5e9);
  assert.deepEqual(sink.out, ['ab@1']);
  dir.expire(12e9);
  assert.deepEqual(sink.out, ['ab@1', '<gap 2>', 'ef@2']);
});

test('reassembly: the per-direction queue cap forces the hole to be skipped', () => {
  const limits = { ...DEFAULT_REASSEMBLY_LIMITS, maxQueuedBytesPerDirection: 10 };
  const segs: Seg[] = [{ seq: ISN, data: 'a' }];
  for (let i = 0; i < 6; i++) segs.push({ seq: ISN + 2 + 3 * i, data: 'xyz' });
  const { sink, counters, budget } = run(segs, limits);
  assert.ok(counters.get('reassembly.queue_full') >= 1);
  assert.equal(sink.text, 'a' + 'xyz'.repeat(6), 'all queued data is delivered after the skip');
  assert.equal(budget.queuedBytes, 0, 'the shared budget is returned');
});

test('reassembly: release() returns queued bytes to the shared budget', () => {
  const { budget, dir } = run([{ seq: ISN, data: 'a' }, { seq: ISN + 5, data: 'xyz' }]);
  assert.equal(budget.queuedBytes, 3);
  dir.release();
  assert.equal(budget.queuedBytes, 0);
});

test('reassembly: every byte order of a stream delivers the same text (exhaustive over 5 segments)', () => {
  const words = ['PASV\r\n', '227 Entering ', 'Passive Mode ', '(10,0,0,1,', '4,1)\r\n'];
  const segs: Seg[] = [];
  let seq = ISN;
  for (const w of words) { segs.push({ seq, data: w }); seq += w.length; }
  const want = words.join('');
  const perms = (xs: Seg[]): Seg[][] => xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  for (const p of perms(segs.slice(1))) {
    // The first segment fixes the start (no SYN), so it must come first; duplicates are thrown in too.
    const order = [segs[0]!, ...p, p[0]!];
    assert.equal(run(order).sink.text, want);
  }
});
