import type { FrameNo, TimestampNs } from '../core/types';
import type { Counters } from '../core/counters';
import type { Connection } from '../ftp/connections';
import type { PcapngOption } from '../pcapng/model';

/** A classified frame waiting for its comment to be final enough. */
export interface HeldFrame {
  frameNo: FrameNo;
  ts: TimestampNs;
  data: Uint8Array;        // kept as given: the source must not reuse its bytes while the frame waits
  origLen: number;
  conn: Connection | null;
  /** Wall-clock arrival (ms), so frames leave even when no new packet moves packet time. */
  arrivedMs: number;
  /** Output interface and raw timestamp (offline: as read; live: 0 and ns). */
  ifaceId: number;
  tsTicks: bigint;
  /** Options the input packet had (offline), null live. */
  options: PcapngOption[] | null;
  /** A non-packet block that must stay in order with the frames (offline: IDB, ISB, SHB of a new section). */
  block: Uint8Array | null;
}

export interface DelayLimits {
  /** A frame waits at most this much packet time (the extcap's --lookahead). */
  lookaheadNs: number;
  /** Frames held at once; past it the oldest leaves early. */
  maxFrames: number;
  /** Bytes held at once; past it the oldest leaves early. */
  maxBytes: number;
}

/**
 * The one ordered delay line (live and offline). Clients such as curl open a data connection before
 * they send RETR; holding frames a short while (bounded in packet time, count and bytes) lets the first
 * packets of a data connection carry the command too. Frames leave strictly in arrival order — one
 * queue for all flows — so nothing is ever reordered.
 *
 * Nearly every frame of a busy capture passes through here (one connection waiting for its command
 * holds up all frames behind it), so the queue is a ring of parallel arrays: push copies a frame's
 * fields in and allocates nothing; emit gets one reused HeldFrame, valid only during the call.
 */
export class DelayLine {
  private capacity = 1024;
  private head = 0;
  private count = 0;
  private bytes = 0;
  private frameNos: Float64Array = new Float64Array(this.capacity);
  /** Packet time (ns, a double). */
  private times: Float64Array = new Float64Array(this.capacity);
  private arrivals: Float64Array = new Float64Array(this.capacity);
  private origLens: Float64Array = new Float64Array(this.capacity);
  private ifaceIds: Int32Array = new Int32Array(this.capacity);
  private ticksList: bigint[] = new Array<bigint>(this.capacity).fill(0n);
  private dataList: Uint8Array[] = new Array<Uint8Array>(this.capacity).fill(NO_BYTES);
  private connList: (Connection | null)[] = new Array<Connection | null>(this.capacity).fill(null);
  private optionsList: (PcapngOption[] | null)[] = new Array<PcapngOption[] | null>(this.capacity).fill(null);
  private blockList: (Uint8Array | null)[] = new Array<Uint8Array | null>(this.capacity).fill(null);
  private readonly out: HeldFrame = {
    frameNo: 0, ts: 0, data: NO_BYTES, origLen: 0, conn: null, arrivedMs: 0, ifaceId: 0, tsTicks: 0n, options: null, block: null,
  };

  constructor(private readonly limits: DelayLimits, private readonly emit: (f: HeldFrame) => void, private readonly counters: Counters) {}

  get heldFrames(): number {
    return this.count;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** Queues a copy of `f`'s fields (the caller may reuse `f`; `data` and the other arrays are kept as given). */
  push(f: HeldFrame): void {
    if (this.count === this.capacity) this.grow();
    let i = this.head + this.count;
    if (i >= this.capacity) i -= this.capacity;
    this.frameNos[i] = f.frameNo;
    this.times[i] = f.ts;
    this.arrivals[i] = f.arrivedMs;
    this.origLens[i] = f.origLen;
    this.ifaceIds[i] = f.ifaceId;
    this.ticksList[i] = f.tsTicks;
    this.dataList[i] = f.data;
    this.connList[i] = f.conn;
    this.optionsList[i] = f.options;
    this.blockList[i] = f.block;
    this.count++;
    this.bytes += f.data.length;
    while (this.count > this.limits.maxFrames) this.releaseOne('delay.released_by_count');
    while (this.bytes > this.limits.maxBytes && this.count > 0) this.releaseOne('delay.released_by_bytes');
  }

  /** Releases frames older than the look-ahead, measured against the newest packet time. */
  releaseByPacketTime(now: TimestampNs): void {
    const cutoff = now - this.limits.lookaheadNs;
    while (this.count > 0 && this.times[this.head]! <= cutoff) this.releaseOne(null);
  }

  /** Releases frames from the head for as long as their comment can no longer change (see mayStillChange). */
  releaseSettled(): void {
    while (this.count > 0 && (this.blockList[this.head] !== null || !mayStillChange(this.connList[this.head]!))) this.releaseOne(null);
  }

  /** Releases frames that arrived before `cutoffMs` (wall clock): keeps latency bounded at low rates. */
  releaseByArrival(cutoffMs: number): void {
    while (this.count > 0 && this.arrivals[this.head]! <= cutoffMs) this.releaseOne(null);
  }

  releaseAll(): void {
    while (this.count > 0) this.releaseOne(null);
  }

  private releaseOne(early: 'delay.released_by_count' | 'delay.released_by_bytes' | null): void {
    const i = this.head;
    const f = this.out;
    f.frameNo = this.frameNos[i]!;
    f.ts = this.times[i]!;
    f.arrivedMs = this.arrivals[i]!;
    f.origLen = this.origLens[i]!;
    f.ifaceId = this.ifaceIds[i]!;
    f.tsTicks = this.ticksList[i]!;
    f.data = this.dataList[i]!;
    f.conn = this.connList[i]!;
    f.options = this.optionsList[i]!;
    f.block = this.blockList[i]!;
    // Let the bytes and objects go.
    this.dataList[i] = NO_BYTES;
    this.connList[i] = null;
    this.optionsList[i] = null;
    this.blockList[i] = null;
    this.head = i + 1 === this.capacity ? 0 : i + 1;
    this.count--;
    this.bytes -= f.data.length;
    if (early) this.counters.inc(early);
    this.emit(f);
  }

  /** Doubles the ring, its frames in order from index 0 (bounded by limits.maxFrames + 1). */
  private grow(): void {
    const n = this.capacity * 2;
    const order = (i: number): number => (this.head + i) % this.capacity;
    const f64 = (a: Float64Array): Float64Array => { const b = new Float64Array(n); for (let i = 0; i < this.count; i++) b[i] = a[order(i)]!; return b; };
    const list = <T>(a: T[], empty: T): T[] => { const b = new Array<T>(n).fill(empty); for (let i = 0; i < this.count; i++) b[i] = a[order(i)]!; return b; };
    this.frameNos = f64(this.frameNos);
    this.times = f64(this.times);
    this.arrivals = f64(this.arrivals);
    this.origLens = f64(this.origLens);
    const ids = new Int32Array(n);
    for (let i = 0; i < this.count; i++) ids[i] = this.ifaceIds[order(i)]!;
    this.ifaceIds = ids;
    this.ticksList = list(this.ticksList, 0n);
    this.dataList = list(this.dataList, NO_BYTES);
    this.connList = list<Connection | null>(this.connList, null);
    this.optionsList = list<PcapngOption[] | null>(this.optionsList, null);
    this.blockList = list<Uint8Array | null>(this.blockList, null);
    this.head = 0;
    this.capacity = n;
  }
}

const NO_BYTES = new Uint8Array(0);

/**
 * Whether a frame should wait for facts about its connection that come after it: a data connection
 * whose transfer command has not been sent yet (curl connects first), or a connection --detect-control
 * has not recognised yet. Everything else can be written at once.
 */
export function mayStillChange(conn: Connection | null): boolean {
  if (conn === null) return false;
  if (conn.kind === 'data') return conn.setup.transfer === null && conn.closedAt === null;
  return conn.session === null;
}
