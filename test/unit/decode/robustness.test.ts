/**
 * The decoder's contract on hostile input: it never throws, never reads outside the frame, and when it
 * says TCP, the fields are inside their ranges and the payload view lies inside the frame.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { decodeFrame, type Decoded } from '../../../src/decode';
import * as F from './frames';
import { Prng } from '../../fixtures/gen/prng';

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276];
const FRAMES = Object.entries(F).filter((e): e is [string, Uint8Array] => e[1] instanceof Uint8Array);
const KNOWN_REASONS = new Set([
  'decode.other_link', 'decode.not_ip', 'decode.not_tcp', 'decode.ip_fragment',
  'decode.bad_link', 'decode.bad_ip', 'decode.bad_tcp',
]);

/** Checks one result against the frame it came from; returns a description of what is wrong, or ''. */
function problem(d: Decoded, frame: Uint8Array): string {
  if (d.kind === 'other' || d.kind === 'bad') return KNOWN_REASONS.has(d.why) ? '' : `unknown reason ${d.why}`;
  if (d.kind !== 'tcp') return 'unknown kind';
  const p = d.payload;
  if (p.buffer !== frame.buffer || p.byteOffset < frame.byteOffset ||
      p.byteOffset + p.length > frame.byteOffset + frame.length) return 'payload outside the frame';
  for (const n of [d.srcPort, d.dstPort]) if (!Number.isInteger(n) || n < 0 || n > 0xffff) return 'port range';
  for (const n of [d.seq, d.ack]) if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) return 'seq/ack range';
  if (!Number.isInteger(d.flags) || d.flags < 0 || d.flags > 0xff) return 'flags range';
  if (!Number.isInteger(d.missingBytes) || d.missingBytes < 0 || d.missingBytes > 0xffff) return 'missingBytes';
  if (d.ipVersion === 4 && !/^\d{1,3}(\.\d{1,3}){3}$/.test(d.src)) return 'v4 address text';
  if (d.ipVersion === 6 && !/^[0-9a-f:.]+$/.test(d.src)) return 'v6 address text';
  return '';
}

/** The link type each test frame was written for, by its name. */
function linkTypeOf(name: string): number {
  if (name.startsWith('SLL2_')) return 276;
  if (name.startsWith('SLL_')) return 113;
  if (name.startsWith('NULL_')) return 0;
  if (name.startsWith('LOOP_')) return 108;
  if (name.startsWith('RAW_')) return 101;
  return 1;
}

/** The shared seeded PRNG (mulberry32) as a function: the same seed gives the same inputs. */
const prng = (seed: number): (() => number) => {
  const p = new Prng(seed);
  return () => p.next();
};

describe('decodeFrame on hostile input', () => {
  it('every test frame, cut at every offset, under every link type', () => {
    let decoded = 0;
    for (const [name, frame] of FRAMES) {
      for (const linkType of LINK_TYPES) {
        for (let cut = 0; cut <= frame.length; cut++) {
          const part = frame.subarray(0, cut);
          const why = problem(decodeFrame(linkType, part), part);
          assert.equal(why, '', `${name} as link type ${linkType}, cut at ${cut}`);
          decoded++;
        }
      }
    }
    assert.ok(decoded > 10_000);
  });

  it('every single-byte change to every test frame (three values per byte)', () => {
    for (const [name, frame] of FRAMES) {
      const copy = Uint8Array.from(frame);
      const linkType = linkTypeOf(name);
      assert.equal(decodeFrame(linkType, frame).kind === 'bad', false, `${name} is valid as link type ${linkType}`);
      for (let i = 0; i < copy.length; i++) {
        const keep = copy[i]!;
        for (const v of [0x00, 0xff, keep ^ 0x80]) {
          copy[i] = v;
          assert.equal(problem(decodeFrame(linkType, copy), copy), '', `${name}: byte ${i} = ${v}`);
        }
        copy[i] = keep;
      }
    }
  });

  it('random bytes behind a valid start (bounded: 20k frames per link type)', () => {
    const rand = prng(0x5eed);
    for (const linkType of LINK_TYPES) {
      for (let n = 0; n < 20_000; n++) {
        // Start from a real frame so that most inputs get past the link layer, then scramble a tail.
        const base = FRAMES[n % FRAMES.length]![1];
        const frame = Uint8Array.from(base.subarray(0, Math.floor(rand() * (base.length + 1))));
        const from = Math.floor(rand() * (frame.length + 1));
        for (let i = from; i < frame.length; i++) frame[i] = Math.floor(rand() * 256);
        assert.equal(problem(decodeFrame(linkType, frame), frame), '', `link ${linkType}, case ${n}`);
      }
    }
  });

  it('the non-TCP answers are shared frozen constants (nothing allocated per frame)', () => {
    const a = decodeFrame(1, F.ETH_ARP);
    const b = decodeFrame(1, F.ETH_ARP);
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a));
    assert.throws(() => { (a as { why: string }).why = 'x'; }, TypeError);
  });
});
