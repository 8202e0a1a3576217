import { BATCH_RECORD_BYTES } from './live-binding';
import type { LivePacket } from './live-source';

const U32_PER_RECORD = BATCH_RECORD_BYTES / 4;
const U64_PER_RECORD = BATCH_RECORD_BYTES / 8;

/**
 * Turns one batch from the patched binding into packets. `data` is a Buffer the binding handed over
 * (JS owns it; nothing reuses it), so each packet's bytes are a view into it, not a copy: a kept packet
 * keeps its batch's block alive, which is the price of copying out of libpcap's ring only once.
 * Records pointing outside `data` are skipped (they cannot occur unless the binding is broken).
 */
export function unpackBatch(data: Buffer, meta: Buffer, count: number): LivePacket[] {
  // The binding allocates meta with malloc, so it starts 8-byte aligned; copy a misaligned view into a
  // fresh ArrayBuffer (offset 0) rather than misread it.
  const aligned: Uint8Array = meta.byteOffset % 8 === 0 ? meta : new Uint8Array(meta);
  const n = Math.min(count, Math.floor(aligned.length / BATCH_RECORD_BYTES));
  const u64 = new BigUint64Array(aligned.buffer, aligned.byteOffset, n * U64_PER_RECORD);
  const u32 = new Uint32Array(aligned.buffer, aligned.byteOffset, n * U32_PER_RECORD);
  const packets: LivePacket[] = [];
  for (let i = 0; i < n; i++) {
    const offset = u32[i * U32_PER_RECORD + 2]!;
    const caplen = u32[i * U32_PER_RECORD + 3]!;
    const origLen = u32[i * U32_PER_RECORD + 4]!;
    if (offset + caplen > data.length) continue;
    packets.push({
      tsNs: u64[i * U64_PER_RECORD]!,
      data: data.subarray(offset, offset + caplen),
      origLen: Math.max(origLen, caplen),
    });
  }
  return packets;
}
