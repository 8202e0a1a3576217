/**
 * Incremental reader for the pcapng stream a capture child (dumpcap) writes on its stdout: feed it
 * chunks as they arrive, get back whole blocks as events. Knows SHB (byte order, new section), IDB
 * (link type, snaplen, if_tsresol, if_tsoffset), EPB (packets) and ISB (drop counters); skips every
 * other block. A malformed stream yields one {kind:'bad'} event and the reader stops.
 */

import {
  BLOCK_EPB, BLOCK_IDB, BLOCK_ISB, BLOCK_SHB, BYTE_ORDER_MAGIC, IF_TSOFFSET, IF_TSRESOL, ISB_IFDROP, ISB_IFRECV, ISB_OSDROP,
  OPT_ENDOFOPT,
} from '../pcapng/constants';

export type PcapngStreamEvent =
  | { kind: 'interface'; interfaceId: number; linkType: number; snaplen: number; nanoTimestamps: boolean }
  | { kind: 'packet'; interfaceId: number; tsNs: bigint; data: Uint8Array; origLen: number }
  | { kind: 'stats'; interfaceId: number; ifRecv: bigint | null; ifDrop: bigint | null; osDrop: bigint | null }
  | { kind: 'bad'; reason: string };

/** Larger than any block dumpcap writes (Wireshark's own limit is 16 MiB); guards against garbage lengths. */
const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

interface InterfaceClock {
  /** ticks -> ns: multiply by `mul`, then divide by `div`. */
  mul: bigint;
  div: bigint;
  offsetNs: bigint;
}

export class PcapngStreamReader {
  private pending: Buffer = Buffer.alloc(0);
  private littleEndian = true;
  private inSection = false;
  private interfaces: InterfaceClock[] = [];
  private broken = false;

  /** Parses every whole block now available; keeps a partial block for the next chunk. */
  push(chunk: Buffer): PcapngStreamEvent[] {
    if (this.broken) return [];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const events: PcapngStreamEvent[] = [];
    let pos = 0;
    while (this.pending.length - pos >= 12) {
      const buf = this.pending;
      const type = buf.readUInt32LE(pos); // SHB's type reads the same in both orders
      if (type === BLOCK_SHB) {
        const magic = buf.readUInt32LE(pos + 8);
        if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
        else if (magic === 0x4d3c2b1a) this.littleEndian = false;
        else return this.fail(events, 'section header with an unknown byte-order magic');
      } else if (!this.inSection) {
        return this.fail(events, 'stream does not start with a section header block');
      }
      const len = this.u32(buf, pos + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK_BYTES) {
        return this.fail(events, `block length ${len} is not valid`);
      }
      if (buf.length - pos < len) break;
      if (this.u32(buf, pos + len - 4) !== len) return this.fail(events, 'block trailing length does not match');
      const body = buf.subarray(pos + 8, pos + len - 4);
      const bodyType = this.u32(buf, pos);
      const event = this.block(bodyType, body);
      if (event) {
        events.push(event);
        if (event.kind === 'bad') {
          this.broken = true;
          return events;
        }
      }
      pos += len;
    }
    this.pending = pos === 0 ? this.pending : this.pending.subarray(pos);
    return events;
  }

  private fail(events: PcapngStreamEvent[], reason: string): PcapngStreamEvent[] {
    this.broken = true;
    this.pending = Buffer.alloc(0);
    events.push({ kind: 'bad', reason });
    return events;
  }

  private u16(b: Buffer, at: number): number {
    return this.littleEndian ? b.readUInt16LE(at) : b.readUInt16BE(at);
  }
  private u32(b: Buffer, at: number): number {
    return this.littleEndian ? b.readUInt32LE(at) : b.readUInt32BE(at);
  }
  private u64(b: Buffer, at: number): bigint {
    return this.littleEndian ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
  }

  private block(type: number, body: Buffer): PcapngStreamEvent | null {
    switch (type) {
      case BLOCK_SHB:
        this.inSection = true;
        this.interfaces = [];
        return null;
      case BLOCK_IDB:
        return this.interfaceBlock(body);
      case BLOCK_EPB:
        return this.packetBlock(body);
      case BLOCK_ISB:
        return this.statsBlock(body);
      default:
        return null;
    }
  }

  private interfaceBlock(body: Buffer): PcapngStreamEvent {
    if (body.length < 8) return { kind: 'bad', reason: 'interface description block too short' };
    const linkType = this.u16(body, 0);
    const snaplen = this.u32(body, 4);
    let resol = 6;
    let offsetSec = 0n;
    for (const opt of this.options(body, 8)) {
      if (opt.code === IF_TSRESOL && opt.value.length >= 1) resol = opt.value[0]!;
      if (opt.code === IF_TSOFFSET && opt.value.length >= 8) {
        offsetSec = this.littleEndian ? opt.value.readBigInt64LE(0) : opt.value.readBigInt64BE(0);
      }
    }
    const clock = clockFor(resol, offsetSec);
    if (!clock) return { kind: 'bad', reason: `if_tsresol ${resol} is not usable` };
    const interfaceId = this.interfaces.length;
    this.interfaces.push(clock);
    // 2^-30 s is finer than 1 ns, like 10^-9 and beyond.
    const nanoTimestamps = resol & 0x80 ? (resol & 0x7f) >= 30 : resol >= 9;
    return { kind: 'interface', interfaceId, linkType, snaplen, nanoTimestamps };
  }

  private packetBlock(body: Buffer): PcapngStreamEvent {
    if (body.length < 20) return { kind: 'bad', reason: 'enhanced packet block too short' };
    const interfaceId = this.u32(body, 0);
    const clock = this.interfaces[interfaceId];
    if (!clock) return { kind: 'bad', reason: `packet for undeclared interface ${interfaceId}` };
    const ticks = (BigInt(this.u32(body, 4)) << 32n) | BigInt(this.u32(body, 8));
    const caplen = this.u32(body, 12);
    const origLen = this.u32(body, 16);
    if (caplen > body.length - 20) return { kind: 'bad', reason: 'packet data longer than its block' };
    return {
      kind: 'packet',
      interfaceId,
      tsNs: (ticks * clock.mul) / clock.div + clock.offsetNs,
      data: body.subarray(20, 20 + caplen),
      origLen: Math.max(origLen, caplen),
    };
  }

  private statsBlock(body: Buffer): PcapngStreamEvent {
    if (body.length < 12) return { kind: 'bad', reason: 'interface statistics block too short' };
    const interfaceId = this.u32(body, 0);
    let ifRecv: bigint | null = null;
    let ifDrop: bigint | null = null;
    let osDrop: bigint | null = null;
    for (const opt of this.options(body, 12)) {
      if (opt.value.length < 8) continue;
      if (opt.code === ISB_IFRECV) ifRecv = this.u64(opt.value, 0);
      if (opt.code === ISB_IFDROP) ifDrop = this.u64(opt.value, 0);
      if (opt.code === ISB_OSDROP) osDrop = this.u64(opt.value, 0);
    }
    return { kind: 'stats', interfaceId, ifRecv, ifDrop, osDrop };
  }

  /** Options from `at` to the end of the body; stops quietly at opt_endofopt or a truncated option. */
  private *options(body: Buffer, at: number): Generator<{ code: number; value: Buffer }> {
    let pos = at;
    while (pos + 4 <= body.length) {
      const code = this.u16(body, pos);
      const len = this.u16(body, pos + 2);
      if (code === OPT_ENDOFOPT) return;
      if (pos + 4 + len > body.length) return;
      yield { code, value: body.subarray(pos + 4, pos + 4 + len) };
      pos += 4 + ((len + 3) & ~3);
    }
  }
}

/** Tick-to-ns conversion for if_tsresol (high bit: power of 2, else power of 10); null if absurd. */
function clockFor(resol: number, offsetSec: bigint): InterfaceClock | null {
  const exp = resol & 0x7f;
  const offsetNs = offsetSec * 1_000_000_000n;
  if (resol & 0x80) {
    if (exp > 63) return null;
    return { mul: 1_000_000_000n, div: 1n << BigInt(exp), offsetNs };
  }
  if (exp > 18) return null;
  return exp <= 9
    ? { mul: 10n ** BigInt(9 - exp), div: 1n, offsetNs }
    : { mul: 1n, div: 10n ** BigInt(exp - 9), offsetNs };
}
