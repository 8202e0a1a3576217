import type { LiveCapture, LivePacket } from '../capture/live-source';
import type { Log } from '../core/log-file';
import { encodeIsb } from '../pcapng/encode';
import type { PcapngStreamWriter } from '../pcapng/stream-writer';
import type { TrackerObserver } from '../ftp/tracker';
import { DelayLine, type HeldFrame } from './delay-line';
import { changedLate, commentNow } from './labels';
import { Engine, type EngineOptions } from './engine';

export interface LiveLimits {
  /** Packet time a frame may wait for its connection's command (--lookahead). */
  lookaheadNs: number;
  /** Frames the delay line holds at most. */
  maxHeldFrames: number;
  /** Bytes the delay line and the FIFO backlog hold together; packets arriving past it are dropped and counted. */
  maxQueuedBytes: number;
  /** How often interface statistics (ISB) are written (wall clock). */
  statsEveryMs: number;
  /** How often held frames are checked against the wall clock (keeps latency ~lookahead at low rates). */
  tickMs: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = {
  lookaheadNs: 1e9,
  maxHeldFrames: 200_000,
  maxQueuedBytes: 128 * 1024 * 1024,
  statsEveryMs: 5_000,
  tickMs: 100,
};

const NO_COMMENTS: readonly string[] = [];

/**
 * The live pipeline: capture batches → engine → delay line → pcapng into the FIFO, with periodic
 * interface statistics. Memory is bounded by `maxQueuedBytes`: when Wireshark reads slower than
 * packets arrive, new packets are dropped (before the engine sees them, so frame numbers and
 * setup_frame stay true) and counted in the ISB's isb_osdrop.
 */
export class LivePipeline {
  readonly engine: Engine;
  private readonly delay: DelayLine;
  private frameNo = 0;
  private written = 0;
  private dropped = 0;
  /** High-water marks of the bounded queue (delay line + FIFO backlog), for the log and the live benchmark. */
  private peakQueuedBytes = 0;
  private peakHeldFrames = 0;
  private readonly startNs = BigInt(Date.now()) * 1_000_000n;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly capture: LiveCapture,
    private readonly writer: PcapngStreamWriter,
    engineOptions: EngineOptions,
    private readonly limits: LiveLimits,
    private readonly log: Log,
    observer: TrackerObserver = {},
  ) {
    this.engine = new Engine(engineOptions, {
      ...observer,
      onConnectionEnd: (c) => {
        if (changedLate(c)) this.engine.counters.inc('annotate.late_update');
        observer.onConnectionEnd?.(c);
      },
    }, (frameNo, err) => log.message(`internal error on frame ${frameNo}: ${err instanceof Error ? err.stack : String(err)}`));
    const maxBytes = Math.floor(limits.maxQueuedBytes / 2);
    this.delay = new DelayLine({ lookaheadNs: limits.lookaheadNs, maxFrames: limits.maxHeldFrames, maxBytes }, (f) => this.emit(f), this.engine.counters);
  }

  start(onCaptureError: (message: string) => void): void {
    this.capture.start((pkts) => this.onBatch(pkts), onCaptureError);
    this.timers.push(setInterval(() => this.tick(), this.limits.tickMs));
    this.timers.push(setInterval(() => this.writeStats(), this.limits.statsEveryMs));
    for (const t of this.timers) t.unref();
  }

  /** Stops capturing, writes every held frame and a last ISB. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.capture.close();
    this.delay.releaseAll();
    this.writeStats();
    this.writer.flush();
    this.engine.finish();
    const c = this.engine.counters.snapshot();
    const peak = this.queuePeak;
    this.log.info(`stopped: ${this.frameNo} frames classified, ${this.written} written, ${this.dropped} dropped; `
      + `queue peak ${peak.bytes}/${this.limits.maxQueuedBytes} bytes, ${peak.frames}/${this.limits.maxHeldFrames} frames; ${JSON.stringify(c)}`);
  }

  /** The most the bounded queue held at once: bytes (delay line + FIFO backlog) and frames in the delay line. */
  get queuePeak(): { bytes: number; frames: number } {
    return { bytes: this.peakQueuedBytes, frames: this.peakHeldFrames };
  }

  get framesWritten(): number {
    return this.written;
  }

  get framesDropped(): number {
    return this.dropped;
  }

  private onBatch(pkts: LivePacket[]): void {
    if (this.stopped || this.writer.isClosed) return;
    const arrivedMs = Date.now();
    let last: number | null = null;
    for (const p of pkts) {
      if (this.delay.heldBytes + this.writer.backlogBytes > this.limits.maxQueuedBytes) {
        this.dropped++;
        continue;
      }
      const frameNo = ++this.frameNo;
      const ts = Number(p.tsNs); // packet time for the engine; the exact ns go to the output
      const conn = this.engine.classify(frameNo, ts, this.capture.linkType, p.data);
      this.delay.push({ frameNo, ts, data: p.data, origLen: p.origLen, conn, arrivedMs, ifaceId: 0, tsTicks: p.tsNs, options: null, block: null });
      last = ts;
    }
    // Measured before the release: the queue is fullest right after a batch went in.
    this.peakQueuedBytes = Math.max(this.peakQueuedBytes, this.delay.heldBytes + this.writer.backlogBytes);
    this.peakHeldFrames = Math.max(this.peakHeldFrames, this.delay.heldFrames);
    if (last !== null) this.delay.releaseByPacketTime(last);
    // Frames whose comment is final leave at once: the look-ahead only holds what may still change.
    this.delay.releaseSettled();
    this.writer.flush();
  }

  private tick(): void {
    if (this.stopped) return;
    this.delay.releaseByArrival(Date.now() - this.limits.lookaheadNs / 1e6);
    this.delay.releaseSettled();
    this.writer.flush();
  }

  private emit(f: HeldFrame): void {
    const text = f.conn ? commentNow(f.conn) : '';
    this.writer.writeEpb(0, f.tsTicks, f.data, f.origLen, null, text === '' ? NO_COMMENTS : [text]);
    this.written++;
  }

  private writeStats(): void {
    const s = this.capture.stats();
    const now = BigInt(Date.now()) * 1_000_000n;
    this.writer.writeBlock(encodeIsb(0, now, {
      startTicks: this.startNs,
      endTicks: now,
      ifRecv: BigInt(s.recv),
      ifDrop: BigInt(s.drop + s.ifdrop),
      osDrop: BigInt(this.dropped),
      usrDeliv: BigInt(this.written),
    }));
    this.writer.flush();
  }
}
