import type { FrameNo, TimestampNs } from '../core/types';
import type { Counters } from '../core/counters';
import { emptyList } from '../core/empty-list';
import { NO_SEQ, seqAdd, seqDiff } from '../core/seq';

/** Where reassembled bytes go: in order, each chunk tagged with the frame that carried it. */
export interface ByteSink {
  onBytes(bytes: Uint8Array, frameNo: FrameNo): void;
  /** `lost` bytes will never arrive: whatever was partial before them is broken. */
  onGap(lost: number): void;
}

/** Limits shared by every direction of every stream. */
export interface ReassemblyLimits {
  /** Out-of-order bytes one direction may hold ahead of a hole; past it the hole is skipped. */
  maxQueuedBytesPerDirection: number;
  /** Out-of-order bytes all directions together may hold (the `budget` below). */
  maxQueuedBytesTotal: number;
  /** A hole older than this (packet time) is given up on. */
  holeTimeoutNs: number;
}

export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = {
  maxQueuedBytesPerDirection: 64 * 1024,
  maxQueuedBytesTotal: 32 * 1024 * 1024,
  holeTimeoutNs: 10e9,
};

/** Out-of-order bytes currently held by all directions (one object shared by a whole engine). */
export interface QueueBudget { queuedBytes: number }

interface QueuedSegment {
  seq: number;
  bytes: Uint8Array;      // owned copy: the capture buffer is reused for the next frame
  missing: number;        // bytes announced by IP but not captured (snaplen), after `bytes`
  frameNo: FrameNo;
  ts: TimestampNs;
}

/**
 * In-order bytes of one direction of one TCP connection, rebuilt by sequence number:
 * retransmissions and overlaps are trimmed, segments ahead of a hole wait (bounded), and a hole is
 * skipped as soon as it cannot be filled — the peer ACKed past it (so the capture, not the network,
 * lost it), the queue is full, or it is older than the hole time-out.
 */
export class DirectionReassembler {
  /** Sequence number of the next byte to deliver; NO_SEQ until the first segment fixes it. */
  private nextSeq = NO_SEQ;
  /** Highest ACK the peer sent for this direction; NO_SEQ until one is seen. */
  private peerAck = NO_SEQ;
  private readonly queue: QueuedSegment[] = emptyList();
  private queuedBytes = 0;

  constructor(
    private readonly sink: ByteSink,
    private readonly limits: ReassemblyLimits,
    private readonly budget: QueueBudget,
    private readonly counters: Counters,
  ) {}

  /** A segment travelling in this direction. `missing` = payload bytes the capture cut off. */
  onSegment(seq: number, syn: boolean, payload: Uint8Array, missing: number, frameNo: FrameNo, ts: TimestampNs): void {
    const dataSeq = syn ? seqAdd(seq, 1) : seq;
    if (syn && this.nextSeq === NO_SEQ) this.nextSeq = dataSeq;
    const length = payload.length + missing;
    if (length === 0) return;
    if (this.nextSeq === NO_SEQ) this.nextSeq = dataSeq; // capture started mid-stream

    const ahead = seqDiff(dataSeq, this.nextSeq);
    if (ahead > 0) {
      this.enqueue({ seq: dataSeq, bytes: Uint8Array.from(payload), missing, frameNo, ts });
      return;
    }
    this.deliver(dataSeq, payload, missing, frameNo);
    this.drain();
  }

  /** The peer acknowledged everything before `ack` in this direction. */
  onPeerAck(ack: number): void {
    if (this.peerAck === NO_SEQ || seqDiff(ack, this.peerAck) > 0) this.peerAck = ack;
    this.skipHoleIfAcked();
  }

  /** Gives up on a hole whose oldest waiting segment is older than the time-out. */
  expire(now: TimestampNs): void {
    const giveUpAfter = this.holeDeadline();
    if (giveUpAfter !== null && now > giveUpAfter) this.skipHole();
  }

  /** True while segments wait behind a hole. */
  get holeOpen(): boolean {
    return this.queue.length > 0;
  }

  /** The packet time after which expire() gives up on the current hole; null when there is none. */
  holeDeadline(): TimestampNs | null {
    const first = this.queue[0];
    return first ? first.ts + this.limits.holeTimeoutNs : null;
  }

  /** Frees every queued byte (the connection is being forgotten). */
  release(): void {
    // Nothing queued (nearly always): no store. The first store to these fields, late in a run, would
    // deoptimise every compiled function that read them as constants (V8's field-constness tracking).
    if (this.queue.length === 0) return;
    this.budget.queuedBytes -= this.queuedBytes;
    this.queuedBytes = 0;
    this.queue.length = 0;
  }

  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Delivers the part of a segment at or after nextSeq (the caller checked it does not start ahead). */
  private deliver(seq: number, payload: Uint8Array, missing: number, frameNo: FrameNo): void {
    const next = this.nextSeq;
    const old = -seqDiff(seq, next); // bytes already delivered at the start of this segment
    const length = payload.length + missing;
    if (old >= length) {
      this.counters.inc('reassembly.retransmitted_bytes', length);
      return;
    }
    if (old > 0) this.counters.inc('reassembly.retransmitted_bytes', old);
    if (old < payload.length) {
      this.sink.onBytes(old > 0 ? payload.subarray(old) : payload, frameNo);
      this.nextSeq = seqAdd(seq, payload.length);
    }
    const newMissing = length - Math.max(old, payload.length);
    if (newMissing > 0) {
      this.sink.onGap(newMissing);
      this.counters.inc('reassembly.gap_skipped');
      this.counters.inc('reassembly.gap_bytes', newMissing);
      this.nextSeq = seqAdd(seq, length);
    }
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const first = this.queue[0]!;
      if (seqDiff(first.seq, this.nextSeq) > 0) break;
      this.queue.shift();
      this.unaccount(first.bytes.length);
      this.deliver(first.seq, first.bytes, first.missing, first.frameNo);
    }
  }

  private enqueue(seg: QueuedSegment): void {
    this.counters.inc('reassembly.out_of_order_segments');
    let i = this.queue.length;
    while (i > 0 && seqDiff(this.queue[i - 1]!.seq, seg.seq) > 0) i--;
    this.queue.splice(i, 0, seg);
    this.queuedBytes += seg.bytes.length;
    this.budget.queuedBytes += seg.bytes.length;
    this.counters.max('reassembly.peak_queued_bytes', this.budget.queuedBytes);
    if (this.queuedBytes > this.limits.maxQueuedBytesPerDirection || this.budget.queuedBytes > this.limits.maxQueuedBytesTotal) {
      this.counters.inc('reassembly.queue_full');
      while (this.queue.length > 0 && this.queuedBytes > this.limits.maxQueuedBytesPerDirection / 2) this.skipHole();
    }
    this.skipHoleIfAcked();
  }

  /** The peer ACKed bytes at or past the first queued segment: the hole before it was lost by the capture. */
  private skipHoleIfAcked(): void {
    for (let first = this.queue[0]; first && this.peerAck !== NO_SEQ && seqDiff(this.peerAck, first.seq) >= 0; first = this.queue[0]) {
      this.skipHole();
    }
  }

  private skipHole(): void {
    const first = this.queue[0];
    if (!first) return;
    const lost = seqDiff(first.seq, this.nextSeq);
    if (lost > 0) {
      this.sink.onGap(lost);
      this.counters.inc('reassembly.gap_skipped');
      this.counters.inc('reassembly.gap_bytes', lost);
      this.nextSeq = first.seq;
    }
    this.drain();
  }

  private unaccount(n: number): void {
    this.queuedBytes -= n;
    this.budget.queuedBytes -= n;
  }
}
