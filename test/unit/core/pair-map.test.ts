import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PairMap } from '../../../src/core/pair-map';
import { Prng } from '../../fixtures/gen/prng';

const key = (lo: number, hi: number): string => `${lo}/${hi}`;

describe('PairMap', () => {
  it('agrees with a Map under random sets and deletes, through growth and collisions', () => {
    for (const seed of [1, 2, 3]) {
      const rng = new Prng(seed);
      const m = new PairMap<number>(16);
      const ref = new Map<string, number>();
      // A small key space forces repeated keys, long probe runs and deletes inside them.
      const pool: [number, number][] = [];
      for (let i = 0; i < 300; i++) pool.push([rng.int(0, 0xffffffff) * 65536 + rng.int(0, 65535), rng.int(0, 0xffffffff) * 65536 + rng.int(0, 65535)]);
      for (let step = 0; step < 20_000; step++) {
        const [lo, hi] = rng.pick(pool);
        if (rng.chance(0.55)) {
          assert.equal(m.set(lo, hi, step), !ref.has(key(lo, hi)));
          ref.set(key(lo, hi), step);
        } else {
          assert.equal(m.delete(lo, hi), ref.delete(key(lo, hi)));
        }
        if (step % 97 === 0) {
          for (const [l, h] of pool) assert.equal(m.get(l, h), ref.get(key(l, h)));
          assert.equal(m.size, ref.size);
        }
      }
    }
  });

  it('keeps the largest endpoint numbers apart (2^48 - 1, and pairs that differ in one half only)', () => {
    const m = new PairMap<string>();
    const top = 0xffffffff * 65536 + 65535;
    m.set(top, top, 'a');
    m.set(0, top, 'b');
    m.set(top, 0, 'c');
    m.set(4294967296, 1, 'd');
    m.set(1, 4294967296, 'e');
    assert.deepEqual([m.get(top, top), m.get(0, top), m.get(top, 0), m.get(4294967296, 1), m.get(1, 4294967296), m.get(0, 0)], ['a', 'b', 'c', 'd', 'e', undefined]);
    assert.equal(m.size, 5);
  });
});
