import * as net from 'node:net';
import type { Log } from '../core/log-file';
import type { FtpTracker, SessionIdSource, TrackerObserver } from '../ftp/tracker';
import { describeAddress, type SidecarAddress } from './address';
import { BlockIdSource } from './block-ids';
import { FramedPeer } from './framed-peer';
import { ID_BLOCK_SIZE } from './id-allocator';
import { SessionImporter } from './importer';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, type ExpectationInfo, type Message, type SessionInfo } from './messages';

export interface ClientOptions {
  address: SidecarAddress;
  /** The address was given (not `auto`): its absence is worded as a problem. */
  explicit: boolean;
  software: string;
  /** The capture's look-ahead (ms): see SessionImporter. */
  lookaheadMs: number;
}

/** Reconnect delays: doubling from the first to the last, then staying there. */
export const RECONNECT_FIRST_MS = 250;
export const RECONNECT_MAX_MS = 5000;
/** Hello and the whole snapshot must arrive within this after connecting. */
const HANDSHAKE_MS = 5000;
/** A snapshot larger than this (sessions + expectations) is refused as hostile. */
const MAX_SNAPSHOT_ITEMS = 1_000_000;
const TICK_MS = 500;

type Phase = 'connecting' | 'hello' | 'snapshot' | 'live' | 'closed';

/**
 * The extcap's side of the sidecar: connects at capture start, imports the snapshot into the capture's
 * tracker, follows the updates, and reconnects with back-off when the sidecar goes away. It never
 * fails the capture and never writes to stderr: everything it has to say goes to the capture's log.
 *
 * Use: create it, build the engine with its `sessionIds` and `observer`, then `connect(tracker)`;
 * await `firstSnapshot(ms)` before classifying the first packet.
 */
export class SidecarClient {
  readonly ids: BlockIdSource;
  private readonly importer: SessionImporter;
  private peer: FramedPeer | null = null;
  private phase: Phase = 'closed';
  private stopped = false;
  private attempts = 0;
  private everConnected = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private partSessions: SessionInfo[] = [];
  private partExpectations: ExpectationInfo[] = [];
  private instance = '';
  private firstOutcome: (() => void) | null = null;
  private readonly firstDone: Promise<void>;
  /** Snapshots taken (the first, then one per reconnect). */
  snapshots = 0;
  /** Updates received since the capture began. */
  updates = 0;

  constructor(private readonly o: ClientOptions, private readonly log: Log) {
    this.ids = new BlockIdSource(() => this.askForIds());
    this.importer = new SessionImporter(this.ids, o.lookaheadMs);
    this.firstDone = new Promise((resolve) => (this.firstOutcome = resolve));
  }

  get sessionIds(): SessionIdSource {
    return this.ids;
  }

  get observer(): TrackerObserver {
    return this.importer;
  }

  get connected(): boolean {
    return this.phase === 'live';
  }

  /** Starts talking to the sidecar; updates go into `tracker`. */
  connect(tracker: FtpTracker): void {
    this.importer.attach(tracker);
    this.tickTimer = setInterval(() => this.importer.tick(), TICK_MS);
    this.tickTimer.unref();
    this.dial();
  }

  /** Resolves once the first snapshot is imported, the first attempt failed, or `ms` passed. */
  firstSnapshot(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      void this.firstDone.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.stopped = true;
    this.phase = 'closed';
    for (const t of [this.reconnectTimer, this.handshakeTimer]) if (t) clearTimeout(t);
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.peer?.destroy();
    this.peer = null;
    this.firstOutcome?.();
  }

  private dial(): void {
    if (this.stopped) return;
    this.attempts++;
    this.phase = 'connecting';
    const a = this.o.address;
    const socket = a.kind === 'tcp' ? net.connect({ host: a.host, port: a.port }) : net.connect({ path: a.path });
    socket.on('error', () => {}); // every error also closes the socket; 'close' and the handlers below decide
    socket.once('connect', () => this.onConnected(socket));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (this.phase === 'connecting') this.lost(`cannot connect: ${err.code ?? err.message}`);
    });
    socket.once('close', () => {
      if (this.phase === 'connecting') this.lost('connection refused');
    });
  }

  private onConnected(socket: net.Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.phase = 'hello';
    this.peer = new FramedPeer(socket, MAX_FRAME_BYTES, {
      message: (m) => this.onMessage(m),
      bad: (_code, why) => this.log.message(`sidecar sent a bad frame (${why}); dropping the connection`),
      close: () => this.lost('connection closed'),
    });
    this.peer.send({
      kind: 'hello',
      hello: { protocolVersion: PROTOCOL_VERSION, software: this.o.software, role: 'extcap', instance: '', nextFreeId: this.ids.nextFreeId },
    });
    this.handshakeTimer = setTimeout(() => {
      this.log.message('sidecar did not send its snapshot in time; dropping the connection');
      this.peer?.destroy();
    }, HANDSHAKE_MS);
    this.handshakeTimer.unref();
  }

  private onMessage(m: Message): void {
    const peer = this.peer;
    if (!peer) return;
    if (m.kind === 'error') {
      this.log.message(`sidecar: ${m.code}: ${m.message}`);
      peer.destroy();
      return;
    }
    switch (this.phase) {
      case 'hello':
        if (m.kind !== 'hello' || m.hello.role !== 'sidecar') return this.refuse(`expected the sidecar's Hello, got ${m.kind}`);
        if (m.hello.protocolVersion !== PROTOCOL_VERSION) {
          return this.refuse(`sidecar speaks protocol ${m.hello.protocolVersion}, this capture ${PROTOCOL_VERSION}`);
        }
        this.instance = m.hello.instance;
        this.phase = 'snapshot';
        this.partSessions = [];
        this.partExpectations = [];
        return;
      case 'snapshot': {
        if (m.kind !== 'snapshot') return this.refuse(`expected a snapshot, got ${m.kind}`);
        const s = m.snapshot;
        this.partSessions.push(...s.sessions);
        this.partExpectations.push(...s.expectations);
        if (this.partSessions.length + this.partExpectations.length > MAX_SNAPSHOT_ITEMS) return this.refuse('snapshot too large');
        if (!s.last) return;
        if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
        this.handshakeTimer = null;
        this.ids.forgetBlocks();
        if (s.idBlock) this.ids.add(s.idBlock);
        this.importer.newConnection();
        this.importer.applySnapshot(this.partSessions, this.partExpectations);
        this.log.message(`sidecar ${this.everConnected ? 're' : ''}connected at ${describeAddress(this.o.address)} (instance ${this.instance}): ` +
          `${this.partSessions.length} sessions, ${this.partExpectations.length} pending data connections imported` +
          (s.idBlock ? `, session numbers ${s.idBlock.first}-${s.idBlock.first + s.idBlock.count - 1}` : ''));
        this.partSessions = [];
        this.partExpectations = [];
        this.phase = 'live';
        this.everConnected = true;
        this.attempts = 0;
        this.snapshots++;
        this.firstOutcome?.();
        return;
      }
      case 'live':
        if (m.kind !== 'update') return this.refuse(`expected an update, got ${m.kind}`);
        this.updates++;
        if (m.update.kind === 'id_block') this.ids.add(m.update.block);
        else this.importer.applyUpdate(m.update);
        return;
      default:
        return;
    }
  }

  private refuse(why: string): void {
    this.log.message(`sidecar: ${why}; dropping the connection`);
    this.peer?.destroy();
  }

  private askForIds(): void {
    if (this.phase === 'live') this.peer?.send({ kind: 'id_request', count: ID_BLOCK_SIZE });
  }

  private lost(why: string): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    const wasLive = this.phase === 'live';
    this.peer = null;
    if (this.stopped || this.phase === 'closed') return;
    this.phase = 'closed';
    if (wasLive) {
      this.log.message(`sidecar lost (${why}); the capture goes on, reconnecting`);
    } else if (this.attempts === 1 && !this.everConnected) {
      const where = describeAddress(this.o.address);
      this.log.message(`no sidecar at ${where} (${why}); capturing without it${this.o.explicit ? ', retrying in the background' : ' (it is used if one starts)'}`);
    } else {
      this.log.debug(`sidecar: ${why}`);
    }
    this.firstOutcome?.();
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** Math.min(10, Math.max(0, this.attempts - 1)));
    this.reconnectTimer = setTimeout(() => this.dial(), delay);
    this.reconnectTimer.unref();
  }
}
