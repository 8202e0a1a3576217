/**
 * Decode speed, reported as test diagnostics (`node --test` prints them). No timing assertion:
 * machines differ. What is asserted is that hot loops give the right answer every time (no state
 * leaking between calls, and the address memo never answering for the wrong address).
 */
import { it } from 'node:test';
import * as assert from 'node:assert/strict';
import { decodeFrame } from '../../../src/decode';
import * as F from './frames';

/** Decodes frames[i % frames.length] `count` times; returns packets/s and the source addresses seen. */
function measure(frames: Uint8Array[], count: number): { perSecond: number; payloadBytes: number; sources: Set<string> } {
  for (let i = 0; i < 50_000; i++) decodeFrame(1, frames[i % frames.length]!); // warm-up: let the JIT settle
  let payloadBytes = 0;
  const sources = new Set<string>();
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const d = decodeFrame(1, frames[i % frames.length]!);
    if (d.kind === 'tcp') {
      payloadBytes += d.payload.length;
      if (i < frames.length) sources.add(d.src);
    }
  }
  const ns = Number(process.hrtime.bigint() - start);
  return { perSecond: Math.round(count / (ns / 1e9)), payloadBytes, sources };
}

/** `count` copies of `frame`, each with a different source address (the last two bytes of it). */
function manySources(frame: Uint8Array, srcEnd: number, count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const f = Uint8Array.from(frame);
    f[srcEnd - 2] = i >> 8;
    f[srcEnd - 1] = i & 0xff;
    return f;
  });
}

it('decode throughput (packets/s)', (t) => {
  const fmt = (n: number) => n.toLocaleString('en-US');
  const v4 = measure([F.V4_USER], 1_000_000);
  const v6 = measure([F.V6_USER], 1_000_000);
  assert.equal(v4.payloadBytes, 16 * 1_000_000);
  assert.equal(v6.payloadBytes, 16 * 1_000_000);
  t.diagnostic(`Ethernet/IPv4/TCP, one flow: ${fmt(v4.perSecond)} packets/s`);
  t.diagnostic(`Ethernet/IPv6/TCP, one flow: ${fmt(v6.perSecond)} packets/s`);

  // Worst case for the address memo: 8192 distinct sources in turn, far more than it holds.
  const v4Many = measure(manySources(F.V4_USER, 30, 8192), 500_000);
  const v6Many = measure(manySources(F.V6_USER, 38, 8192), 300_000);
  assert.equal(v4Many.sources.size, 8192);
  assert.ok(v4Many.sources.has('141.142.31.255'));
  assert.equal(v6Many.sources.size, 8192);
  assert.ok(v6Many.sources.has('2001:470:1f11:81f:c999:d94:aa7c:1fff'));
  t.diagnostic(`Ethernet/IPv4/TCP, 8192 hosts in turn: ${fmt(v4Many.perSecond)} packets/s`);
  t.diagnostic(`Ethernet/IPv6/TCP, 8192 hosts in turn: ${fmt(v6Many.perSecond)} packets/s`);
});
