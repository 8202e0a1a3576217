/**
 * The two capture formats the benchmark touches, kept to what it needs: read a small seed capture
 * (pcap or pcapng, whole file in memory) and stream a large classic pcap out through one buffer.
 * Bad input is a value: `readSeedCapture` returns `{kind:'bad'}` with one line saying why.
 */
import * as fs from 'node:fs';

export interface SeedFrame {
  tsNs: bigint;
  linkType: number;
  data: Uint8Array;
}

export type SeedReadResult = { kind: 'ok'; format: 'pcap' | 'pcapng'; frames: SeedFrame[] } | { kind: 'bad'; reason: string };

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const IF_TSRESOL = 9;

export function readSeedCapture(file: string): SeedReadResult {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    return { kind: 'bad', reason: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  if (buf.length < 24) return { kind: 'bad', reason: `${file}: too short for a capture` };
  const m = buf.readUInt32LE(0);
  if (m === PCAPNG_SHB) return readPcapng(buf, file);
  for (const le of [true, false]) {
    const magic = le ? buf.readUInt32LE(0) : buf.readUInt32BE(0);
    if (magic === PCAP_MAGIC_US || magic === PCAP_MAGIC_NS) return readPcap(buf, le, magic === PCAP_MAGIC_NS);
  }
  return { kind: 'bad', reason: `${file}: neither pcap nor pcapng` };
}

function readPcap(buf: Buffer, le: boolean, nanos: boolean): SeedReadResult {
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const frames: SeedFrame[] = [];
  for (let o = 24; o + 16 <= buf.length;) {
    const sec = BigInt(u32(o));
    const frac = BigInt(u32(o + 4));
    const incl = u32(o + 8);
    if (o + 16 + incl > buf.length) return { kind: 'bad', reason: `truncated pcap record at offset ${o}` };
    frames.push({ tsNs: sec * 1_000_000_000n + (nanos ? frac : frac * 1000n), linkType, data: buf.subarray(o + 16, o + 16 + incl) });
    o += 16 + incl;
  }
  return { kind: 'ok', format: 'pcap', frames };
}

interface Iface { linkType: number; unitsPerSec: bigint }

function readPcapng(buf: Buffer, file: string): SeedReadResult {
  const frames: SeedFrame[] = [];
  let le = true;
  let ifaces: Iface[] = [];
  for (let o = 0; o + 12 <= buf.length;) {
    const type = buf.readUInt32LE(o);
    if (type === PCAPNG_SHB) {
      le = buf.readUInt32LE(o + 8) === PCAPNG_BOM;
      if (!le && buf.readUInt32BE(o + 8) !== PCAPNG_BOM) return { kind: 'bad', reason: `${file}: bad pcapng byte-order magic` };
      ifaces = [];
    }
    const u32 = (p: number): number => (le ? buf.readUInt32LE(p) : buf.readUInt32BE(p));
    const u16 = (p: number): number => (le ? buf.readUInt16LE(p) : buf.readUInt16BE(p));
    const blockType = u32(o);
    const len = u32(o + 4);
    if (len < 12 || len % 4 !== 0 || o + len > buf.length) return { kind: 'bad', reason: `${file}: bad pcapng block at offset ${o}` };
    if (blockType === BLOCK_IDB) {
      let unitsPerSec = 1_000_000n;
      for (let p = o + 16; p + 4 <= o + len - 4;) {
        const code = u16(p);
        const vlen = u16(p + 2);
        if (code === 0) break;
        if (code === IF_TSRESOL && vlen >= 1) {
          const r = buf[p + 4]!;
          unitsPerSec = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
        }
        p += 4 + ((vlen + 3) & ~3);
      }
      ifaces.push({ linkType: u16(o + 8), unitsPerSec });
    } else if (blockType === BLOCK_EPB) {
      const iface = ifaces[u32(o + 8)];
      if (!iface) return { kind: 'bad', reason: `${file}: packet on an undeclared interface at offset ${o}` };
      const ticks = (BigInt(u32(o + 12)) << 32n) | BigInt(u32(o + 16));
      const caplen = u32(o + 20);
      frames.push({
        tsNs: (ticks * 1_000_000_000n) / iface.unitsPerSec,
        linkType: iface.linkType,
        data: buf.subarray(o + 28, o + 28 + caplen),
      });
    } else if (blockType === BLOCK_SPB) {
      return { kind: 'bad', reason: `${file}: simple packet blocks carry no time; use a capture with timestamps` };
    }
    o += len;
  }
  return { kind: 'ok', format: 'pcapng', frames };
}

const WRITE_CHUNK_BYTES = 8 << 20;

/** Classic little-endian microsecond pcap, written through one reusable buffer. */
export class PcapStreamWriter {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(WRITE_CHUNK_BYTES);
  private used = 0;
  packets = 0;
  bytes = 0;

  constructor(file: string, linkType: number, snaplen = 262144) {
    this.fd = fs.openSync(file, 'w');
    const h = Buffer.alloc(24);
    h.writeUInt32LE(PCAP_MAGIC_US, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(snaplen, 16);
    h.writeUInt32LE(linkType, 20);
    this.put(h);
  }

  /**
   * Reserves room for one record of `len` frame bytes at time `tsUs` and returns the offset in `buffer`
   * where the caller writes the frame (so frames are built in place, without a copy per packet).
   */
  reserve(tsUs: number, len: number): number {
    if (this.used + 16 + len > this.buf.length) this.flush();
    const b = this.buf;
    let o = this.used;
    const sec = Math.floor(tsUs / 1e6);
    b.writeUInt32LE(sec, o);
    b.writeUInt32LE(tsUs - sec * 1e6, o + 4);
    b.writeUInt32LE(len, o + 8);
    b.writeUInt32LE(len, o + 12);
    o += 16;
    this.used = o + len;
    this.packets++;
    return o;
  }

  get buffer(): Buffer {
    return this.buf;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }

  private put(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buf.length) this.flush();
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  private flush(): void {
    let off = 0;
    while (off < this.used) off += fs.writeSync(this.fd, this.buf, off, this.used - off);
    this.bytes += this.used;
    this.used = 0;
  }
}
