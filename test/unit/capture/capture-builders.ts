/**
 * Test helpers: capture files built byte by byte (either byte order), a collector that copies everything
 * readCaptureFile delivers, temp folders, and the Wireshark command-line tools.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCaptureFile, readCaptureFileAsync, type CaptureFileHandlers, type ReadResult } from '../../../src/capture/file-reader';
import type { InterfaceDesc, OtherBlock, PcapngOption } from '../../../src/pcapng/model';

/** A little byte writer in a chosen byte order (a growable array: test files reach tens of MiB). */
export class Bytes {
  private out = new Uint8Array(256);
  private used = 0;
  constructor(readonly le: boolean) {}

  get length(): number {
    return this.used;
  }

  private room(n: number): void {
    if (this.used + n <= this.out.length) return;
    const bigger = new Uint8Array(Math.max(this.out.length * 2, this.used + n));
    bigger.set(this.out.subarray(0, this.used));
    this.out = bigger;
  }

  u8(v: number): this {
    this.room(1);
    this.out[this.used++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    return this.le ? this.u8(v).u8(v >>> 8) : this.u8(v >>> 8).u8(v);
  }

  u32(v: number): this {
    return this.le ? this.u16(v & 0xffff).u16(v >>> 16) : this.u16(v >>> 16).u16(v & 0xffff);
  }

  u64(v: bigint): this {
    const hi = Number(BigInt.asUintN(64, v) >> 32n);
    const lo = Number(BigInt.asUintN(32, v));
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }

  /** A pcapng timestamp: high word, then low word. */
  ts(ticks: bigint): this {
    return this.u32(Number(ticks >> 32n)).u32(Number(ticks & 0xffffffffn));
  }

  raw(bytes: Uint8Array | readonly number[]): this {
    this.room(bytes.length);
    this.out.set(bytes, this.used);
    this.used += bytes.length;
    return this;
  }

  pad(): this {
    while (this.used % 4) this.u8(0);
    return this;
  }

  /** One option: code, length, value padded. */
  opt(code: number, value: Uint8Array | readonly number[]): this {
    return this.u16(code).u16(value.length).raw(value).pad();
  }

  endOpts(): this {
    return this.u32(0);
  }

  bytes(): Uint8Array {
    return this.out.slice(0, this.used);
  }
}

/** A pcapng block in the given byte order; `fill` writes the body. */
export function ngBlock(le: boolean, type: number, fill: (b: Bytes) => void): Uint8Array {
  const body = new Bytes(le);
  fill(body);
  body.pad();
  const total = body.length + 12;
  return new Bytes(le).u32(type).u32(total).raw(body.bytes()).u32(total).bytes();
}

/** A Section Header Block in the given byte order. */
export function ngShb(le: boolean, options: PcapngOption[] = []): Uint8Array {
  return ngBlock(le, 0x0a0d0d0a, (b) => {
    b.u32(0x1a2b3c4d).u16(1).u16(0).u64(-1n);
    for (const o of options) b.opt(o.code, o.value);
    if (options.length) b.endOpts();
  });
}

/** An IDB; `options` written as raw option bytes (already in the block's byte order). */
export function ngIdb(le: boolean, linkType: number, snapLen: number, fillOptions?: (b: Bytes) => void): Uint8Array {
  return ngBlock(le, 1, (b) => {
    b.u16(linkType).u16(0).u32(snapLen);
    if (fillOptions) {
      fillOptions(b);
      b.endOpts();
    }
  });
}

export function ngEpb(le: boolean, ifaceId: number, ticks: bigint, data: Uint8Array, origLen = data.length, fillOptions?: (b: Bytes) => void): Uint8Array {
  return ngBlock(le, 6, (b) => {
    b.u32(ifaceId).ts(ticks).u32(data.length).u32(origLen).raw(data).pad();
    if (fillOptions) {
      fillOptions(b);
      b.endOpts();
    }
  });
}

export interface ClassicRecord {
  sec: number;
  frac: number;
  data: Uint8Array;
  origLen?: number;
}

export interface ClassicOptions {
  le?: boolean;
  nano?: boolean;
  /** The whole 32-bit link-type field (FCS bits included). Default 1 (Ethernet). */
  linkTypeField?: number;
  snapLen?: number;
  /** Kuznetzov's modified pcap: 8 more bytes per record header. */
  modified?: boolean;
}

/** A classic pcap file. */
export function classicPcap(o: ClassicOptions, records: readonly ClassicRecord[]): Uint8Array {
  const le = o.le ?? true;
  const magic = o.modified ? 0xa1b2cd34 : o.nano ? 0xa1b23c4d : 0xa1b2c3d4;
  const b = new Bytes(le).u32(magic).u16(2).u16(4).u32(0).u32(0).u32(o.snapLen ?? 262144).u32(o.linkTypeField ?? 1);
  for (const r of records) {
    b.u32(r.sec).u32(r.frac).u32(r.data.length).u32(r.origLen ?? r.data.length);
    if (o.modified) b.u32(7).u16(0x0800).u8(0).u8(0);
    b.raw(r.data);
  }
  return b.bytes();
}

/** Deterministic frame bytes: an Ethernet-looking header, then a pattern that depends on `seed`. */
export function frame(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed * 31 + i * 7) & 0xff;
  if (length >= 14) {
    out[12] = 0x08;
    out[13] = 0x00;
  }
  return out;
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const utf8 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'utf8'));

/**
 * Packet time is a double (TimestampNs): within 512 ns (two steps of a double at today's dates) of the
 * exact time. The exact raw timestamp is checked through tsTicks.
 */
export function assertNsNear(actual: number, exact: bigint, what = 'packet time'): void {
  const off = Math.abs(actual - Number(exact));
  if (!(off <= 512)) throw new assert.AssertionError({ message: `${what}: ${actual} is ${off} ns from ${exact}`, actual, expected: exact });
}

/** A packet without its packet time (for deepEqual; the time is checked with assertNsNear). */
export function withoutNs(p: CollectedPacket): Omit<CollectedPacket, 'tsNs'> {
  const { tsNs: _, ...rest } = p;
  return rest;
}

/** A packet as delivered, copied out of the reader's buffer. */
export interface CollectedPacket {
  section: number;
  ifaceId: number;
  linkType: number;
  tsTicks: bigint;
  /** Packet time (a double): compare with assertNsNear. */
  tsNs: number;
  data: string;
  origLen: number;
  options: { code: number; value: string }[] | null;
}

export interface Collected {
  result: ReadResult;
  sections: { section: number; options: { code: number; value: string }[] }[];
  interfaces: { section: number; ifaceId: number; iface: InterfaceDesc }[];
  packets: CollectedPacket[];
  others: OtherBlock[];
  /** Everything in delivery order, one tag per callback. */
  order: string[];
}

const optText = (o: PcapngOption) => ({ code: o.code, value: hex(o.value) });

/** Reads `file` and keeps a copy of everything delivered. */
export function collect(file: string): Collected {
  const c = emptyCollected();
  c.result = readCaptureFile(file, collector(c));
  return c;
}

/** collect() through the async driver (read-ahead, pauses every so many packets). */
export async function collectAsync(file: string): Promise<Collected> {
  const c = emptyCollected();
  let pauses = 0;
  // Every other pause waits a turn of the event loop, as a consumer with a full queue would.
  const pause = () => (++pauses % 2 === 0 ? new Promise<void>((resolve) => setImmediate(resolve)) : null);
  c.result = await readCaptureFileAsync(file, collector(c), { pause });
  return c;
}

function emptyCollected(): Collected {
  return { result: { packets: 0, format: null, error: null }, sections: [], interfaces: [], packets: [], others: [], order: [] };
}

function collector(c: Collected): CaptureFileHandlers {
  return {
    onSection(section, options) {
      c.sections.push({ section, options: options.map(optText) });
      c.order.push(`S${section}`);
    },
    onInterface(section, ifaceId, iface) {
      c.interfaces.push({ section, ifaceId, iface });
      c.order.push(`I${section}.${ifaceId}`);
    },
    onPacket(p) {
      // The raw forms agree with the computed ones (every reader test goes through here).
      const ticks = p.tsTicks;
      if (((BigInt(p.tsHigh) << 32n) | BigInt(p.tsLow)) !== BigInt.asUintN(64, ticks)) {
        throw new Error(`tsHigh/tsLow ${p.tsHigh}/${p.tsLow} disagree with tsTicks ${ticks}`);
      }
      if (!Buffer.from(p.buffer.subarray(p.offset, p.offset + p.capLen)).equals(p.data) || p.capLen !== p.data.length) {
        throw new Error('buffer/offset/capLen disagree with data');
      }
      c.packets.push({
        section: p.section, ifaceId: p.ifaceId, linkType: p.linkType, tsTicks: p.tsTicks, tsNs: p.tsNs,
        data: hex(p.data), origLen: p.origLen, options: p.options ? p.options.map(optText) : null,
      });
      c.order.push('P');
    },
    onOtherBlock(block) {
      c.others.push(block);
      c.order.push(`B${block.type}`);
    },
  };
}

/** A fresh temp folder, removed by the returned function. */
export function makeTempDir(): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-pcapio-'));
  return { dir, file: (name) => path.join(dir, name), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function writeFile(file: string, ...parts: Uint8Array[]): string {
  fs.writeFileSync(file, Buffer.concat(parts));
  return file;
}

/** Runs a Wireshark tool; returns stdout (stderr, such as tshark's "running as root" warning, is dropped). */
export function runTool(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
}
