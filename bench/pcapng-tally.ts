/**
 * Counts what a pcapng stream holds as it arrives (the live benchmark reads the extcap's FIFO with it): packet
 * blocks, those with an ftpflow data comment and whether it names the transfer command, and the latest
 * interface statistics (ISB). Reads block headers and options only; little-endian sections only (the extcap
 * writes host order, and the benchmark runs on x86/ARM little-endian machines).
 */
const SHB = 0x0a0d0d0a;
const EPB = 0x00000006;
const ISB = 0x00000005;
const BOM_LE = 0x1a2b3c4d;
const OPT_COMMENT = 1;
const ISB_IFRECV = 4;
const ISB_IFDROP = 5;
const ISB_OSDROP = 7;
const ISB_USRDELIV = 8;
const DATA_PREFIX = Buffer.from('ftpflow role=data ', 'latin1');
const CMD_KEY = Buffer.from(' cmd=', 'latin1');

export interface IsbCounters {
  ifRecv: bigint | null;
  ifDrop: bigint | null;
  osDrop: bigint | null;
  usrDeliv: bigint | null;
}

export interface PcapngTally {
  bytes: number;
  packets: number;
  /** Packets whose comment says role=data. */
  dataPackets: number;
  /** role=data packets whose comment has no cmd= (the transfer command was not known when the packet left). */
  dataWithoutCmd: number;
  isbs: number;
  lastIsb: IsbCounters | null;
  /** Why counting stopped early (a damaged or big-endian stream), null while all is well. */
  error: string | null;
}

export class PcapngTallier {
  readonly tally: PcapngTally = { bytes: 0, packets: 0, dataPackets: 0, dataWithoutCmd: 0, isbs: 0, lastIsb: null, error: null };
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.tally.bytes += chunk.length;
    if (this.tally.error !== null) return;
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let off = 0;
    while (buf.length - off >= 12) {
      const type = buf.readUInt32LE(off);
      const len = buf.readUInt32LE(off + 4);
      if (type === SHB && buf.readUInt32LE(off + 8) !== BOM_LE) return this.fail('big-endian section');
      if (len < 12 || len % 4 !== 0) return this.fail(`bad block length ${len} at byte ${this.tally.bytes - buf.length + off}`);
      if (buf.length - off < len) break;
      if (type === EPB) this.onEpb(buf, off, len);
      else if (type === ISB) this.onIsb(buf, off, len);
      off += len;
    }
    this.pending = buf.subarray(off);
  }

  private fail(why: string): void {
    this.tally.error = why;
    this.pending = Buffer.alloc(0);
  }

  /** Cheap on purpose (this runs for every packet while the capture runs): byte compares, no strings. */
  private onEpb(buf: Buffer, off: number, len: number): void {
    this.tally.packets++;
    const caplen = buf.readUInt32LE(off + 20);
    const at = off + 28 + ((caplen + 3) & ~3);
    const end = off + len - 4;
    // ftpflow writes the comment as the first option.
    if (at + 4 > end || buf.readUInt16LE(at) !== OPT_COMMENT) return;
    const textEnd = Math.min(end, at + 4 + buf.readUInt16LE(at + 2));
    if (buf.compare(DATA_PREFIX, 0, DATA_PREFIX.length, at + 4, at + 4 + DATA_PREFIX.length) !== 0) return;
    this.tally.dataPackets++;
    const cmd = buf.indexOf(CMD_KEY, at + 4);
    if (cmd < 0 || cmd >= textEnd) this.tally.dataWithoutCmd++;
  }

  private onIsb(buf: Buffer, off: number, len: number): void {
    this.tally.isbs++;
    const isb: IsbCounters = { ifRecv: null, ifDrop: null, osDrop: null, usrDeliv: null };
    for (const [code, value] of options(buf, off + 20, off + len - 4)) {
      if (value.length !== 8) continue;
      const v = value.readBigUInt64LE(0);
      if (code === ISB_IFRECV) isb.ifRecv = v;
      else if (code === ISB_IFDROP) isb.ifDrop = v;
      else if (code === ISB_OSDROP) isb.osDrop = v;
      else if (code === ISB_USRDELIV) isb.usrDeliv = v;
    }
    this.tally.lastIsb = isb;
  }
}

/** The options between `start` and `end` as [code, value]; stops at opt_endofopt or a damaged option. */
function* options(buf: Buffer, start: number, end: number): Generator<[number, Buffer]> {
  let at = start;
  while (at + 4 <= end) {
    const code = buf.readUInt16LE(at);
    const len = buf.readUInt16LE(at + 2);
    if (code === 0 || at + 4 + len > end) return;
    yield [code, buf.subarray(at + 4, at + 4 + len)];
    at += 4 + ((len + 3) & ~3);
  }
}
