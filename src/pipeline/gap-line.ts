import type { TimestampNs } from '../core/types';
import type { CounterName } from '../core/counter-names';
import type { Counters } from '../core/counters';
import { Fifo } from '../core/fifo';
import type { Connection } from '../ftp/connections';
import type { OutputGap, PcapngFileWriter } from '../pcapng/file-writer';
import type { PcapngOption } from '../pcapng/model';
import { mayStillChange, type DelayLimits } from './delay-line';
import { NO_COMMENTS } from './rewrite-blocks';

/**
 * Where the frames of a gap line go once their comment is settled. `T` is what the sink needs to find
 * the frame's place again (a gap in the output and a copy of the frame, or just its frame number).
 */
export interface GapSink<T> {
  /** The frame's comment is final ('' for none): write it or hand it on. */
  fill(item: T, conn: Connection | null, text: string): void;
  /**
   * Non-null when what waits behind the gaps is over the sink's own limit (bytes queued behind them,
   * frames since the oldest): the counter an early release is counted in. `oldest`: the oldest waiting.
   */
  overLimit(oldest: T): CounterName | null;
}

/**
 * The offline delay line. Clients such as curl open a data connection before they send RETR, so a
 * frame whose comment may still change (mayStillChange) leaves a gap and waits here; every other frame
 * goes on at once, behind the gaps (the sink keeps file order, so nothing is reordered). A gap is filled,
 * oldest first, when its frame's comment is final, when it has waited the look-ahead in packet time, or
 * early when too many frames wait or the sink is over its limit. Only the few frames that must wait cost
 * anything here; the bulk of a capture passes straight on.
 */
export class GapLine<T> {
  /** Waiting frames, oldest first; `due`: the packet time when its wait is up. */
  private readonly frames = new Fifo<{ item: T; conn: Connection | null; due: TimestampNs }>();
  constructor(
    private readonly limits: DelayLimits,
    private readonly sink: GapSink<T>,
    private readonly textFor: (conn: Connection | null) => string,
    private readonly counters: Counters,
  ) {}

  /** The oldest frame still waiting, or undefined. */
  oldest(): T | undefined {
    return this.frames.peek()?.item;
  }

  /** This frame waits for its comment. */
  hold(ts: TimestampNs, item: T, conn: Connection | null): void {
    this.frames.push({ item, conn, due: ts + this.limits.lookaheadNs });
  }

  /**
   * After each packet: fills the gaps whose time is up or whose comment is final, and keeps within the
   * limits. `nowNs`: this packet's time.
   */
  afterPacket(nowNs: TimestampNs): void {
    for (let f = this.frames.peek(); f !== undefined; f = this.frames.peek()) {
      let early: CounterName | null = null;
      if (nowNs < f.due && mayStillChange(f.conn)) {
        early = this.frames.size > this.limits.maxFrames ? 'delay.released_by_count' : this.sink.overLimit(f.item);
        if (early === null) return;
      }
      this.fillOldest(early);
    }
  }

  /** End of input: every gap is filled. */
  releaseAll(): void {
    while (this.frames.size > 0) this.fillOldest(null);
  }

  private fillOldest(early: CounterName | null): void {
    const { item, conn } = this.frames.shift()!;
    if (early) this.counters.inc(early);
    this.sink.fill(item, conn, this.textFor(conn));
  }
}

/** A frame of the one-thread path waiting in its output gap, with a copy of its bytes. */
export interface GapFrame {
  gap: OutputGap;
  ifaceId: number;
  tsTicks: bigint;
  data: Uint8Array;
  origLen: number;
  options: PcapngOption[] | null;
}

/** The one-thread path's sink: gaps in a write-behind output, limited by the bytes queued behind them. */
export class WriterGaps implements GapSink<GapFrame> {
  constructor(private readonly writer: PcapngFileWriter, private readonly maxBytes: number) {}

  /** Leaves a gap for this frame and keeps a copy of its bytes (the reader reuses its buffers). */
  open(ifaceId: number, tsTicks: bigint, data: Uint8Array, origLen: number, options: PcapngOption[] | null): GapFrame {
    return { gap: this.writer.openGap(), ifaceId, tsTicks, data: data.slice(), origLen, options };
  }

  fill(f: GapFrame, _conn: Connection | null, text: string): void {
    this.writer.fillGap(f.gap, f.ifaceId, f.tsTicks, f.data, f.origLen, f.options, text === '' ? NO_COMMENTS : [text]);
  }

  overLimit(_oldest: GapFrame): CounterName | null {
    return this.writer.queuedBytes > this.maxBytes ? 'delay.released_by_bytes' : null;
  }
}

