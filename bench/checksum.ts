/**
 * Internet checksum arithmetic (RFC 1071) split so that the replicator can sum each seed packet once
 * and then add only the fields it rewrites per copy (RFC 1624 style), instead of summing every byte
 * of every output packet.
 */

/** Sum of the big-endian 16-bit words of bytes[start, end) (an odd last byte is padded with zero). */
export function sumWords(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  return sum;
}

/** The two 16-bit halves of a 32-bit value, as sumWords would count them. */
export function sumU32(v: number): number {
  return (v >>> 16) + (v & 0xffff);
}

/** Folds a running sum to 16 bits and complements it: the value stored in the checksum field. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}
