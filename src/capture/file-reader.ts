/**
 * Reads a pcap or pcapng file and hands its sections, interfaces, packets and other blocks to callbacks,
 * in file order. Built for speed: large read buffers, records parsed in place, each packet's bytes handed
 * over as a view into the buffer. One parser (a generator that pauses when it needs more bytes) and two
 * drivers: readCaptureFile reads synchronously; readCaptureFileAsync keeps the next read in flight on
 * libuv's thread pool while the records of the current buffer are parsed, so the kernel's copy of the file
 * overlaps the work on them. Bad input never throws: it ends the read with an error
 * string, after every complete packet before it was delivered. (Exceptions thrown by the handlers pass
 * through untouched: they are the caller's.)
 */
import * as fs from 'node:fs';
import {
  BLOCK_EPB, BLOCK_IDB, BLOCK_OPB, BLOCK_SHB, BLOCK_SPB, IF_TSOFFSET, IF_TSRESOL,
} from '../pcapng/constants';
import { bodyToLittleEndian, readOptions } from '../pcapng/little-endian';
import type { FilePacket, InterfaceDesc, OtherBlock, PcapngOption } from '../pcapng/model';
import { osErrorReason } from '../pcapng/os-error';
import type { TimestampNs } from '../core/types';

export interface CaptureFileHandlers {
  /** A new section starts (classic pcap: one synthetic section without options). */
  onSection(section: number, shbOptions: PcapngOption[]): void;
  /** An interface is declared (classic pcap: one, from the file header, tsResol 6 or 9). */
  onInterface(section: number, ifaceId: number, iface: InterfaceDesc): void;
  /** A packet. The object and its `data` are reused: valid only during the call. */
  onPacket(pkt: FilePacket): void;
  /** ISB, NRB, DSB, custom and unknown blocks, in file order, so they can be copied through. */
  onOtherBlock(block: OtherBlock): void;
}

export interface ReadResult {
  /** Packets delivered to onPacket. */
  packets: number;
  /** The input's format; null when it is neither. */
  format: 'pcap' | 'pcapng' | null;
  /** One line saying what stopped the read early, or null when the whole file was read. */
  error: string | null;
}

export interface ReadOptions {
  /** Called at most every ~16 MiB, and once at the end. bytesTotal is 0 when the size is unknown (a FIFO). */
  onProgress?(bytesDone: number, bytesTotal: number): void;
  /**
   * readCaptureFile: the buffer to read into while records fit it (a bigger record gets a fresh one). A
   * caller can so place it in one ArrayBuffer with its own output buffer, and copy packets across with
   * copyWithin (no view per packet).
   */
  readBuffer?: Uint8Array;
}

export interface AsyncReadOptions extends ReadOptions {
  /**
   * Asked every PAUSE_CHECK_PACKETS packets and at every read: when it returns a promise, parsing waits
   * for it (a consumer whose output queue is full).
   */
  pause?(): Promise<void> | null;
}

const INITIAL_BUFFER_BYTES = 4 << 20;
/** Room kept before the bytes of a read-ahead, for the unparsed tail of the previous buffer (no copy of the new bytes). */
const TAIL_ROOM_BYTES = 256 << 10;
const PAUSE_CHECK_PACKETS = 1024;
const PROGRESS_EVERY_BYTES = 16 << 20;
/** Largest record believed when the input's size is unknown (a FIFO): anything bigger is corruption. */
const MAX_RECORD_BYTES_UNSIZED = 256 << 20;
const EMPTY = new Uint8Array(0);

const pad4 = (n: number): number => (n + 3) & ~3;
const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * The input seen through a buffer. `pos` is the parse position in `buf`. The parser asks `has(n)`; when
 * that is false it yields n, and its driver makes n bytes available from `pos` (refillSync or
 * refillAsync: the unread tail moves to the front of the buffer, which grows for a record bigger than it).
 */
class ByteSource {
  buf: Uint8Array = new Uint8Array(0);
  dv: DataView = new DataView(this.buf.buffer);
  pos = 0;
  filled = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private eof = false;
  ioError: string | null = null;
  /** The read-ahead in flight (async driver): its buffer holds the new bytes from TAIL_ROOM_BYTES on. */
  private ahead: Promise<{ into: Uint8Array; got: number }> | null = null;
  /** A buffer no view points into, for the next read-ahead. */
  private spare: Uint8Array | null = null;

  constructor(private readonly fd: number, readonly size: number, initial?: Uint8Array) {
    if (initial !== undefined) this.setBuffer(initial);
  }

  /** File offset of the parse position. */
  offset(): number {
    return this.base + this.pos;
  }

  available(): number {
    return this.filled - this.pos;
  }

  has(n: number): boolean {
    return this.filled - this.pos >= n;
  }

  /** Bytes of the input after the parse position, as far as is known (size unknown: a generous cap). */
  remaining(): number {
    return this.size >= 0 ? this.size - this.offset() : MAX_RECORD_BYTES_UNSIZED;
  }

  refillSync(n: number): boolean {
    this.compact(Math.max(n, INITIAL_BUFFER_BYTES));
    while (this.filled < n && !this.eof) {
      let got: number;
      try {
        got = fs.readSync(this.fd, this.buf, this.filled, this.buf.length - this.filled, null);
      } catch (err) {
        this.ioError = osErrorReason(err);
        got = 0;
      }
      if (got === 0) this.eof = true;
      else this.filled += got;
    }
    return this.filled >= n;
  }

  async refillAsync(n: number): Promise<boolean> {
    while (this.filled - this.pos < n && !this.eof) {
      const { into, got } = await (this.ahead ?? this.readAhead());
      this.ahead = null;
      if (got === 0) {
        this.eof = true;
        break;
      }
      const tail = this.filled - this.pos;
      if (tail <= TAIL_ROOM_BYTES) {
        // The tail goes just before the new bytes: only the tail is copied, never the new bytes.
        into.set(this.buf.subarray(this.pos, this.filled), TAIL_ROOM_BYTES - tail);
        this.spare = this.buf; // views into it were valid only during their callbacks
        this.base += this.pos - (TAIL_ROOM_BYTES - tail);
        this.setBuffer(into);
        this.pos = TAIL_ROOM_BYTES - tail;
        this.filled = TAIL_ROOM_BYTES + got;
      } else {
        // A record longer than the tail room: join into a buffer big enough for it (rare).
        this.compact(Math.max(tail + got, n));
        this.buf.set(into.subarray(TAIL_ROOM_BYTES, TAIL_ROOM_BYTES + got), this.filled);
        this.filled += got;
      }
      if (!this.eof) this.ahead = this.readAhead();
    }
    return this.filled - this.pos >= n;
  }

  /** Waits for a read-ahead still in flight (so the file is not closed under it). */
  async settle(): Promise<void> {
    if (this.ahead !== null) await this.ahead;
    this.ahead = null;
  }

  private readAhead(): Promise<{ into: Uint8Array; got: number }> {
    const size = TAIL_ROOM_BYTES + INITIAL_BUFFER_BYTES;
    const into = this.spare !== null && this.spare.length === size ? this.spare : freshBuffer(size);
    this.spare = null;
    return new Promise((resolve) => {
      fs.read(this.fd, into, TAIL_ROOM_BYTES, INITIAL_BUFFER_BYTES, null, (err, got) => {
        if (err) this.ioError = osErrorReason(err);
        resolve({ into, got: err ? 0 : got });
      });
    });
  }

  /**
   * Moves the unread tail to the front of a buffer of at least `capacity` bytes: the same one, or a fresh
   * one when it is too small.
   */
  private compact(capacity: number): void {
    const tail = this.filled - this.pos;
    if (this.buf.length >= capacity) {
      if (this.pos > 0) this.buf.copyWithin(0, this.pos, this.filled);
    } else {
      const size = Math.max(capacity, this.buf.length * 2);
      const fresh = freshBuffer(size);
      fresh.set(this.buf.subarray(this.pos, this.filled));
      this.setBuffer(fresh);
    }
    this.base += this.pos;
    this.filled = tail;
    this.pos = 0;
  }

  private setBuffer(b: Uint8Array): void {
    this.buf = b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.length);
  }
}

/** No zero-fill (bytes past `filled` are never read), and a plain Uint8Array view: Buffer#subarray is slower. */
function freshBuffer(size: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
}

type Parser = Generator<number, ReadResult, boolean>;

/** Reads `path` to the end (or to the first damage), calling `h` for everything in it. Never throws for bad input. */
export function readCaptureFile(path: string, h: CaptureFileHandlers, opts: ReadOptions = {}): ReadResult {
  const input = openInput(path);
  if ('error' in input) return input;
  try {
    const src = new ByteSource(input.fd, input.size, opts.readBuffer);
    const parser = parseCapture(path, src, h, new Progress(src, opts.onProgress));
    let step = parser.next();
    while (!step.done) step = parser.next(step.value === 0 || src.refillSync(step.value));
    return step.value;
  } finally {
    fs.closeSync(input.fd);
  }
}

/**
 * readCaptureFile with the next read always in flight while the current buffer is parsed. Handlers are
 * still called synchronously, in file order; `pause` lets a consumer with a full output queue hold parsing.
 */
export async function readCaptureFileAsync(path: string, h: CaptureFileHandlers, opts: AsyncReadOptions = {}): Promise<ReadResult> {
  const input = openInput(path);
  if ('error' in input) return input;
  const src = new ByteSource(input.fd, input.size);
  try {
    const parser = parseCapture(path, src, h, new Progress(src, opts.onProgress));
    let step = parser.next();
    while (!step.done) {
      const wait = opts.pause?.();
      if (wait) await wait;
      step = parser.next(step.value === 0 || await src.refillAsync(step.value));
    }
    return step.value;
  } finally {
    await src.settle();
    fs.closeSync(input.fd);
  }
}

function openInput(path: string): { fd: number; size: number } | ReadResult {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    return { packets: 0, format: null, error: `${path}: ${osErrorReason(err)}` };
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) {
      fs.closeSync(fd);
      return { packets: 0, format: null, error: `${path}: is a directory` };
    }
    return { fd, size: st.isFile() ? st.size : -1 };
  } catch (err) {
    fs.closeSync(fd);
    return { packets: 0, format: null, error: `${path}: ${osErrorReason(err)}` };
  }
}

/**
 * The parser: yields n > 0 when it needs n bytes from the parse position (resumed with whether they are
 * there), and 0 every PAUSE_CHECK_PACKETS packets (a chance for the driver to wait for its consumer).
 */
function* parseCapture(path: string, src: ByteSource, h: CaptureFileHandlers, progress: Progress): Parser {
  const notCapture: ReadResult = { packets: 0, format: null, error: `${path}: not a pcap or pcapng file` };
  if (!(src.has(4) || (yield 4))) return src.ioError ? { ...notCapture, error: `${path}: ${src.ioError}` } : notCapture;
  const b = src.buf;
  const p = src.pos;
  const m = (b[p]! << 24 | b[p + 1]! << 16 | b[p + 2]! << 8 | b[p + 3]!) >>> 0;
  let result: ReadResult;
  if (m === BLOCK_SHB) result = yield* readPcapng(path, src, h, progress);
  else {
    const classic = classicMagic(m);
    if (!classic) return notCapture;
    result = yield* readPcap(path, src, h, progress, classic);
  }
  progress.finish();
  return result;
}

/** Calls onProgress at most every PROGRESS_EVERY_BYTES, and once at the end. */
class Progress {
  private next = PROGRESS_EVERY_BYTES;
  private last = -1;
  constructor(private readonly src: ByteSource, private readonly cb: ReadOptions['onProgress']) {}

  tick(): void {
    if (this.cb === undefined) return;
    const done = this.src.offset();
    if (done < this.next) return;
    this.next = done + PROGRESS_EVERY_BYTES;
    this.report(done);
  }

  finish(): void {
    if (this.cb !== undefined && this.src.offset() !== this.last) this.report(this.src.offset());
  }

  private report(done: number): void {
    this.last = done;
    this.cb!(done, Math.max(this.src.size, 0));
  }
}

// ---------------------------------------------------------------------------------------------
// Classic pcap

interface ClassicFormat {
  le: boolean;
  nano: boolean;
  /** Record header bytes: 16, or 24 for Alexey Kuznetzov's modified format (extra ifindex/protocol/type). */
  recordHeader: number;
}

function classicMagic(m: number): ClassicFormat | null {
  switch (m) {
    case 0xd4c3b2a1: return { le: true, nano: false, recordHeader: 16 };
    case 0xa1b2c3d4: return { le: false, nano: false, recordHeader: 16 };
    case 0x4d3cb2a1: return { le: true, nano: true, recordHeader: 16 };
    case 0xa1b23c4d: return { le: false, nano: true, recordHeader: 16 };
    case 0x34cdb2a1: return { le: true, nano: false, recordHeader: 24 };
    case 0xa1b2cd34: return { le: false, nano: false, recordHeader: 24 };
    default: return null;
  }
}

function* readPcap(path: string, src: ByteSource, h: CaptureFileHandlers, progress: Progress, f: ClassicFormat): Parser {
  const { le, nano, recordHeader } = f;
  let packets = 0;
  const stop = (what: string): ReadResult =>
    ({ packets, format: 'pcap', error: src.ioError ? `${path}: ${src.ioError}` : `${path}: truncated at byte ${src.offset()} (${what})` });

  if (!(src.has(24) || (yield 24))) return stop(`the file header needs 24 bytes, ${src.available()} present`);
  const snapLen = src.dv.getUint32(src.pos + 16, le);
  const linkType = src.dv.getUint32(src.pos + 20, le) & 0xffff; // upper bits: FCS length and reserved flags
  src.pos += 24;
  h.onSection(0, []);
  h.onInterface(0, 0, { linkType, snapLen, tsResol: nano ? 9 : 6, tsOffsetSec: 0n, options: [] });

  const pkt = new ReadPacket();
  pkt.linkType = linkType;
  pkt.stamp = nano ? Stamp.PcapNano : Stamp.PcapMicro;
  for (;;) {
    if (!(src.has(recordHeader) || (yield recordHeader))) {
      if (src.available() === 0 && !src.ioError) break;
      return stop(`record header needs ${recordHeader} bytes, ${src.available()} present`);
    }
    let p = src.pos;
    const dv = src.dv;
    const sec = dv.getUint32(p, le);
    const frac = dv.getUint32(p + 4, le);
    const capLen = dv.getUint32(p + 8, le);
    const origLen = dv.getUint32(p + 12, le);
    const recLen = recordHeader + capLen;
    if (recLen > src.remaining() || !(src.has(recLen) || (yield recLen))) {
      return stop(`record of ${capLen} captured bytes, ${Math.max(src.remaining() - recordHeader, 0)} left in the file`);
    }
    p = src.pos; // a refill may have moved the bytes
    pkt.stampA = sec;
    pkt.stampB = frac;
    pkt.buffer = src.buf;
    pkt.offset = p + recordHeader;
    pkt.capLen = capLen;
    pkt.origLen = origLen;
    h.onPacket(pkt);
    packets++;
    src.pos = p + recLen;
    progress.tick();
    if (packets % PAUSE_CHECK_PACKETS === 0) yield 0;
  }
  return { packets, format: 'pcap', error: null };
}

// ---------------------------------------------------------------------------------------------
// pcapng

/** How one interface's ticks become packet time (ns since the epoch, a double: see TimestampNs). */
interface TickClock {
  linkType: number;
  snapLen: number;
  /** ns per tick: 10^(9 - r) for if_tsresol r, or 1e9 / 2^r for a binary one. */
  nsPerTick: number;
  /** if_tsoffset in ns. */
  offsetNs: number;
}

/** Packets naming an interface no IDB declared: µs assumed (the pcapng default), linkType -1. */
const UNDECLARED: TickClock = { linkType: -1, snapLen: 0, nsPerTick: 1000, offsetNs: 0 };

function tickClock(iface: InterfaceDesc): TickClock {
  const r = iface.tsResol;
  const nsPerTick = r & 0x80 ? 1e9 / 2 ** (r & 0x7f) : 10 ** (9 - r);
  return { linkType: iface.linkType, snapLen: iface.snapLen, nsPerTick, offsetNs: Number(iface.tsOffsetSec) * 1e9 };
}

// Assembles a little-endian pcapng timestamp (u32 high, u32 low) into one BigInt with a single allocation.
const tsScratch = new DataView(new ArrayBuffer(8));

const TWO_POW_32 = 4294967296;

/** Which raw timestamp a packet holds: pcap seconds and µs or ns fraction, pcapng tick words, none (SPB). */
const enum Stamp { PcapMicro, PcapNano, Pcapng, None }

/**
 * The packet object the parsers fill in place (one per read). Raw numbers only: the view and the BigInts
 * are made when a consumer asks for them, so a consumer that needs neither pays for neither.
 */
class ReadPacket implements FilePacket {
  section = 0;
  ifaceId = 0;
  linkType = -1;
  buffer: Uint8Array = EMPTY;
  offset = 0;
  capLen = 0;
  origLen = 0;
  options: PcapngOption[] | null = null;
  stamp = Stamp.None;
  /** PcapMicro/PcapNano: seconds; Pcapng: high tick word. */
  stampA = 0;
  /** PcapMicro/PcapNano: fraction; Pcapng: low tick word. */
  stampB = 0;
  clock: TickClock = UNDECLARED;

  get data(): Uint8Array {
    return this.buffer.subarray(this.offset, this.offset + this.capLen);
  }

  get tsHigh(): number {
    switch (this.stamp) {
      case Stamp.PcapMicro: return Math.floor(this.micros() / TWO_POW_32);
      case Stamp.PcapNano: return Number(this.tsTicks >> 32n);
      case Stamp.Pcapng: return this.stampA;
      default: return 0;
    }
  }

  get tsLow(): number {
    switch (this.stamp) {
      // ToUint32 is the value modulo 2^32, exact below 2^53, and compiles to a truncation (`%` on doubles is a call).
      case Stamp.PcapMicro: return this.micros() >>> 0;
      case Stamp.PcapNano: return Number(this.tsTicks & 0xffffffffn);
      case Stamp.Pcapng: return this.stampB;
      default: return 0;
    }
  }

  get tsTicks(): bigint {
    switch (this.stamp) {
      case Stamp.PcapMicro: return BigInt(this.micros());
      // seconds * 1e9 passes 2^53: only BigInt arithmetic is exact here.
      case Stamp.PcapNano: return BigInt(this.stampA) * 1_000_000_000n + BigInt(this.stampB);
      case Stamp.Pcapng:
        tsScratch.setUint32(0, this.stampB, true);
        tsScratch.setUint32(4, this.stampA, true);
        return tsScratch.getBigUint64(0, true);
      default: return 0n;
    }
  }

  /** Packet time as a double, without a BigInt (see TimestampNs). */
  get tsNs(): TimestampNs {
    switch (this.stamp) {
      case Stamp.PcapMicro: return this.micros() * 1000;
      case Stamp.PcapNano: return this.stampA * 1e9 + this.stampB;
      case Stamp.Pcapng: return (this.stampA * TWO_POW_32 + this.stampB) * this.clock.nsPerTick + this.clock.offsetNs;
      default: return 0;
    }
  }

  /** pcap µs ticks: below 2^53, exact as a double. */
  private micros(): number {
    return this.stampA * 1_000_000 + this.stampB;
  }
}

function* readPcapng(path: string, src: ByteSource, h: CaptureFileHandlers, progress: Progress): Parser {
  let packets = 0;
  let section = -1;
  let le = true;
  let clocks: TickClock[] = [];
  let pausedAt = 0;
  const pkt = new ReadPacket();
  const stop = (at: number, what: string): ReadResult =>
    ({ packets, format: 'pcapng', error: src.ioError ? `${path}: ${src.ioError}` : `${path}: truncated at byte ${at} (${what})` });

  /** `tsAt`: where the block's two timestamp words are, or -1 for none (SPB). */
  const deliver = (ifaceId: number, dv: DataView, tsAt: number, dataStart: number, capLen: number, origLen: number, options: PcapngOption[] | null): void => {
    const c = clocks[ifaceId] ?? UNDECLARED;
    pkt.section = section;
    pkt.ifaceId = ifaceId;
    pkt.linkType = c.linkType;
    pkt.clock = c;
    if (tsAt < 0) pkt.stamp = Stamp.None;
    else {
      // High word first, then low, each in the section's byte order.
      pkt.stamp = Stamp.Pcapng;
      pkt.stampA = dv.getUint32(tsAt, le);
      pkt.stampB = dv.getUint32(tsAt + 4, le);
    }
    pkt.buffer = src.buf;
    pkt.offset = dataStart;
    pkt.capLen = capLen;
    pkt.origLen = origLen;
    pkt.options = options;
    h.onPacket(pkt);
    packets++;
  };

  for (;;) {
    const at = src.offset();
    if (!(src.has(8) || (yield 8))) {
      if (src.available() === 0 && !src.ioError) break;
      return stop(at, `${src.available()} bytes left, too few for a block header`);
    }
    let p = src.pos;
    let dv = src.dv;
    const type = dv.getUint32(p, le);
    if (type === BLOCK_SHB) {
      // The section header fixes the byte order of everything up to the next one: read it before the length.
      if (!(src.has(12) || (yield 12))) return stop(at, 'section header block cut short');
      p = src.pos;
      const magic = src.dv.getUint32(p + 8, true);
      if (magic === 0x1a2b3c4d) le = true;
      else if (magic === 0x4d3c2b1a) le = false;
      else if (section < 0) return { packets: 0, format: null, error: `${path}: not a pcap or pcapng file` };
      else return stop(at, `section header with a bad byte-order magic ${hex(magic)}`);
    }
    dv = src.dv;
    const len = dv.getUint32(p + 4, le);
    if (len < 12 || (len & 3) !== 0) return stop(at, `block type ${hex(type)} has a bad length ${len}`);
    if (len > src.remaining() || !(src.has(len) || (yield len))) {
      return stop(at, `block type ${hex(type)} of ${len} bytes, ${Math.max(src.remaining(), 0)} left in the file`);
    }
    p = src.pos;
    dv = src.dv;
    const trailer = dv.getUint32(p + len - 4, le);
    if (trailer !== len) return stop(at, `block type ${hex(type)} says ${len} bytes at its start, ${trailer} at its end`);
    const bodyEnd = p + len - 4;
    const buf = src.buf;

    switch (type) {
      case BLOCK_SHB: {
        if (len < 28) return stop(at, `section header of ${len} bytes, at least 28 needed`);
        const major = dv.getUint16(p + 12, le);
        const minor = dv.getUint16(p + 14, le);
        if (major !== 1) {
          const error = `${path}: pcapng version ${major}.${minor} at byte ${at} is not supported`;
          return { packets, format: section < 0 ? null : 'pcapng', error };
        }
        section++;
        clocks = [];
        h.onSection(section, readOptions(buf, p + 24, bodyEnd, le, BLOCK_SHB) ?? []);
        break;
      }
      case BLOCK_IDB: {
        if (len < 20) return stop(at, `interface description of ${len} bytes, at least 20 needed`);
        const iface: InterfaceDesc = {
          linkType: dv.getUint16(p + 8, le), snapLen: dv.getUint32(p + 12, le), tsResol: 6, tsOffsetSec: 0n, options: [],
        };
        for (const o of readOptions(buf, p + 16, bodyEnd, le, BLOCK_IDB) ?? []) {
          if (o.code === IF_TSRESOL) {
            if (o.value.length >= 1) iface.tsResol = o.value[0]!;
            continue;
          }
          if (o.code === IF_TSOFFSET && o.value.length === 8) {
            iface.tsOffsetSec = new DataView(o.value.buffer, o.value.byteOffset, 8).getBigInt64(0, true);
          }
          iface.options.push(o);
        }
        clocks.push(tickClock(iface));
        h.onInterface(section, clocks.length - 1, iface);
        break;
      }
      case BLOCK_EPB: {
        if (len < 32) return stop(at, `enhanced packet block of ${len} bytes, at least 32 needed`);
        const capLen = dv.getUint32(p + 20, le);
        if (capLen > len - 32) return stop(at, `enhanced packet block of ${len} bytes cannot hold ${capLen} captured bytes`);
        const optStart = p + 28 + pad4(capLen);
        const options = optStart < bodyEnd ? readOptions(buf, optStart, bodyEnd, le, BLOCK_EPB) : null;
        deliver(dv.getUint32(p + 8, le), dv, p + 12, p + 28, capLen, dv.getUint32(p + 24, le), options);
        break;
      }
      case BLOCK_SPB: {
        if (len < 16) return stop(at, `simple packet block of ${len} bytes, at least 16 needed`);
        const origLen = dv.getUint32(p + 8, le);
        // No captured length in an SPB: the smaller of the wire length, the block and the snaplen.
        let capLen = Math.min(origLen, len - 16);
        const snap = clocks[0]?.snapLen ?? 0;
        if (snap > 0 && snap < capLen) capLen = snap;
        deliver(0, dv, -1, p + 12, capLen, origLen, null);
        break;
      }
      case BLOCK_OPB: {
        if (len < 32) return stop(at, `packet block of ${len} bytes, at least 32 needed`);
        const capLen = dv.getUint32(p + 20, le);
        if (capLen > len - 32) return stop(at, `packet block of ${len} bytes cannot hold ${capLen} captured bytes`);
        const optStart = p + 28 + pad4(capLen);
        const options = optStart < bodyEnd ? readOptions(buf, optStart, bodyEnd, le, BLOCK_OPB) : null;
        deliver(dv.getUint16(p + 8, le), dv, p + 12, p + 28, capLen, dv.getUint32(p + 24, le), options);
        break;
      }
      default: {
        const body = buf.slice(p + 8, bodyEnd);
        h.onOtherBlock({ section, type, body: le ? body : bodyToLittleEndian(type, body) });
        break;
      }
    }
    src.pos = p + len;
    progress.tick();
    if (packets % PAUSE_CHECK_PACKETS === 0 && packets !== pausedAt) {
      pausedAt = packets;
      yield 0;
    }
  }
  return { packets, format: 'pcapng', error: null };
}

