/**
 * Replies that announce a passive-mode data endpoint (the server listens, the client connects):
 * 227 (RFC 959 PASV), 229 (RFC 2428 EPSV), 228 (RFC 1639 LPSV). Each takes the text of the whole reply,
 * all lines joined with '\n', because servers may put the endpoint on any line of a multi-line reply.
 */

import { hostPortFromLong, hostPortFromSix, dataPort, isExtendedDelimiter } from './endpoint-forms';
import { findNumberRuns } from './numbers';
import type { HostPort } from './types';

/**
 * 227: the first run of exactly six comma-separated numbers anywhere in the text, with or without
 * parentheses (`(h,h,h,h,p,p)`, `(…).`, `mode. h,h,h,h,p,p`, `=h,h,h,h,p,p`). The reply code and prose such
 * as `hp[300,700]` are runs of another length and are skipped; a six-run with a value over 255 rejects the
 * reply (Zeek does the same; Wireshark masks the port bytes instead). 0.0.0.0 is returned as given.
 */
export function parsePasvReply(text: string): HostPort | null {
  const run = findNumberRuns(text).find((numbers) => numbers.length === 6);
  return run ? hostPortFromSix(run) : null;
}

/** The two sizes of the RFC 1639 long form: 4 + 5 values for IPv4, 16 + 5 for IPv6. */
const LONG_FORM_SIZES: ReadonlySet<number> = new Set([9, 21]);

/** 228: `Entering Long Passive Mode (4,4,a,b,c,d,2,p1,p2)` or the IPv6 form with af 6 and 16 address bytes. */
export function parseLpsvReply(text: string): HostPort | null {
  const run = findNumberRuns(text).find((numbers) => LONG_FORM_SIZES.has(numbers.length));
  return run ? hostPortFromLong(run) : null;
}

function isDigitAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/**
 * 229: the first `(<d><d><d>port<d>)` in the text, the same delimiter four times (RFC 2428 §3). The address
 * is not in the reply: the client connects to the control connection's server address.
 */
export function parseEpsvReply(text: string): { port: number } | null {
  for (let open = text.indexOf('('); open >= 0; open = text.indexOf('(', open + 1)) {
    const delimiter = text.charAt(open + 1);
    if (!isExtendedDelimiter(delimiter) || text.charAt(open + 2) !== delimiter || text.charAt(open + 3) !== delimiter) {
      continue;
    }
    const start = open + 4;
    let end = start;
    while (isDigitAt(text, end)) end++;
    if (end === start || text.charAt(end) !== delimiter || text.charAt(end + 1) !== ')') continue;
    const port = dataPort(Number(text.slice(start, end)));
    return port === null ? null : { port };
  }
  return null;
}
