import type { FrameNo, TimestampNs } from '../core/types';
import type { Counters } from '../core/counters';
import type { Connection } from '../ftp/connections';
import type { PcapngOption } from '../pcapng/model';

/** A classified frame waiting for its comment to be final enough. */
export interface HeldFrame {
  frameNo: FrameNo;
  ts: TimestampNs;
  data: Uint8Array;        // owned: copied out of (or handed over by) the source
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
  lookaheadNs: bigint;
  /** Frames held at once; past it the oldest leaves early. */
  maxFrames: number;
  /** Bytes held at once; past it the oldest leaves early. */
  maxBytes: number;
}

/**
 * The live pipeline's one ordered delay line. Clients such as curl open a data connection before
 * they send RETR; holding every frame a short while (bounded in packet time, count and bytes) lets
 * the first packets of a data connection carry the command too. Frames leave strictly in arrival
 * order — one queue for all flows — so nothing is ever reordered.
 */
export class DelayLine {
  private queue: HeldFrame[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly limits: DelayLimits, private readonly emit: (f: HeldFrame) => void, private readonly counters: Counters) {}

  get heldFrames(): number {
    return this.queue.length - this.head;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  push(f: HeldFrame): void {
    this.queue.push(f);
    this.bytes += f.data.length;
    while (this.heldFrames > this.limits.maxFrames) this.releaseOne('delay.released_by_count');
    while (this.bytes > this.limits.maxBytes && this.heldFrames > 0) this.releaseOne('delay.released_by_bytes');
  }

  /** Releases frames older than the look-ahead, measured against the newest packet time. */
  releaseByPacketTime(now: TimestampNs): void {
    const cutoff = now - this.limits.lookaheadNs;
    while (this.heldFrames > 0 && this.queue[this.head]!.ts <= cutoff) this.releaseOne(null);
  }

  /** Releases frames from the head for as long as `done` says their comment can no longer change. */
  releaseWhile(done: (f: HeldFrame) => boolean): void {
    while (this.heldFrames > 0 && done(this.queue[this.head]!)) this.releaseOne(null);
  }

  /** Releases frames that arrived before `cutoffMs` (wall clock): keeps latency bounded at low rates. */
  releaseByArrival(cutoffMs: number): void {
    while (this.heldFrames > 0 && this.queue[this.head]!.arrivedMs <= cutoffMs) this.releaseOne(null);
  }

  releaseAll(): void {
    while (this.heldFrames > 0) this.releaseOne(null);
  }

  private releaseOne(early: 'delay.released_by_count' | 'delay.released_by_bytes' | null): void {
    const f = this.queue[this.head]!;
    this.queue[this.head] = undefined as unknown as HeldFrame; // let the bytes go
    this.head++;
    this.bytes -= f.data.length;
    if (early) this.counters.inc(early);
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.emit(f);
  }
}

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

export function settled(f: HeldFrame): boolean {
  return f.block !== null || !mayStillChange(f.conn);
}
