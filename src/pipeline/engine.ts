import type { FrameNo, TimestampNs } from '../core/types';
import { viewOf } from '../core/byte-methods';
import { Counters } from '../core/counters';
import { decodeFrame } from '../decode/decode-frame';
import { newTcp4Peek, peekTcp4 } from '../decode/tcp4-peek';
import type { Connection } from '../ftp/connections';
import { DEFAULT_TRACKER_LIMITS, FtpTracker, type SessionIdSource, type TrackerLimits, type TrackerObserver } from '../ftp/tracker';

export interface EngineOptions {
  controlPorts: ReadonlySet<number>;
  detectControl: boolean;
  limits?: TrackerLimits;
  /** Where session numbers come from (default 1, 2, 3 …; the sidecar and its clients hand out their own). */
  sessionIds?: SessionIdSource;
}

/** Where the engine reports a bug it caught (the extcap's log file; nothing for the offline CLI). */
export type InternalErrorLog = (frameNo: FrameNo, err: unknown) => void;

/**
 * decode → reassembly → ftp, for one frame at a time, behind the per-packet firewall: a bug in any
 * stage is counted and logged, and the frame goes on unannotated — the capture never stops for it.
 */
export class Engine {
  readonly counters = new Counters();
  readonly tracker: FtpTracker;
  private readonly peek = newTcp4Peek();

  constructor(options: EngineOptions, observer: TrackerObserver = {}, private readonly logError: InternalErrorLog = () => {}) {
    this.tracker = new FtpTracker(
      { controlPorts: options.controlPorts, detectControl: options.detectControl, limits: options.limits ?? DEFAULT_TRACKER_LIMITS, sessionIds: options.sessionIds },
      this.counters,
      observer,
    );
  }

  /** The FTP connection this frame belongs to, or null. Never throws. */
  classify(frameNo: FrameNo, ts: TimestampNs, linkType: number, data: Uint8Array): Connection | null {
    return this.classifyAt(frameNo, ts, linkType, data, 0, data.length);
  }

  /** classify for a frame held in `buffer` from `offset`, `capLen` bytes (a reader's buffer: no view per packet). */
  classifyAt(frameNo: FrameNo, ts: TimestampNs, linkType: number, buffer: Uint8Array, offset: number, capLen: number): Connection | null {
    try {
      // Most frames of a capture belong to data connections already tracked: those take a path that
      // builds no decoded object (same result, see FtpTracker.processFast).
      const end = offset + capLen;
      if (peekTcp4(linkType, buffer, this.peek, offset, end)) {
        const fast = this.tracker.processFast(frameNo, ts, this.peek);
        if (fast !== null) return fast;
      }
      const data = offset === 0 && end === buffer.length ? buffer : viewOf(buffer, offset, end);
      const d = decodeFrame(linkType, data);
      if (d.kind !== 'tcp') {
        this.counters.inc(d.why);
        return null;
      }
      if (d.missingBytes > 0) this.counters.inc('decode.truncated_payload');
      return this.tracker.process(frameNo, ts, d);
    } catch (err) {
      this.counters.inc('pipeline.internal_error');
      this.logError(frameNo, err);
      return null;
    }
  }

  /** End of input: every connection's facts become final (observers hear of each). */
  finish(): void {
    try {
      this.tracker.finish();
    } catch (err) {
      this.counters.inc('pipeline.internal_error');
      this.logError(0, err);
    }
  }
}
