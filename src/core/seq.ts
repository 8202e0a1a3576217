/** TCP sequence-number arithmetic (RFC 1982 serial numbers, 32 bits). */

/**
 * "No sequence number yet" (they are 0 to 2^32 - 1). A sentinel rather than null: V8 keeps a field that
 * may hold null tagged, and stores each number above 2^30 in it as a new heap number (one per packet on
 * the hot paths); a number-only field is updated in place.
 */
export const NO_SEQ = -1;

/** a - b as a signed 32-bit distance: > 0 when a is after b. Valid while |a - b| < 2^31. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + n, wrapped to an unsigned 32-bit sequence number. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
