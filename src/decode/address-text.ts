/**
 * Address text for the decoder, memoised. Formatting is most of the cost of decoding a packet
 * (about 90 ns for two IPv4 addresses, 800 ns for two IPv6 ones), yet a capture holds few distinct
 * hosts, and every packet of a flow repeats the same two. So each address family has a small
 * direct-mapped table: the address bytes pick a slot; a slot holding exactly those bytes answers with
 * the string it formatted before, any other is overwritten.
 *
 * Cap: SLOTS entries per family (a few tens of KiB in all), allocated once. Eviction: a new address
 * overwrites whatever shares its slot. No TTL and no counter: it is a memo of a pure function, so a
 * miss costs only the formatting it saves on a hit. The text is exactly core/ip.ts's.
 */
import { formatIPv4, formatIPv6 } from '../core/ip';

const SLOTS = 1024;                  // a power of two
const SLOT_SHIFT = 32 - 10;          // top log2(SLOTS) bits of the multiplicative hash
const GOLDEN = 0x9e3779b1;           // Knuth's multiplicative hashing constant

// Every slot starts as the all-zero address, correctly formatted: no "empty" marker needed.
const v4Keys = new Int32Array(SLOTS);
const v4Text: string[] = new Array<string>(SLOTS).fill(formatIPv4(new Uint8Array(4), 0));
const v6Keys = new Uint8Array(SLOTS * 16);
const v6Text: string[] = new Array<string>(SLOTS).fill(formatIPv6(new Uint8Array(16), 0));

/** Canonical text of the 4 address bytes at `at` (caller has checked they are in range). */
export function ipv4Text(b: Uint8Array, at: number): string {
  const key = (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
  const slot = Math.imul(key, GOLDEN) >>> SLOT_SHIFT;
  if (v4Keys[slot] === key) return v4Text[slot]!;
  const text = formatIPv4(b, at);
  v4Keys[slot] = key;
  v4Text[slot] = text;
  return text;
}

/** Canonical text of the 16 address bytes at `at` (caller has checked they are in range). */
export function ipv6Text(b: Uint8Array, at: number): string {
  let hash = 0;
  for (let i = 0; i < 16; i += 4) {
    hash = Math.imul(hash ^ ((b[at + i]! << 24) | (b[at + i + 1]! << 16) | (b[at + i + 2]! << 8) | b[at + i + 3]!), GOLDEN);
  }
  const slot = hash >>> SLOT_SHIFT;
  const base = slot * 16;
  let i = 0;
  while (i < 16 && v6Keys[base + i] === b[at + i]) i++;
  if (i === 16) return v6Text[slot]!;
  const text = formatIPv6(b, at);
  for (let j = 0; j < 16; j++) v6Keys[base + j] = b[at + j]!;
  v6Text[slot] = text;
  return text;
}
