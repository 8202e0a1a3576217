import type { TimestampNs } from '../core/types';
import type { Counters } from '../core/counters';
import type { Connection } from '../ftp/connections';
import type { OutputGap, PcapngFileWriter } from '../pcapng/file-writer';
import type { PcapngOption } from '../pcapng/model';
import { mayStillChange, type DelayLimits } from './delay-line';

interface WaitingFrame {
  gap: OutputGap;
  /** Packet time as a double (ns): compared with cut-offs without a BigInt allocation. */
  time: number;
  ifaceId: number;
  tsTicks: bigint;
  data: Uint8Array;
  origLen: number;
  options: PcapngOption[] | null;
  conn: Connection | null;
}

/**
 * The offline delay line. Clients such as curl open a data connection before they send RETR, so a
 * frame whose comment may still change (mayStillChange) leaves a gap in the output and waits here;
 * every other frame is written at once, behind the gaps (the write-behind queue keeps file order, so
 * nothing is reordered). A gap is filled, oldest first, when its frame's comment is final, when it has
 * waited the look-ahead in packet time, or early when too many frames or bytes wait behind gaps.
 * Only the few frames that must wait cost anything here; the bulk of a capture passes straight on.
 */
export class GapLine {
  private frames: WaitingFrame[] = [];
  private head = 0;
  private readonly lookaheadNs: number;

  constructor(
    private readonly limits: DelayLimits,
    private readonly writer: PcapngFileWriter,
    private readonly textFor: (conn: Connection | null) => string,
    private readonly counters: Counters,
  ) {
    this.lookaheadNs = Number(limits.lookaheadNs);
  }

  get waiting(): number {
    return this.frames.length - this.head;
  }

  /**
   * Leaves a gap for this frame and keeps a copy of its bytes (few frames wait, and mostly small ones: a
   * data connection's handshake before its command; the copy lets the reader reuse its buffers).
   */
  hold(ts: TimestampNs, ifaceId: number, tsTicks: bigint, data: Uint8Array, origLen: number, options: PcapngOption[] | null, conn: Connection | null): void {
    this.frames.push({ gap: this.writer.openGap(), time: Number(ts), ifaceId, tsTicks, data: data.slice(), origLen, options, conn });
  }

  /** After each packet: fills the gaps whose time is up or whose comment is final, and keeps within the limits. */
  afterPacket(now: TimestampNs): void {
    if (this.waiting === 0) return;
    const cutoff = Number(now) - this.lookaheadNs;
    while (this.waiting > 0) {
      const f = this.frames[this.head]!;
      if (f.time <= cutoff || !mayStillChange(f.conn)) this.fillOldest(null);
      else if (this.waiting > this.limits.maxFrames) this.fillOldest('delay.released_by_count');
      else if (this.writer.queuedBytes > this.limits.maxBytes) this.fillOldest('delay.released_by_bytes');
      else break;
    }
  }

  /** End of input: every gap is filled. */
  releaseAll(): void {
    while (this.waiting > 0) this.fillOldest(null);
  }

  private fillOldest(early: 'delay.released_by_count' | 'delay.released_by_bytes' | null): void {
    const f = this.frames[this.head]!;
    this.frames[this.head++] = undefined as unknown as WaitingFrame; // let the bytes go
    if (this.head > 4096 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
    if (early) this.counters.inc(early);
    const text = this.textFor(f.conn);
    this.writer.fillGap(f.gap, f.ifaceId, f.tsTicks, f.data, f.origLen, f.options, text === '' ? NO_COMMENTS : [text]);
  }
}

const NO_COMMENTS: readonly string[] = [];
