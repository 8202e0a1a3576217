import type { FrameNo, TimestampNs } from '../core/types';
import type { FtpSession } from './session';
import { ipv4Number } from '../core/ip';
import { NO_SEQ, seqDiff } from '../core/seq';
import type { Bucket, Filed } from '../core/deadline-buckets';
import type { FlowId } from './connection-index';
import type { Confidence, Endpoint, SessionView, Setup } from './model';

/**
 * Bytes one direction carried, from sequence numbers: last byte seen minus first. Exact even when
 * only SYN and FIN packets were captured (the sidecar's filter), and not fooled by retransmissions.
 */
export class SequenceSpan {
  private first = NO_SEQ;
  private end = NO_SEQ;

  note(seq: number, syn: boolean, length: number): void {
    const start = syn ? (seq + 1) >>> 0 : seq;
    if (this.first === NO_SEQ || (syn && seqDiff(start, this.first) < 0)) this.first = start;
    const stop = (start + length) >>> 0;
    if (this.end === NO_SEQ || seqDiff(stop, this.end) > 0) this.end = stop;
  }

  get bytes(): number {
    if (this.first === NO_SEQ || this.end === NO_SEQ) return 0;
    return Math.max(0, seqDiff(this.end, this.first));
  }
}

/** State every tracked TCP connection shares: identity, age and how it closed. */
abstract class TrackedConnection implements Filed {
  /** Creation order within one run; two runs over the same input give the same ordinals. */
  readonly ordinal: number;
  lastSeen: TimestampNs;
  /** Packet time of the RST, or of the second FIN; null while open. */
  closedAt: TimestampNs | null = null;
  private finMask = 0;
  /** Comment text once chosen for this connection (every packet of it carries the same text). */
  text: string | undefined = undefined;
  /** The id the two-thread writer knows this connection's current comment by (pipeline/parallel-rewrite.ts). */
  outputComment: { id: number; text: string } | null = null;
  /** Where the tracker's sweep schedule has this connection filed (see FtpTracker.deadlineOf). */
  dueIn: Bucket | null = null;

  /** Packet time of the first packet. */
  readonly firstSeen: TimestampNs;
  /** `first` is the sender of the first packet seen: FIN bookkeeping tells the two ends apart by it. */
  constructor(readonly flow: FlowId, ordinal: number, now: TimestampNs, readonly firstFrame: FrameNo, private readonly first: Endpoint) {
    this.ordinal = ordinal;
    this.lastSeen = now;
    this.firstSeen = now;
  }

  /** Notes FIN/RST sent by `from`. */
  noteClose(fin: boolean, rst: boolean, from: Endpoint, now: TimestampNs): void {
    if (rst) this.closedAt ??= now;
    if (fin) {
      this.finMask |= from.port === this.first.port && from.ip === this.first.ip ? 1 : 2;
      if (this.finMask === 3) this.closedAt ??= now;
    }
  }
}

/** A control connection; `session` is null while --detect-control is still deciding. */
export class ControlConnection extends TrackedConnection {
  readonly kind = 'control';
  session: FtpSession | null = null;
  /** The session facts `text` was built from (a control comment follows the session as it changes). */
  textId = 0;
  textUser: string | null = null;
  textTls = false;
}

/** A data connection tied to the setup it matched. */
export class DataConnection extends TrackedConnection {
  readonly kind = 'data';
  readonly toListener = new SequenceSpan();
  readonly toConnector = new SequenceSpan();
  /** The listener's IPv4 address as a number (-1 for IPv6): the fast path tells directions apart by it. */
  readonly listenerV4: number;

  constructor(
    flow: FlowId,
    ordinal: number,
    now: TimestampNs,
    firstFrame: FrameNo,
    first: Endpoint,
    readonly setup: Setup,
    readonly session: SessionView,
    readonly connector: Endpoint,
    readonly listener: Endpoint,
    readonly confidence: Confidence,
    /** Neither end is the control client: FXP or a PORT bounce. */
    readonly thirdParty: boolean,
  ) {
    super(flow, ordinal, now, firstFrame, first);
    this.listenerV4 = ipv4Number(listener.ip) ?? -1;
  }
}

export type Connection = ControlConnection | DataConnection;
