import type { TimestampNs } from '../core/types';
import type { Connection, DataConnection } from '../ftp/connections';
import type { Setup } from '../ftp/model';
import type { FtpSession } from '../ftp/session';
import type { TrackerObserver } from '../ftp/tracker';
import type { ExpectationInfo, SessionInfo, Snapshot, Update } from './messages';

/** Rough wire bytes of a snapshot part; parts are cut well below MAX_FRAME_BYTES. */
export const SNAPSHOT_PART_BYTES = 512 * 1024;
const SESSION_WIRE_BYTES = 96;
const EXPECTATION_WIRE_BYTES = 96;

interface SessionRecord {
  session: FtpSession;
  openedAtNs: TimestampNs;
  dataConnections: number;
  /** This session's entries in `pending`, so closing it costs its own count, not the table's. */
  setups: Set<Setup>;
}

/**
 * What the sidecar serves, kept by watching its engine's tracker (a TrackerObserver): the live control
 * sessions and the announcements no connection has used yet. Every change is also told to `emit` as an
 * Update, in packet order, so a client that took a snapshot and then follows the updates stays exact.
 *
 * Memory: one record per live session (the tracker caps sessions at maxSessions and forgets idle ones)
 * and one per announcement; used or expired announcements are dropped from `pending` at use, when their
 * session closes, or by `prune` (the expectation table caps them at maxTotal).
 */
export class SidecarState implements TrackerObserver {
  private readonly sessions = new Map<number, SessionRecord>();
  /** Announcements in order; `setup.pending` is the truth (the table expires them without telling). */
  private readonly pending = new Map<Setup, number>();
  /** Every announcement's number, as long as its Setup lives (transfer commands often come after use). */
  private readonly expectationIds = new WeakMap<Setup, number>();
  private lastExpectationId = 0;
  /** Packet time of the frame being classified (set by the feeder before each one). */
  now: TimestampNs = 0;

  constructor(private readonly emit: (u: Update) => void = () => {}) {}

  get sessionCount(): number {
    return this.sessions.size;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** The sidecar's number for an announcement, 0 if it never saw it. */
  expectationId(setup: Setup): number {
    return this.expectationIds.get(setup) ?? 0;
  }

  // TrackerObserver ------------------------------------------------------------------------------

  onSessionOpened(session: FtpSession): void {
    this.sessions.set(session.key, { session, openedAtNs: this.now, dataConnections: 0, setups: new Set() });
    this.emit({ kind: 'session_opened', session: this.sessionInfo(session) });
  }

  onAnnounce(session: FtpSession, setup: Setup): void {
    if (!setup.announced) return;
    const id = this.nextExpectationId();
    this.expectationIds.set(setup, id);
    this.pending.set(setup, id);
    this.sessions.get(session.key)?.setups.add(setup);
    const expectation = this.expectationInfo(setup, id, session.id);
    this.emit({ kind: 'expectation_announced', session: this.sessionInfo(session), expectation });
  }

  onTransfer(session: FtpSession, setup: Setup): void {
    const t = setup.transfer;
    // Called again when the final reply arrives: the transfer log reports that, not an update.
    if (!t || t.replyCode !== null) return;
    this.emit({ kind: 'transfer_command', sessionId: session.id, expectationId: this.expectationId(setup), transfer: { verb: t.verb, arg: t.arg } });
  }

  onDataConnection(conn: DataConnection): void {
    const id = this.expectationId(conn.setup);
    this.pending.delete(conn.setup);
    const rec = this.sessions.get(conn.session.key);
    if (rec) {
      rec.dataConnections++;
      rec.setups.delete(conn.setup);
    }
    this.emit({
      kind: 'expectation_used', sessionId: conn.session.id, expectationId: id,
      connector: conn.connector, listener: conn.listener,
    });
  }

  onConnectionEnd(conn: Connection): void {
    if (conn.kind !== 'control' || !conn.session) return;
    const rec = this.sessions.get(conn.session.key);
    if (!rec || rec.session !== conn.session) return;
    this.sessions.delete(conn.session.key);
    for (const setup of rec.setups) this.pending.delete(setup);
    this.emit({ kind: 'session_closed', sessionId: conn.session.id });
  }

  // Serving ----------------------------------------------------------------------------------------

  /** Forgets announcements that are no longer pending (expired, replaced, withdrawn). */
  prune(): void {
    for (const [setup] of this.pending) if (!setup.pending) this.forget(setup);
  }

  private forget(setup: Setup): void {
    this.pending.delete(setup);
    this.sessions.get(setup.sessionKey)?.setups.delete(setup);
  }

  /** Every live session, oldest first. */
  sessionInfos(): SessionInfo[] {
    return [...this.sessions.values()].map((r) => this.sessionInfo(r.session));
  }

  /** Every pending announcement of a live session, oldest first. */
  expectationInfos(): ExpectationInfo[] {
    const out: ExpectationInfo[] = [];
    for (const [setup, id] of this.pending) {
      if (!setup.pending) {
        this.forget(setup);
        continue;
      }
      const rec = this.sessions.get(setup.sessionKey);
      if (rec) out.push(this.expectationInfo(setup, id, rec.session.id));
    }
    return out;
  }

  /**
   * The snapshot, cut into parts that each fit a frame (the last one has `last` set). Built in one
   * synchronous step: nothing can change between the parts, and updates queued after them follow on.
   */
  snapshotParts(partBytes = SNAPSHOT_PART_BYTES): Snapshot[] {
    const parts: Snapshot[] = [];
    let cur: Snapshot = { sessions: [], expectations: [], idBlock: null, last: false };
    let bytes = 0;
    const cut = () => {
      parts.push(cur);
      cur = { sessions: [], expectations: [], idBlock: null, last: false };
      bytes = 0;
    };
    for (const s of this.sessionInfos()) {
      const size = SESSION_WIRE_BYTES + (s.user?.length ?? 0) * 3;
      if (bytes + size > partBytes && bytes > 0) cut();
      cur.sessions.push(s);
      bytes += size;
    }
    for (const e of this.expectationInfos()) {
      const size = EXPECTATION_WIRE_BYTES + (e.transfer ? e.transfer.arg.length * 3 + e.transfer.verb.length : 0);
      if (bytes + size > partBytes && bytes > 0) cut();
      cur.expectations.push(e);
      bytes += size;
    }
    cur.last = true;
    parts.push(cur);
    return parts;
  }

  private sessionInfo(s: FtpSession): SessionInfo {
    const rec = this.sessions.get(s.key);
    return {
      id: s.id, client: s.client, server: s.server, user: s.user, tls: s.tls, detected: s.detected,
      openedAtNs: wireNs(rec?.openedAtNs ?? this.now), dataConnections: rec?.dataConnections ?? 0,
    };
  }

  private expectationInfo(setup: Setup, id: number, sessionId: number): ExpectationInfo {
    const t = setup.transfer;
    return {
      id, sessionId, method: setup.method, announced: setup.announced!, announcedAtNs: wireNs(setup.announcedAt),
      transfer: t ? { verb: t.verb, arg: t.arg } : null,
    };
  }

  private nextExpectationId(): number {
    this.lastExpectationId = this.lastExpectationId >= 0xffffffff ? 1 : this.lastExpectationId + 1;
    return this.lastExpectationId;
  }
}

/** Packet time as the protocol's u64 ns (a double's ns are whole numbers at any date since 1970). */
function wireNs(ns: TimestampNs): bigint {
  return BigInt(Math.max(0, Math.round(ns)));
}
