import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatIPv4, formatIPv6 } from '../../../src/core/ip';
import { ipv4Text, ipv6Text } from '../../../src/decode/address-text';
import { Prng } from '../../fixtures/gen/prng';

/** The shared seeded PRNG (mulberry32) as a function: the same seed gives the same inputs. */
const prng = (seed: number): (() => number) => {
  const p = new Prng(seed);
  return () => p.next();
};

/** Random addresses shaped like real ones: zero runs, small words, v4-mapped. */
function randomV6(rand: () => number): Uint8Array {
  const b = new Uint8Array(16);
  for (let w = 0; w < 8; w++) {
    const k = rand();
    if (k < 0.5) continue;
    if (k < 0.65) b[2 * w + 1] = Math.floor(rand() * 256);
    else { b[2 * w] = Math.floor(rand() * 256); b[2 * w + 1] = Math.floor(rand() * 256); }
  }
  if (rand() < 0.1) { b.fill(0, 0, 10); b[10] = 0xff; b[11] = 0xff; }
  return b;
}

describe('memoised address text', () => {
  it('agrees with core/ip.ts on 200k IPv4 addresses, far more than the table holds', () => {
    const rand = prng(4);
    const frame = new Uint8Array(6);
    for (let n = 0; n < 200_000; n++) {
      // A small pool mixed with fresh ones: both hits and overwrites happen.
      for (let i = 1; i < 5; i++) frame[i] = n % 3 === 0 ? n % 7 : Math.floor(rand() * 256);
      assert.equal(ipv4Text(frame, 1), formatIPv4(frame, 1));
    }
  });

  it('agrees with core/ip.ts on 200k IPv6 addresses', () => {
    const rand = prng(6);
    const pool = Array.from({ length: 50 }, () => randomV6(rand));
    for (let n = 0; n < 200_000; n++) {
      const a = n % 2 === 0 ? pool[n % pool.length]! : randomV6(rand);
      assert.equal(ipv6Text(a, 0), formatIPv6(a, 0));
    }
  });

  it('two addresses sharing a slot never answer for each other', () => {
    // The same slot is picked by the top 10 bits of key * 0x9e3779b1: find a partner of 10.0.0.1.
    const slotOf = (key: number) => Math.imul(key, 0x9e3779b1) >>> 22;
    const first = 0x0a000001;
    let partner = first + 1;
    while (slotOf(partner) !== slotOf(first)) partner++;
    const bytes = (k: number) => Uint8Array.of(k >>> 24, (k >>> 16) & 255, (k >>> 8) & 255, k & 255);
    for (let i = 0; i < 4; i++) {
      assert.equal(ipv4Text(bytes(first), 0), '10.0.0.1');
      assert.equal(ipv4Text(bytes(partner), 0), formatIPv4(bytes(partner), 0));
    }
  });

  it('hosts of one /112 (differing only in the last two bytes) keep their own text', () => {
    // 4096 of them cannot fit in the table, so many share a slot with a near neighbour.
    const a = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    for (let round = 0; round < 2; round++) {
      for (let host = 0; host < 4096; host++) {
        a[14] = host >> 8;
        a[15] = host & 0xff;
        assert.equal(ipv6Text(a, 0), formatIPv6(a, 0));
      }
    }
  });

  it('an IPv6 slot answers only for exactly its 16 bytes', () => {
    // For each byte position, look for two addresses that differ only there and share a slot (the hash
    // below is the module's), then ask for them in turn. For some positions no such pair exists
    // (multiplicative hashing spreads 256 neighbours over distinct slots): a shortened comparison
    // could not go wrong there, so those are skipped, but most positions must be exercised.
    const slotOf = (a: Uint8Array) => {
      let h = 0;
      for (let i = 0; i < 16; i += 4) h = Math.imul(h ^ ((a[i]! << 24) | (a[i + 1]! << 16) | (a[i + 2]! << 8) | a[i + 3]!), 0x9e3779b1);
      return h >>> 22;
    };
    let exercised = 0;
    for (let pos = 0; pos < 16; pos++) {
      const base = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 255);
      const seen = new Map<number, number>();
      let pair: [number, number] | undefined;
      for (let v = 0; v < 256 && !pair; v++) {
        base[pos] = v;
        const earlier = seen.get(slotOf(base));
        if (earlier !== undefined) pair = [earlier, v];
        else seen.set(slotOf(base), v);
      }
      if (!pair) continue;
      exercised++;
      const a = Uint8Array.from(base), b = Uint8Array.from(base);
      a[pos] = pair[0];
      b[pos] = pair[1];
      for (let round = 0; round < 2; round++) {
        assert.equal(ipv6Text(a, 0), formatIPv6(a, 0), `byte ${pos}`);
        assert.equal(ipv6Text(b, 0), formatIPv6(b, 0), `byte ${pos}`);
      }
    }
    assert.ok(exercised >= 8, `only ${exercised} byte positions exercised`);
  });

  it('the all-zero addresses, which every slot starts out holding', () => {
    assert.equal(ipv4Text(new Uint8Array(4), 0), '0.0.0.0');
    assert.equal(ipv6Text(new Uint8Array(16), 0), '::');
    const one = new Uint8Array(16);
    one[15] = 1;
    assert.equal(ipv6Text(one, 0), '::1');
    assert.equal(ipv6Text(new Uint8Array(16), 0), '::');
  });
});
