import type { FrameNo, TimestampNs } from '../core/types';
import { viewOf } from '../core/byte-methods';
import type { Counters } from '../core/counters';
import { DeadlineBuckets } from '../core/deadline-buckets';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpPacket } from '../decode/decoded';
import type { Tcp4Peek } from '../decode/tcp4-peek';
import { ConnectionIndex, flowIdOfEndpoints, flowIdOfPacket, type FlowId } from './connection-index';
import { DEFAULT_REASSEMBLY_LIMITS, type QueueBudget, type ReassemblyLimits } from '../reassembly/direction';
import { ControlConnection, DataConnection, type Connection } from './connections';
import { DEFAULT_EXPECTATION_LIMITS, ExpectationTable, type ExpectationLimits } from './expectations';
import { looksLikeFtpStart } from './detect';
import { transferDirection } from './wire/transfer';
import { ACTIVE_METHODS, type Endpoint, type SessionView, type Setup, type SetupMethod } from './model';
import { FtpSession, type SessionEvents } from './session';

/** The payload of a bare ACK on the fast path (no view made for it). */
const NO_PAYLOAD = new Uint8Array(0);

export interface TrackerLimits {
  /** Connections tracked at once (control, data, detection candidates); the oldest goes first. */
  maxConnections: number;
  /** Control sessions tracked at once; the oldest goes first. */
  maxSessions: number;
  /** A control connection silent this long (packet time) is forgotten. */
  controlIdleNs: number;
  /** A data connection silent this long is forgotten. */
  dataIdleNs: number;
  /** A --detect-control candidate that has not shown FTP by then is forgotten. */
  candidateIdleNs: number;
  /** A connection is kept this long after RST / both FINs, for its last ACKs and retransmissions. */
  closedLingerNs: number;
  /** How often (packet time) tables are swept for the time-outs above. */
  sweepEveryNs: number;
  reassembly: ReassemblyLimits;
  expectations: ExpectationLimits;
}

/** How long after a one-direction setup a new connection may still be tied to it by inference. */
export const INFER_WINDOW_NS = 30e9;

export const DEFAULT_TRACKER_LIMITS: TrackerLimits = {
  maxConnections: 200_000,
  maxSessions: 50_000,
  controlIdleNs: 3600e9,
  dataIdleNs: 300e9,
  candidateIdleNs: 30e9,
  closedLingerNs: 30e9,
  sweepEveryNs: 1e9,
  reassembly: DEFAULT_REASSEMBLY_LIMITS,
  expectations: DEFAULT_EXPECTATION_LIMITS,
};

/**
 * Where displayed session numbers come from. Local: 1, 2, 3 … per output. With a sidecar: ids the
 * sidecar hands out, so a session keeps its number across captures (see sidecar/).
 */
export interface SessionIdSource {
  /** A number for a new session seen in this capture. */
  next(client: Endpoint, server: Endpoint): number;
}

export function localSessionIds(): SessionIdSource {
  let n = 1;
  return { next: () => n++ };
}

/** A session learnt from the sidecar (its control connection may never appear in this capture). */
export interface ImportedSession extends SessionView {
  id: number;
  user: string | null;
  tls: boolean;
  /** Latest setup: a transfer command reported later attaches to it. */
  current: Setup | null;
}

/** What the sidecar says about one announced data connection. */
export interface ImportedSetup {
  method: SetupMethod;
  announced: Endpoint;
  announcedAt: TimestampNs;
  transfer: { verb: string; arg: string } | null;
}

export interface TrackerOptions {
  /** Ports a control connection may use on the server side (default 21). */
  controlPorts: ReadonlySet<number>;
  /** Also recognise control connections on any port by their greeting or first commands. */
  detectControl: boolean;
  limits: TrackerLimits;
  sessionIds?: SessionIdSource;
}

/** Lifecycle events, for the label policy and the sidecar. Every method is optional. */
export interface TrackerObserver {
  onSessionOpened?(session: FtpSession): void;
  onAnnounce?(session: FtpSession, setup: Setup): void;
  onTransfer?(session: FtpSession, setup: Setup): void;
  onDataConnection?(conn: DataConnection): void;
  /** A data connection saw RST or both FINs. */
  onDataClosed?(conn: DataConnection): void;
  /** The connection left the table (time-out, close, cap) or the input ended: its facts are final. */
  onConnectionEnd?(conn: Connection): void;
}

/**
 * Classifies every TCP packet as part of a control connection, a data connection, or neither,
 * and keeps the state that takes: sessions, expectations and the connection table.
 * Deterministic: state changes depend only on packets and packet time.
 */
export class FtpTracker implements SessionEvents {
  /** Every tracked connection, by address pair, and in creation order (for cap eviction and the end of input). */
  private readonly conns = new ConnectionIndex<Connection>();
  protected readonly byAge = new Set<Connection>();
  /** Every tracked connection again, by when a sweep may next have to act on it (see deadlineOf). */
  private readonly dueAt = new DeadlineBuckets<Connection>();
  private readonly sessions = new Map<number, ControlConnection>();
  readonly expectations: ExpectationTable;
  private readonly budget: QueueBudget = { queuedBytes: 0 };
  /** Sessions known only from the sidecar, by internal key and by control connection. */
  private readonly imported = new Map<number, ImportedSession>();
  private readonly importedByControl = new Map<string, ImportedSession>();
  /**
   * Setups seen in a one-direction capture, whose address is in the missing direction, by
   * "connector>listener" hosts: the next new connection between them is tied with confidence=inferred.
   * Cap: one per host pair and maxSessions in all (oldest first); time-out: INFER_WINDOW_NS.
   */
  private readonly inferable = new Map<string, { session: FtpSession; setup: Setup; since: TimestampNs }>();
  private nextOrdinal = 0;
  private nextSessionKey = 1;
  private readonly sessionIds: SessionIdSource;
  private nextSweep: TimestampNs | null = null;

  constructor(
    private readonly options: TrackerOptions,
    private readonly counters: Counters,
    private readonly observer: TrackerObserver = {},
  ) {
    this.expectations = new ExpectationTable(options.limits.expectations, counters);
    this.sessionIds = options.sessionIds ?? localSessionIds();
  }

  // Sidecar import ------------------------------------------------------------------------------

  /**
   * Registers a session the sidecar knows. If this capture already tracks its control connection,
   * that session takes the sidecar's number (comments are fixed only when frames leave the delay
   * line, so an early answer changes every comment of the session).
   */
  importSession(s: { id: number; client: Endpoint; server: Endpoint; user: string | null; tls: boolean }): ImportedSession {
    const ctlKey = controlKey(s.client, s.server);
    const local = this.conns.lookup(flowIdOfEndpoints(s.client, s.server));
    if (local?.kind === 'control' && local.session) {
      local.session.id = s.id;
      local.session.user ??= s.user;
    }
    let imp = this.importedByControl.get(ctlKey);
    if (!imp) {
      imp = { key: this.nextSessionKey++, id: s.id, client: s.client, server: s.server, user: s.user, tls: s.tls, detected: false, current: null };
      this.imported.set(imp.key, imp);
      this.importedByControl.set(ctlKey, imp);
    } else {
      imp.id = s.id;
      imp.user = s.user ?? imp.user;
      imp.tls = s.tls;
    }
    return imp;
  }

  /** An announcement the sidecar saw before this capture began: made matchable (source=sidecar). */
  importSetup(session: ImportedSession, s: ImportedSetup): Setup {
    const setup: Setup = {
      sessionKey: session.key, method: s.method, mode: ACTIVE_METHODS.has(s.method) ? 'active' : 'passive',
      setupFrame: 0, announced: s.announced, listenerIps: [], announcedAt: s.announcedAt, pending: false,
      transfer: null, uses: 0, source: 'sidecar',
    };
    if (s.transfer) setup.transfer = { verb: s.transfer.verb, arg: s.transfer.arg, dir: transferDirection(s.transfer.verb), frameNo: 0, replyCode: null };
    session.current = setup;
    this.expectations.add(setup, setup.mode === 'active' ? session.client.ip : session.server.ip);
    const local = this.localSessionFor(session);
    if (local && local.current === null) local.current = setup;
    return setup;
  }

  /** A transfer command the sidecar saw for a session whose control connection this capture may not see. */
  importTransfer(session: ImportedSession, verb: string, arg: string): void {
    const setup = session.current;
    if (setup && !setup.transfer) setup.transfer = { verb, arg, dir: transferDirection(verb), frameNo: 0, replyCode: null };
  }

  /** Forgets a sidecar session (it closed) and its unused announcements. */
  dropImportedSession(session: ImportedSession): void {
    this.imported.delete(session.key);
    this.importedByControl.delete(controlKey(session.client, session.server));
    this.expectations.removeSession(session.key);
  }

  private localSessionFor(s: SessionView): FtpSession | null {
    const conn = this.conns.lookup(flowIdOfEndpoints(s.client, s.server));
    return conn?.kind === 'control' ? conn.session : null;
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  /** The connection this packet belongs to, or null when it is not FTP. */
  process(frameNo: FrameNo, ts: TimestampNs, pkt: TcpPacket): Connection | null {
    if (this.nextSweep === null) this.nextSweep = ts + this.options.limits.sweepEveryNs;
    else if (ts >= this.nextSweep) this.sweep(ts);

    let conn = this.conns.get(pkt);
    if (conn && conn.closedAt !== null && (pkt.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      this.counters.inc('flow.reused');
      this.end(conn);
      conn = undefined;
    }
    if (!conn) {
      conn = this.open(flowIdOfPacket(pkt), frameNo, ts, pkt) ?? undefined;
      if (!conn) return null;
    }
    const timeWentBack = ts < conn.lastSeen;
    conn.lastSeen = ts;
    if (conn.kind === 'control') this.onControlPacket(conn, frameNo, ts, pkt);
    else this.onDataPacket(conn, pkt);
    let closedNow = false;
    if (pkt.flags & (TCP_FIN | TCP_RST)) {
      const wasOpen = conn.closedAt === null;
      conn.noteClose((pkt.flags & TCP_FIN) !== 0, (pkt.flags & TCP_RST) !== 0, { ip: pkt.src, port: pkt.srcPort }, ts);
      closedNow = wasOpen && conn.closedAt !== null;
      if (closedNow && conn.kind === 'data') this.observer.onDataClosed?.(conn);
    }
    // A packet only postpones a connection's deadline, except in these cases.
    if (timeWentBack || closedNow || (conn.kind === 'control' && conn.session?.holeOpen)) {
      this.dueAt.fileEarlier(conn, this.deadlineOf(conn));
    }
    return conn;
  }

  /**
   * The fast path for the bulk of a capture, with no decoded packet object: a packet of a data connection
   * already tracked, or a segment of a control connection already tracked (bare ACK or payload), without
   * SYN, FIN or RST, between sweeps. Does exactly what process() would do for it; null means "not that
   * case", and the caller takes the full path.
   */
  processFast(frameNo: FrameNo, ts: TimestampNs, p: Tcp4Peek): Connection | null {
    if ((p.flags & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0 || this.nextSweep === null || ts >= this.nextSweep) return null;
    const conn = this.conns.getV4(p.srcV4 * 65536 + p.srcPort, p.dstV4 * 65536 + p.dstPort);
    // Packet time going backwards moves the connection's deadline earlier: process() refiles it.
    if (conn === undefined || ts < conn.lastSeen) return null;
    if (conn.kind === 'data') {
      conn.lastSeen = ts;
      const toListener = p.dstPort === conn.listener.port && p.dstV4 === conn.listenerV4;
      (toListener ? conn.toListener : conn.toConnector).note(p.seq, false, p.payloadLen);
      return conn;
    }
    return this.controlFast(conn, frameNo, ts, p);
  }

  /** processFast for a control connection's segment: what process() and onControlPacket do for one. */
  private controlFast(conn: ControlConnection, frameNo: FrameNo, ts: TimestampNs, p: Tcp4Peek): ControlConnection | null {
    const session = conn.session;
    if (session === null) {
      // --detect-control, no payload seen yet: a bare ACK only moves the time; payload may start a session.
      if (p.payloadLen > 0) return null;
      conn.lastSeen = ts;
      return conn;
    }
    // Which side sent it, by port alone (the addresses are text here): not when both ends use the same port.
    if (session.client.port === session.server.port) return null;
    conn.lastSeen = ts;
    const payload = p.payloadLen === 0 ? NO_PAYLOAD : viewOf(p.frame, p.payloadAt, p.payloadAt + p.payloadLen);
    this.feedSession(session, p.srcPort === session.client.port, frameNo, ts, p.flags, p.seq, p.ack, payload, 0);
    if (session.holeOpen) this.dueAt.fileEarlier(conn, this.deadlineOf(conn));
    return conn;
  }

  /** End of input: every connection's facts are final. */
  finish(): void {
    for (const conn of this.byAge) this.end(conn, false);
  }

  // SessionEvents ------------------------------------------------------------------------------

  onAnnounce(session: FtpSession, setup: Setup): void {
    if (this.inferable.size > 0) this.forgetInferable(setup);
    const peerIp = setup.mode === 'active' ? session.client.ip : session.server.ip;
    this.expectations.add(setup, peerIp);
    this.observer.onAnnounce?.(session, setup);
  }

  onWithdraw(setup: Setup): void {
    this.expectations.remove(setup);
  }

  onInferable(session: FtpSession, setup: Setup): void {
    const key = setup.mode === 'passive' ? hostPair(session.client.ip, session.server.ip) : hostPair(session.server.ip, session.client.ip);
    this.inferable.set(key, { session, setup, since: session.now });
    while (this.inferable.size > this.options.limits.maxSessions) {
      this.inferable.delete(this.inferable.keys().next().value as string);
      this.counters.inc('data.inference_dropped');
    }
  }

  onTransfer(session: FtpSession, setup: Setup): void {
    this.observer.onTransfer?.(session, setup);
  }

  // -------------------------------------------------------------------------------------------

  private open(key: FlowId, frameNo: FrameNo, ts: TimestampNs, pkt: TcpPacket): Connection | null {
    const ports = this.options.controlPorts;
    if (ports.has(pkt.dstPort) || ports.has(pkt.srcPort)) {
      const conn = this.add(new ControlConnection(key, this.nextOrdinal++, ts, frameNo, { ip: pkt.src, port: pkt.srcPort }));
      const serverIsDst = controlServerIsDst(pkt, ports);
      this.openSession(conn, serverIsDst ? pkt.src : pkt.dst, serverIsDst ? pkt.srcPort : pkt.dstPort,
        serverIsDst ? pkt.dst : pkt.src, serverIsDst ? pkt.dstPort : pkt.srcPort, false);
      return conn;
    }
    if (this.expectations.size > 0 && (this.expectations.hasPort(pkt.dstPort) || this.expectations.hasPort(pkt.srcPort))) {
      const data = this.matchData(key, frameNo, ts, pkt);
      if (data) return data;
    }
    if (this.inferable.size > 0 && (pkt.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      const data = this.inferData(key, frameNo, ts, pkt);
      if (data) return data;
    }
    if (this.options.detectControl) {
      const pureSyn = (pkt.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
      if (pureSyn || looksLikeFtpStart(pkt.payload) !== null) {
        return this.add(new ControlConnection(key, this.nextOrdinal++, ts, frameNo, { ip: pkt.src, port: pkt.srcPort }));
      }
    }
    return null;
  }

  private matchData(key: FlowId, frameNo: FrameNo, ts: TimestampNs, pkt: TcpPacket): DataConnection | null {
    const a: Endpoint = { ip: pkt.src, port: pkt.srcPort };
    const b: Endpoint = { ip: pkt.dst, port: pkt.dstPort };
    const m = this.expectations.match(a, b);
    if (!m) return null;
    const session: SessionView | null | undefined = this.sessions.get(m.setup.sessionKey)?.session ?? this.imported.get(m.setup.sessionKey);
    if (!session) return null;
    const { setup, listener, connector } = m;
    this.expectations.remove(setup);
    setup.uses++;
    const nat = listener.ip !== setup.announced!.ip;
    const thirdParty = listener.ip !== session.client.ip && connector.ip !== session.client.ip;
    const conn = this.add(new DataConnection(key, this.nextOrdinal++, ts, frameNo, a, setup, session, connector, listener,
      setup.source === 'capture' ? (nat ? 'nat' : 'exact') : 'exact', thirdParty));
    this.counters.inc('expect.used');
    this.counters.inc('data.connections');
    this.counters.inc(setup.mode === 'active' ? 'data.mode.active' : 'data.mode.passive');
    this.counters.inc(`data.method.${setup.method}`);
    if (nat) this.counters.inc('data.nat');
    if (thirdParty) this.counters.inc('data.third_party');
    if (setup.source === 'sidecar') this.counters.inc('data.sidecar');
    this.observer.onDataConnection?.(conn);
    return conn;
  }

  /** A new connection between hosts with an inferable setup: tied by inference (see `inferable`). */
  private inferData(key: FlowId, frameNo: FrameNo, ts: TimestampNs, pkt: TcpPacket): DataConnection | null {
    const found = this.inferable.get(hostPair(pkt.src, pkt.dst));
    if (!found || ts - found.since > INFER_WINDOW_NS) return null;
    const { session, setup } = found;
    // Passive data goes to an unprivileged server port that is not a control port.
    if (setup.mode === 'passive' && (pkt.dstPort < 1024 || this.options.controlPorts.has(pkt.dstPort))) return null;
    this.forgetInferable(setup);
    setup.uses++;
    const connector: Endpoint = { ip: pkt.src, port: pkt.srcPort };
    const listener: Endpoint = { ip: pkt.dst, port: pkt.dstPort };
    const thirdParty = listener.ip !== session.client.ip && connector.ip !== session.client.ip;
    const conn = this.add(new DataConnection(key, this.nextOrdinal++, ts, frameNo, connector, setup, session, connector, listener, 'inferred', thirdParty));
    this.counters.inc('data.connections');
    this.counters.inc('data.inferred');
    this.counters.inc(setup.mode === 'active' ? 'data.mode.active' : 'data.mode.passive');
    this.counters.inc(`data.method.${setup.method}`);
    this.observer.onDataConnection?.(conn);
    return conn;
  }

  private forgetInferable(setup: Setup): void {
    for (const [k, v] of this.inferable) if (v.setup === setup) this.inferable.delete(k);
  }

  private openSession(conn: ControlConnection, clientIp: string, clientPort: number, serverIp: string, serverPort: number, detected: boolean): void {
    const client = { ip: clientIp, port: clientPort };
    const server = { ip: serverIp, port: serverPort };
    const imp = this.importedByControl.get(controlKey(client, server));
    const session = new FtpSession(this.nextSessionKey++, imp ? imp.id : this.sessionIds.next(client, server), client, server,
      detected, this, this.counters, this.options.limits.reassembly, this.budget);
    if (imp) {
      // The sidecar saw this session begin: carry on from what it knows.
      session.user = imp.user;
      session.current = imp.current;
    }
    conn.session = session;
    this.dueAt.refile(conn, this.deadlineOf(conn)); // a session's connection may idle longer
    this.sessions.set(session.key, conn);
    this.counters.inc('ftp.session.opened');
    if (detected) this.counters.inc('ftp.session.detected');
    while (this.sessions.size > this.options.limits.maxSessions) {
      const oldest = this.sessions.values().next().value as ControlConnection;
      this.counters.inc('ftp.session.evicted_cap');
      this.end(oldest);
    }
    this.observer.onSessionOpened?.(session);
  }

  private onControlPacket(conn: ControlConnection, frameNo: FrameNo, ts: TimestampNs, pkt: TcpPacket): void {
    if (!conn.session) {
      if (pkt.payload.length === 0) return;
      const start = looksLikeFtpStart(pkt.payload);
      if (start === null) {
        this.end(conn); // not FTP: stop watching it
        return;
      }
      const fromServer = start === 'reply';
      this.openSession(conn, fromServer ? pkt.dst : pkt.src, fromServer ? pkt.dstPort : pkt.srcPort,
        fromServer ? pkt.src : pkt.dst, fromServer ? pkt.srcPort : pkt.dstPort, true);
    }
    const session = conn.session!;
    const fromClient = pkt.srcPort === session.client.port && pkt.src === session.client.ip;
    this.feedSession(session, fromClient, frameNo, ts, pkt.flags, pkt.seq, pkt.ack, pkt.payload, pkt.missingBytes);
  }

  /** A control segment's part in its session (full and fast path alike): the ACK, the byte count, the reassembly. */
  private feedSession(
    session: FtpSession, fromClient: boolean, frameNo: FrameNo, ts: TimestampNs,
    flags: number, seq: number, ack: number, payload: Uint8Array, missing: number,
  ): void {
    session.now = ts;
    if (flags & TCP_ACK) (fromClient ? session.fromServer : session.fromClient).onPeerAck(ack);
    if (fromClient) session.bytesFromClient += payload.length;
    else session.bytesFromServer += payload.length;
    if (payload.length > 0 || missing > 0 || (flags & TCP_SYN)) {
      (fromClient ? session.fromClient : session.fromServer).onSegment(seq, (flags & TCP_SYN) !== 0, payload, missing, frameNo, ts);
    }
  }

  private onDataPacket(conn: DataConnection, pkt: TcpPacket): void {
    const toListener = pkt.dstPort === conn.listener.port && pkt.dst === conn.listener.ip;
    (toListener ? conn.toListener : conn.toConnector).note(pkt.seq, (pkt.flags & TCP_SYN) !== 0, pkt.payload.length + pkt.missingBytes);
  }

  private add<C extends Connection>(conn: C): C {
    this.conns.set(conn.flow, conn);
    this.byAge.add(conn);
    this.dueAt.file(conn, this.deadlineOf(conn));
    this.counters.inc('flow.created');
    while (this.conns.size > this.options.limits.maxConnections) {
      const oldest = this.byAge.values().next().value as Connection;
      this.counters.inc('flow.evicted_cap');
      this.end(oldest);
    }
    this.counters.max('flow.peak', this.conns.size);
    return conn;
  }

  /** Forgets a connection; `evict` false at the end of input (nothing is freed, facts are final). */
  private end(conn: Connection, evict = true): void {
    if (evict) {
      this.conns.delete(conn.flow);
      this.byAge.delete(conn);
      this.dueAt.unfile(conn);
      if (conn.kind === 'control' && conn.session) {
        conn.session.release();
        this.sessions.delete(conn.session.key);
        this.expectations.removeSession(conn.session.key);
      }
    }
    if (conn.kind === 'data' && !conn.setup.transfer) this.counters.inc('data.no_command');
    this.observer.onConnectionEnd?.(conn);
  }

  /**
   * Ends connections that lingered after closing or sat idle, and lets sessions give up on stale
   * reassembly holes. Visits only the connections filed as possibly due, in creation order: the
   * same connections, acted on in the same order, as a scan of every connection would.
   */
  private sweep(now: TimestampNs): void {
    this.nextSweep = now + this.options.limits.sweepEveryNs;
    const cut = this.sweepCutoffs(now);
    for (const conn of this.sweepCandidates(now)) {
      if (conn.dueIn === null) continue; // unfiled: ended earlier in this sweep
      if (!this.sweepConnection(conn, now, cut)) this.dueAt.file(conn, this.deadlineOf(conn));
    }
    this.expectations.expire(now);
    const inferSince = now - INFER_WINDOW_NS;
    for (const [k, v] of this.inferable) {
      if (v.since >= inferSince) continue;
      this.inferable.delete(k);
      this.counters.inc('data.inference_dropped');
    }
  }

  /**
   * The connections a sweep at `now` has to visit, oldest first; those not ended are filed again.
   * Every connection a sweep acts on is among them (deadlineOf is a lower bound of when it acts).
   * Protected so that a test can visit every connection instead, and compare.
   */
  protected sweepCandidates(now: TimestampNs): Connection[] {
    return this.dueAt.takeDue(now).sort(byOrdinal);
  }

  /** Ends a connection that lingered after closing or sat idle, else lets its session expire holes. True if ended. */
  private sweepConnection(conn: Connection, now: TimestampNs, cut: SweepCutoffs): boolean {
    if (conn.closedAt !== null && conn.closedAt < cut.closedBefore) {
      this.counters.inc('flow.evicted_closed');
      this.end(conn);
      return true;
    }
    const idleBefore = conn.kind === 'data' ? cut.dataBefore : conn.session ? cut.controlBefore : cut.candidateBefore;
    if (conn.lastSeen < idleBefore) {
      this.counters.inc('flow.evicted_idle');
      this.end(conn);
      return true;
    }
    if (conn.kind === 'control') conn.session?.expire(now);
    return false;
  }

  /** Cut-offs computed once per sweep. */
  private sweepCutoffs(now: TimestampNs): SweepCutoffs {
    const l = this.options.limits;
    return {
      closedBefore: now - l.closedLingerNs,
      dataBefore: now - l.dataIdleNs,
      controlBefore: now - l.controlIdleNs,
      candidateBefore: now - l.candidateIdleNs,
    };
  }

  /**
   * The packet time after which a sweep acts on this connection, from its state now: it ends it
   * (lingered after closing, or idle) or its session gives up on a reassembly hole. Packets only
   * make it later, except those process() refiles for (time going back, a close, a hole).
   */
  private deadlineOf(conn: Connection): TimestampNs {
    const l = this.options.limits;
    const idle = conn.kind === 'data' ? l.dataIdleNs : conn.session ? l.controlIdleNs : l.candidateIdleNs;
    let at = conn.lastSeen + idle;
    if (conn.closedAt !== null) at = Math.min(at, conn.closedAt + l.closedLingerNs);
    const hole = conn.kind === 'control' ? conn.session?.holeDeadline() ?? null : null;
    return hole === null ? at : Math.min(at, hole);
  }
}

/** Connections last seen before these times (or closed before `closedBefore`) are ended by a sweep. */
interface SweepCutoffs {
  closedBefore: TimestampNs;
  dataBefore: TimestampNs;
  controlBefore: TimestampNs;
  candidateBefore: TimestampNs;
}

function byOrdinal(a: Connection, b: Connection): number {
  return a.ordinal - b.ordinal;
}

/** Which end is the server of a new control-port connection: the SYN's target, else the control port's owner. */
function controlServerIsDst(pkt: TcpPacket, ports: ReadonlySet<number>): boolean {
  const synAck = TCP_SYN | TCP_ACK;
  if ((pkt.flags & synAck) === TCP_SYN) return true;
  if ((pkt.flags & synAck) === synAck) return false;
  const dst = ports.has(pkt.dstPort);
  const src = ports.has(pkt.srcPort);
  if (dst !== src) return dst;
  return pkt.dstPort <= pkt.srcPort;
}

/** Text key of a control connection, for the (rare) sidecar lookups. */
function controlKey(client: Endpoint, server: Endpoint): string {
  return `${client.ip}/${client.port} ${server.ip}/${server.port}`;
}

function hostPair(connectorIp: string, listenerIp: string): string {
  return `${connectorIp}>${listenerIp}`;
}
