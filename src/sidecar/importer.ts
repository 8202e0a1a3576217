import { connKey } from '../decode/flow-key';
import { Fifo } from '../core/fifo';
import type { Connection } from '../ftp/connections';
import type { Endpoint, Setup } from '../ftp/model';
import type { FtpSession } from '../ftp/session';
import type { FtpTracker, ImportedSession, TrackerObserver } from '../ftp/tracker';
import type { BlockIdSource } from './block-ids';
import type { ExpectationInfo, SessionInfo, Update } from './messages';

/**
 * Forgetting is held back this long: the sidecar may report a data connection's SYN (or a session's
 * end) before this capture's own packets of it have been classified (libpcap hands them over in
 * batches), and dropping the expectation first would leave that connection unannotated.
 */
export const FORGET_GRACE_MS = 3000;
/** Held-back removals at most; past it the oldest is done at once. */
const MAX_DEFERRED = 100_000;

interface LocalSession {
  session: FtpSession;
  openedAtMs: number;
}

const keyOf = (client: Endpoint, server: Endpoint): string => connKey(client.ip, client.port, server.ip, server.port);
const sameEndpoint = (a: Endpoint | null, b: Endpoint): boolean => a !== null && a.ip === b.ip && a.port === b.port;

/**
 * Feeds what the sidecar knows into this capture's tracker, through the tracker's import API, without
 * ever contradicting what the capture sees itself:
 * - a session the capture does not track is imported with the sidecar's number, its pending
 *   announcements made matchable (data connections then carry `source=sidecar`);
 * - a session the capture tracks takes the sidecar's number only while its comments cannot have been
 *   fixed yet (opened less than half the look-ahead ago); otherwise it keeps the number it showed;
 * - an announcement the capture saw itself (the session's current setup names the same listener) is
 *   not imported again: the capture's own setup carries the setup frame.
 * Across reconnects (a restarted sidecar numbers afresh) a session keeps the number it first had here.
 *
 * It is also a TrackerObserver of the capture's engine, to know which control connections it tracks.
 */
export class SessionImporter implements TrackerObserver {
  private tracker: FtpTracker | null = null;
  private readonly local = new Map<string, LocalSession>();
  /** Sessions imported into the tracker, by control connection, for the whole capture. */
  private readonly imported = new Map<string, ImportedSession>();
  /** This connection's session numbers → control connection (reset when the sidecar changes). */
  private readonly bySidecarId = new Map<number, string>();
  /** This connection's announcement numbers → the setup imported for them. */
  private readonly setups = new Map<number, Setup>();
  private readonly deferred = new Fifo<{ dueMs: number; run: () => void }>();

  constructor(
    private readonly ids: BlockIdSource,
    /** Look-ahead of the capture's delay line (ms): how long a new session's number may still change. */
    private readonly lookaheadMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  attach(tracker: FtpTracker): void {
    this.tracker = tracker;
  }

  get importedCount(): number {
    return this.imported.size;
  }

  // TrackerObserver (the capture's own engine) ---------------------------------------------------

  onSessionOpened(session: FtpSession): void {
    this.local.set(keyOf(session.client, session.server), { session, openedAtMs: this.nowMs() });
  }

  onConnectionEnd(conn: Connection): void {
    if (conn.kind !== 'control' || !conn.session) return;
    const key = keyOf(conn.session.client, conn.session.server);
    if (this.local.get(key)?.session === conn.session) this.local.delete(key);
  }

  // From the sidecar ------------------------------------------------------------------------------

  /** A new connection to a sidecar (maybe a restarted one): its numbers mean nothing from before. */
  newConnection(): void {
    this.bySidecarId.clear();
    this.setups.clear();
  }

  applySnapshot(sessions: readonly SessionInfo[], expectations: readonly ExpectationInfo[]): void {
    for (const s of sessions) this.learnSession(s);
    for (const e of expectations) this.learnExpectation(e);
  }

  applyUpdate(u: Update): void {
    const t = this.tracker;
    if (!t) return;
    switch (u.kind) {
      case 'session_opened':
        this.learnSession(u.session);
        return;
      case 'expectation_announced':
        this.learnSession(u.session);
        this.learnExpectation(u.expectation);
        return;
      case 'transfer_command': {
        const imp = this.importedFor(u.sessionId);
        const setup = this.setups.get(u.expectationId);
        if (imp && setup && imp.current === setup) t.importTransfer(imp, u.transfer.verb, u.transfer.arg);
        return;
      }
      case 'expectation_used': {
        const setup = this.setups.get(u.expectationId);
        if (!setup) return;
        this.setups.delete(u.expectationId);
        this.defer(() => t.expectations.remove(setup));
        return;
      }
      case 'session_closed': {
        const key = this.bySidecarId.get(u.sessionId);
        if (key === undefined) return;
        this.bySidecarId.delete(u.sessionId);
        const imp = this.imported.get(key);
        if (!imp) return;
        this.defer(() => {
          if (this.imported.get(key) !== imp) return;
          this.imported.delete(key);
          t.dropImportedSession(imp);
        });
        return;
      }
      case 'transfer_finished':
      case 'id_block':
        return; // the log's business, and the client's
    }
  }

  /** Runs the removals whose grace has passed. */
  tick(): void {
    const now = this.nowMs();
    for (let d = this.deferred.peek(); d !== undefined && d.dueMs <= now; d = this.deferred.peek()) this.deferred.shift()!.run();
  }

  private defer(run: () => void): void {
    if (this.deferred.size >= MAX_DEFERRED) this.deferred.shift()!.run();
    this.deferred.push({ dueMs: this.nowMs() + FORGET_GRACE_MS, run });
  }

  private importedFor(sidecarId: number): ImportedSession | null {
    const key = this.bySidecarId.get(sidecarId);
    return key === undefined ? null : this.imported.get(key) ?? null;
  }

  private learnSession(s: SessionInfo): void {
    const t = this.tracker;
    if (!t) return;
    const key = keyOf(s.client, s.server);
    this.bySidecarId.set(s.id, key);
    const known = this.imported.get(key);
    if (known) {
      // Keep the number this capture has shown; refresh what may have changed.
      t.importSession({ id: known.id, client: s.client, server: s.server, user: s.user ?? known.user, tls: s.tls || known.tls });
      return;
    }
    const local = this.local.get(key);
    if (local && !this.mayRenumber(local)) return;
    const imp = t.importSession({ id: s.id, client: s.client, server: s.server, user: s.user, tls: s.tls });
    this.imported.set(key, imp);
    this.ids.noteShown(s.id);
  }

  /** A local session's number may change only while none of its frames can have left the delay line. */
  private mayRenumber(local: LocalSession): boolean {
    return this.lookaheadMs > 0 && this.nowMs() - local.openedAtMs < this.lookaheadMs / 2;
  }

  private learnExpectation(e: ExpectationInfo): void {
    const t = this.tracker;
    const key = this.bySidecarId.get(e.sessionId);
    if (!t || key === undefined) return;
    const imp = this.imported.get(key);
    if (!imp) return; // a session this capture numbers itself: it sees its announcements too
    const local = this.local.get(key);
    if (local && sameEndpoint(local.session.current?.announced ?? null, e.announced)) return;
    const setup = t.importSetup(imp, {
      method: e.method, announced: e.announced, announcedAt: Number(e.announcedAtNs),
      transfer: e.transfer ? { verb: e.transfer.verb, arg: e.transfer.arg } : null,
    });
    this.setups.set(e.id, setup);
  }
}
