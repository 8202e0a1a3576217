/**
 * Reads the hex dump `tshark -x` (and `xxd`-like tools) print back into bytes, so a test frame is
 * written once, as the dump a reader can check against Wireshark. The offset column is checked against
 * the bytes read so far: a line dropped or mistyped while copying fails loudly instead of shifting
 * every later byte.
 *
 *   0000  00 13 7f be 8c ff 00 1d 09 05 cf 48 08 00 45 10   ...........H..E.
 */
const LINE = /^\s*([0-9a-fA-F]{4,8})\s{1,2}((?:[0-9a-fA-F]{2} ?){1,16})/;

export function fromHexDump(dump: string): Uint8Array {
  const bytes: number[] = [];
  let lastLineShort = false;
  for (const line of dump.split('\n')) {
    if (line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a hex dump line: ${JSON.stringify(line)}`);
    if (parseInt(m[1]!, 16) !== bytes.length) throw new Error(`offset ${m[1]} but ${bytes.length} bytes read so far`);
    if (lastLineShort) throw new Error('only the last line of a dump may hold fewer than 16 bytes');
    const hex = m[2]!.trim().split(' ');
    for (const h of hex) bytes.push(parseInt(h, 16));
    lastLineShort = hex.length < 16;
  }
  if (bytes.length === 0) throw new Error('empty hex dump');
  return Uint8Array.from(bytes);
}

/** Plain hex with any whitespace, for short link headers and test-made byte strings. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`bad hex: ${hex}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}
