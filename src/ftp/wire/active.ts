/**
 * Arguments of the commands that announce an active-mode data endpoint (the client listens, the server
 * connects): PORT (RFC 959), EPRT (RFC 2428), LPRT (RFC 1639).
 */

import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../core/ip';
import { hostPortFromLong, hostPortFromSix, isExtendedDelimiter, parseExtendedPort } from './endpoint-forms';
import { parseNumberList } from './numbers';
import type { HostPort } from './types';

/** `PORT h1,h2,h3,h4,p1,p2`; spaces around the numbers are tolerated, values over 255 and port 0 are not. */
export function parsePortArg(arg: string): HostPort | null {
  const numbers = parseNumberList(arg);
  return numbers ? hostPortFromSix(numbers) : null;
}

/** `LPRT 4,4,a,b,c,d,2,p1,p2` or `LPRT 6,16,<16 bytes>,2,p1,p2`. */
export function parseLprtArg(arg: string): HostPort | null {
  const numbers = parseNumberList(arg);
  return numbers ? hostPortFromLong(numbers) : null;
}

/** EPRT's address field in canonical text: family 1 must be IPv4, family 2 IPv6 (`::ffff:a.b.c.d` included). */
function extendedAddress(family: string, text: string): string | null {
  if (family === '1') {
    const v4 = parseIPv4(text);
    return v4 ? formatIPv4(v4, 0) : null;
  }
  if (family === '2') {
    const v6 = parseIPv6(text);
    return v6 ? formatIPv6(v6, 0) : null;
  }
  return null;
}

const isBlank = (c: string) => c === ' ' || c === '\t';

/** Spaces and tabs off both ends, by index: the regex form `/[ \t]+$/` is quadratic on long runs of blanks. */
function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isBlank(text.charAt(start))) start++;
  while (end > start && isBlank(text.charAt(end - 1))) end--;
  return text.slice(start, end);
}

/** `EPRT <d>af<d>address<d>port<d>` with exactly four delimiters (RFC 2428 §2). */
export function parseEprtArg(arg: string): HostPort | null {
  const text = trimBlanks(arg);
  const delimiter = text.charAt(0);
  if (!isExtendedDelimiter(delimiter)) return null;
  const fields = text.split(delimiter);
  if (fields.length !== 5 || fields[0] !== '' || fields[4] !== '') return null;
  const ip = extendedAddress(fields[1]!, fields[2]!);
  const port = parseExtendedPort(fields[3]!);
  return ip === null || port === null ? null : { ip, port };
}
