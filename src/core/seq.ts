/** TCP sequence-number arithmetic (RFC 1982 serial numbers, 32 bits). */

/** a - b as a signed 32-bit distance: > 0 when a is after b. Valid while |a - b| < 2^31. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + n, wrapped to an unsigned 32-bit sequence number. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
