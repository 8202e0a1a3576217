/**
 * Live capture through libpcap, via ftpflow's patched `cap` binding (patches/cap+0.2.1.patch).
 *
 * The patch gives each packet its kernel timestamp in ns, caplen and original length; delivers one
 * batch per pcap_dispatch round (one JS call for many packets) in a Buffer JS owns; exposes
 * pcap_stats; lets the caller pick snaplen, buffer size, immediate mode and read time-out; and never
 * prints to stderr. Immediate mode off plus a short time-out (100 ms) lets Linux use TPACKET_V3
 * blocks, where packets are packed by size instead of one snaplen-sized slot each.
 */
import { FatalError } from '../core/errors';
import type { TimestampNs } from '../core/types';
import { loadCapBinding, type CapError, type CapHandle, type CapOpenInfo } from './live-binding';
import { unpackBatch } from './live-batch';
import { dltFromLinkType, linkTypeFromCap } from './live-link-types';

export interface LiveOptions {
  device: string;
  /** libpcap capture filter; '' captures everything. */
  filter: string;
  /** Bytes kept of each packet (1..262144). */
  snaplen: number;
  /** Kernel buffer size in bytes. */
  bufferSize: number;
  /** Deliver each packet at once (TPACKET_V2 on Linux) instead of in blocks (TPACKET_V3). */
  immediate: boolean;
  /** Read time-out: the longest a packet waits in a part-filled block (ms). */
  timeoutMs: number;
}

export interface LivePacket {
  /** Capture time, exact ns since the epoch (written to the output as it is). */
  tsNs: bigint;
  /** Captured bytes; owned by the receiver (no one reuses the memory). */
  data: Uint8Array;
  /** Length on the wire (>= data.length). */
  origLen: number;
}

export interface LiveStats {
  /** Packets the capture mechanism received (libpcap ps_recv; on Linux it counts both copies of loopback packets). */
  recv: number;
  /** Packets dropped for lack of buffer space. */
  drop: number;
  /** Packets the interface or its driver dropped (where the OS reports it). */
  ifdrop: number;
}

export interface LiveCapture {
  /** Which mechanism captures: the patched cap binding in-process, or a dumpcap child. */
  readonly backend: 'libpcap' | 'dumpcap';
  /** LINKTYPE_* value of the packets. */
  readonly linkType: number;
  /** True when timestamps have ns precision; false when they are µs × 1000. */
  readonly nanoTimestamps: boolean;
  /** Non-fatal remarks from opening the device (one line each), for a log file. */
  readonly warnings: readonly string[];
  /**
   * Begin delivering packets, many per call. `onError` hears a read failure (interface gone, capture
   * process ended) once, after which no more batches come.
   */
  start(onBatch: (pkts: LivePacket[]) => void, onError?: (message: string) => void): void;
  stats(): LiveStats;
  /** Stop capturing and free the device; idempotent, never throws. */
  close(): void;
}

/** Why a device could not be opened: 'permission' and 'binding' are the cases a fallback can fix. */
export type DeviceOpenReason = 'permission' | 'no-device' | 'binding' | 'other';

/** E_DEVICE_OPEN with the reason a caller may act on (open-capture falls back to dumpcap). */
export class DeviceOpenError extends FatalError {
  constructor(message: string, readonly reason: DeviceOpenReason) {
    super('E_DEVICE_OPEN', message);
  }
}

const MAX_SNAPLEN = 262144;
const PCAP_ERROR_NO_SUCH_DEVICE = -5;
const PCAP_ERROR_PERM_DENIED = -8;
const PCAP_ERROR_PROMISC_PERM_DENIED = -11;

/** One line, whatever libpcap or a child process wrote. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** A libpcap/dumpcap error text that means "you may not capture here". */
export function isPermissionText(text: string): boolean {
  return /permission|not permitted|EPERM|EACCES/i.test(text);
}

/** Option errors are the caller's (E_ARGS); returns null when the options are usable. */
export function checkLiveOptions(o: LiveOptions): string | null {
  if (o.device === '') return 'no capture device given';
  if (!Number.isInteger(o.snaplen) || o.snaplen < 1 || o.snaplen > MAX_SNAPLEN) {
    return `snaplen must be an integer from 1 to ${MAX_SNAPLEN}, not ${o.snaplen}`;
  }
  if (!Number.isInteger(o.bufferSize) || o.bufferSize < 0 || o.bufferSize > 2 ** 31 - 1) {
    return `buffer size must be a non-negative integer number of bytes, not ${o.bufferSize}`;
  }
  if (!Number.isInteger(o.timeoutMs) || o.timeoutMs < 0 || o.timeoutMs > 60_000) {
    return `read time-out must be an integer from 0 to 60000 ms, not ${o.timeoutMs}`;
  }
  return null;
}

/** Opens `o.device` with libpcap. Throws FatalError: E_ARGS, E_FILTER, or DeviceOpenError (E_DEVICE_OPEN). */
export function openLiveCapture(o: LiveOptions): LiveCapture {
  const bad = checkLiveOptions(o);
  if (bad !== null) throw new FatalError('E_ARGS', bad);
  const load = loadCapBinding();
  if (load.kind !== 'ok') throw new DeviceOpenError(`cannot capture on "${o.device}": ${load.reason}`, 'binding');

  const handle = new load.binding.Cap();
  let info: CapOpenInfo;
  try {
    info = handle.open(o.device, o.filter, {
      snaplen: o.snaplen,
      bufferSize: o.bufferSize,
      immediate: o.immediate,
      timeoutMs: o.timeoutMs,
    });
  } catch (e) {
    throw openFailure(o, e as CapError);
  }
  return new LibpcapCapture(handle, info);
}

function openFailure(o: LiveOptions, e: CapError): FatalError {
  const text = oneLine(e.message || 'unknown libpcap error');
  if (e.stage === 'filter') return new FatalError('E_FILTER', `capture filter "${o.filter}" is not valid: ${text}`);
  const reason: DeviceOpenReason =
    e.pcapStatus === PCAP_ERROR_PERM_DENIED || e.pcapStatus === PCAP_ERROR_PROMISC_PERM_DENIED || isPermissionText(text)
      ? 'permission'
      : e.pcapStatus === PCAP_ERROR_NO_SUCH_DEVICE
        ? 'no-device'
        : 'other';
  return new DeviceOpenError(`cannot capture on "${o.device}": ${text}`, reason);
}

class LibpcapCapture implements LiveCapture {
  readonly backend = 'libpcap';
  readonly linkType: number;
  readonly nanoTimestamps: boolean;
  readonly warnings: readonly string[];
  private started = false;
  private closed = false;
  private lastStats: LiveStats = { recv: 0, drop: 0, ifdrop: 0 };

  constructor(private readonly handle: CapHandle, info: CapOpenInfo) {
    this.linkType = linkTypeFromCap(info.linkType, info.dlt);
    this.nanoTimestamps = info.tsPrecision === 'nano';
    this.warnings = info.warnings.map(oneLine);
  }

  start(onBatch: (pkts: LivePacket[]) => void, onError?: (message: string) => void): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.handle.on('batch', (data, meta, count) => {
      if (this.closed) return;
      const packets = unpackBatch(data, meta, count);
      if (packets.length > 0) onBatch(packets);
    });
    this.handle.on('readError', (message) => {
      if (!this.closed) onError?.(oneLine(message));
    });
    this.handle.start();
  }

  stats(): LiveStats {
    if (this.closed) return this.lastStats;
    try {
      const s = this.handle.stats();
      this.lastStats = { recv: s.recv, drop: s.drop, ifdrop: s.ifdrop };
    } catch {
      // Keep the last good counters: stats are advisory.
    }
    return this.lastStats;
  }

  close(): void {
    if (this.closed) return;
    this.stats();
    this.closed = true;
    try {
      this.handle.close();
    } catch {
      // Closing must not throw: the handle is gone either way.
    }
  }
}

/**
 * Whether `filter` compiles for `linkType` (LINKTYPE_*, Ethernet by default), without a device or
 * privileges. Returns null when valid, else libpcap's error text (one line). '' is valid.
 * When cap cannot be loaded the filter cannot be checked here: returns null and lets the capture
 * itself (libpcap or dumpcap) report a bad filter.
 */
export function checkCaptureFilter(filter: string, linkType = 1): string | null {
  if (filter.trim() === '') return null;
  const load = loadCapBinding();
  if (load.kind !== 'ok') return null;
  const error = load.binding.checkFilter(filter, dltFromLinkType(linkType), MAX_SNAPLEN);
  return error === null ? null : oneLine(error);
}
