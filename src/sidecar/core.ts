import type { TimestampNs } from '../core/types';
import type { Connection, DataConnection } from '../ftp/connections';
import type { Setup } from '../ftp/model';
import type { FtpSession } from '../ftp/session';
import type { TrackerLimits, TrackerObserver } from '../ftp/tracker';
import { Engine, type InternalErrorLog } from '../pipeline/engine';
import { IdAllocator } from './id-allocator';
import type { Update } from './messages';
import { SidecarState } from './state';
import { TransferLog, type TransferSink } from './transfer-log';

export interface SidecarCoreOptions {
  controlPorts: ReadonlySet<number>;
  detectControl: boolean;
  limits?: TrackerLimits;
  /** Where finished transfer records go (the --log file); none = not written. */
  transferSink?: TransferSink;
  logError?: InternalErrorLog;
  /** Wall clock for the transfer log's reply wait (tests pass their own). */
  nowMs?: () => number;
  replyWaitMs?: number;
}

/** Calls every observer's method in turn (the state first, so updates come out in a sensible order). */
export function combineObservers(list: readonly TrackerObserver[]): TrackerObserver {
  return {
    onSessionOpened: (s: FtpSession) => { for (const o of list) o.onSessionOpened?.(s); },
    onAnnounce: (s: FtpSession, setup: Setup) => { for (const o of list) o.onAnnounce?.(s, setup); },
    onTransfer: (s: FtpSession, setup: Setup) => { for (const o of list) o.onTransfer?.(s, setup); },
    onDataConnection: (c: DataConnection) => { for (const o of list) o.onDataConnection?.(c); },
    onDataClosed: (c: DataConnection) => { for (const o of list) o.onDataClosed?.(c); },
    onConnectionEnd: (c: Connection) => { for (const o of list) o.onConnectionEnd?.(c); },
  };
}

/**
 * The sidecar without its edges: the same Engine the extcap runs (decode, reassembly, FTP tracker),
 * numbering sessions itself, with the served state and the transfer log watching it. Frames go in
 * through `feed` (from a capture, a test or the benchmark); updates come out to subscribers.
 */
export class SidecarCore {
  readonly ids = new IdAllocator();
  readonly state: SidecarState;
  readonly transfers: TransferLog;
  readonly engine: Engine;
  private readonly listeners = new Set<(u: Update) => void>();
  private frameNo = 0;

  constructor(o: SidecarCoreOptions) {
    this.state = new SidecarState((u) => this.publish(u));
    this.transfers = new TransferLog(o.transferSink ?? { write: () => {} }, (u) => this.publish(u),
      (setup) => this.state.expectationId(setup), o.nowMs, o.replyWaitMs);
    this.engine = new Engine(
      { controlPorts: o.controlPorts, detectControl: o.detectControl, limits: o.limits, sessionIds: this.ids },
      combineObservers([this.state, this.transfers]),
      o.logError,
    );
  }

  get framesSeen(): number {
    return this.frameNo;
  }

  /** One captured frame. Never throws (the engine's firewall catches bugs). */
  feed(ts: TimestampNs, linkType: number, data: Uint8Array): void {
    this.state.now = ts;
    this.engine.classify(++this.frameNo, ts, linkType, data);
  }

  /** Hears every update from now on; returns the unsubscribe function. */
  subscribe(listener: (u: Update) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Once a second or so: transfer records whose reply did not come, and forgotten announcements. */
  tick(): void {
    this.transfers.tick();
    this.state.prune();
  }

  /** End of capture: every connection's facts are final; every open transfer is logged. */
  finish(): void {
    this.engine.finish();
    this.transfers.flush();
  }

  private publish(u: Update): void {
    for (const l of this.listeners) l(u);
  }
}
