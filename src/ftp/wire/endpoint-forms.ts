/**
 * The three ways FTP spells a data endpoint, shared by the command (active) and reply (passive) parsers:
 * six bytes (RFC 959 PORT / 227), the long form (RFC 1639 LPRT / 228) and the extended form's delimiter
 * and port rules (RFC 2428 EPRT / 229).
 */

import { formatIPv4, formatIPv6 } from '../../core/ip';
import type { HostPort } from './types';

function isByte(n: number | undefined): n is number {
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 255;
}

/** A TCP port a peer can listen on: 0 means "any" to the kernel and never names a real data connection. */
export function isDataPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/**
 * `n` as a data port, or null. `| 0` hands the port on as a small integer even when it was computed as a
 * double (after text with a huge number went through the same parser): one endpoint whose port is stored as
 * a double changes the shape of every endpoint, and V8 throws away the optimised code of everything that
 * handles connections (15 functions recompiled, in the benchmark).
 */
export function dataPort(n: number): number | null {
  return isDataPort(n) ? n | 0 : null;
}

function portFromBytes(hi: number, lo: number): number | null {
  return dataPort(hi * 256 + lo);
}

/** `h1,h2,h3,h4,p1,p2`: exactly six values, each 0..255. */
export function hostPortFromSix(n: readonly number[]): HostPort | null {
  if (n.length !== 6 || !n.every(isByte)) return null;
  const port = portFromBytes(n[4]!, n[5]!);
  return port === null ? null : { ip: formatIPv4(Uint8Array.from(n.slice(0, 4)), 0), port };
}

/** RFC 1639 address families and their address lengths (values from RFC 1700 "Version Numbers"). */
const LONG_FAMILIES: ReadonlyMap<number, { length: number; format: (b: Uint8Array, off: number) => string }> = new Map([
  [4, { length: 4, format: formatIPv4 }],
  [6, { length: 16, format: formatIPv6 }],
]);

/** `af,hal,h1..hN,pal,p1,p2`: af 4 with 4 address bytes or af 6 with 16; two port bytes; every value 0..255. */
export function hostPortFromLong(n: readonly number[]): HostPort | null {
  if (!n.every(isByte)) return null;
  const family = LONG_FAMILIES.get(n[0] ?? -1);
  if (!family || n[1] !== family.length) return null;
  const portAt = 2 + family.length;
  if (n.length !== portAt + 3 || n[portAt] !== 2) return null;
  const port = portFromBytes(n[portAt + 1]!, n[portAt + 2]!);
  if (port === null) return null;
  return { ip: family.format(Uint8Array.from(n.slice(2, portAt)), 0), port };
}

/**
 * RFC 2428: the delimiter is any printable ASCII character (33..126). Digits are refused as well: the fields
 * it separates are numbers, so a digit delimiter cannot be told apart from them.
 */
export function isExtendedDelimiter(ch: string): boolean {
  if (ch.length !== 1) return false;
  const c = ch.charCodeAt(0);
  return c >= 33 && c <= 126 && !(c >= 48 && c <= 57);
}

/** A decimal TCP port field of the extended form (1..65535, digits only). */
export function parseExtendedPort(text: string): number | null {
  if (!/^[0-9]+$/.test(text)) return null;
  return dataPort(Number(text));
}
