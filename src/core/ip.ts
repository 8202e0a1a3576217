/**
 * IP address text forms. Every address ftpflow keeps or prints is in one canonical text form, so
 * that an address decoded from a packet and one parsed from a PORT/EPRT line compare as strings:
 * IPv4 dotted quad; IPv6 in RFC 5952 form (lower case, longest zero run compressed), as tshark prints.
 */

export function formatIPv4(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

export function formatIPv6(b: Uint8Array, off: number): string {
  const words: number[] = new Array(8);
  for (let i = 0; i < 8; i++) words[i] = ((b[off + 2 * i] ?? 0) << 8) | (b[off + 2 * i + 1] ?? 0);
  // IPv4-mapped (::ffff:a.b.c.d): RFC 5952 section 5 recommends the dotted tail.
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 && words[5] === 0xffff) {
    return `::ffff:${formatIPv4(b, off + 12)}`;
  }
  // Longest run of zero words (length >= 2), first one on ties.
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (w: number | undefined) => (w ?? 0).toString(16);
  if (bestStart < 0) return words.map(hex).join(':');
  const head = words.slice(0, bestStart).map(hex).join(':');
  const tail = words.slice(bestStart + bestLen).map(hex).join(':');
  return `${head}::${tail}`;
}

/** A dotted quad as an unsigned 32-bit number (cheap connection keys), or null when it is not one. */
export function ipv4Number(text: string): number | null {
  const b = parseIPv4(text);
  return b === null ? null : ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** Parses a dotted quad with every octet 0..255 (no leading '+', no empty parts). */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^[0-9]{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** Parses any RFC 4291 text form of an IPv6 address (including an embedded dotted IPv4 tail). */
export function parseIPv6(text: string): Uint8Array | null {
  if (text.length < 2 || text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let body = text;
  const tailBytes: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (body.indexOf('.') >= 0) {
    const v4 = parseIPv4(body.slice(lastColon + 1));
    if (!v4) return null;
    tailBytes.push(...v4);
    body = body.slice(0, lastColon + 1) + '0:0'; // placeholder words, replaced below
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const toWords = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const w of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return null;
      out.push(parseInt(w, 16));
    }
    return out;
  };
  const head = toWords(halves[0]!);
  const tail = halves.length === 2 ? toWords(halves[1]!) : [];
  if (!head || !tail) return null;
  let words: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return null;
    words = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    words = head;
  }
  if (words.length !== 8) return null;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) { out[2 * i] = words[i]! >> 8; out[2 * i + 1] = words[i]! & 0xff; }
  if (tailBytes.length === 4) out.set(tailBytes, 12);
  return out;
}

/** Canonical text of an address given in any valid form, or null if it is not an IP address. */
export function canonicalIp(text: string): string | null {
  if (text.indexOf(':') < 0) {
    const v4 = parseIPv4(text);
    return v4 ? formatIPv4(v4, 0) : null;
  }
  const v6 = parseIPv6(text);
  return v6 ? formatIPv6(v6, 0) : null;
}

/** `ip:port`, with IPv6 addresses in brackets: the endpoint form of the comment grammar. */
export function formatEndpoint(ip: string, port: number): string {
  return ip.indexOf(':') >= 0 ? `[${ip}]:${port}` : `${ip}:${port}`;
}
