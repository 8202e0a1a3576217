import * as fs from 'node:fs';
import * as net from 'node:net';
import { FatalError } from '../core/errors';
import type { Log } from '../core/log-file';
import { describeAddress, type SidecarAddress } from './address';
import { encodeMessageFrame } from './codec';
import { FramedPeer } from './framed-peer';
import { ID_BLOCK_SIZE } from './id-allocator';
import { MAX_CLIENT_FRAME_BYTES, PROTOCOL_VERSION, type ErrorCode, type Hello, type IdBlock, type Message, type Snapshot, type Update } from './messages';
import { prepareSocketPath } from './socket-security';
import type { Counters } from '../core/counters';

export interface ServerLimits {
  /** Clients at once; the next one is told so and closed. */
  maxClients: number;
  /** Bytes of updates a client may have waiting (beyond its snapshot); past it the client is dropped. */
  maxQueueBytes: number;
  /** A client must say Hello within this time. */
  helloTimeoutMs: number;
  /** IdRequests one client may make (each hands out ID_BLOCK_SIZE numbers). */
  maxIdRequests: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxClients: 64,
  maxQueueBytes: 16 * 1024 * 1024,
  helloTimeoutMs: 5000,
  maxIdRequests: 10_000,
};

/** What the server serves: the state's snapshot, numbers, and a stream of updates. */
export interface ServedState {
  snapshotParts(): Snapshot[];
  reserveIds(count: number): IdBlock;
  raiseIds(next: number): void;
  subscribe(listener: (u: Update) => void): () => void;
}

type ClientPhase = 'hello' | 'live' | 'done';

interface Client {
  peer: FramedPeer;
  phase: ClientPhase;
  role: Hello['role'] | null;
  /** Queue bytes allowed: the snapshot's size plus maxQueueBytes. */
  queueCap: number;
  idRequests: number;
  helloTimer: NodeJS.Timeout | null;
  name: string;
}

/**
 * The sidecar's socket: says Hello, waits for the client's, sends the snapshot (with a block of
 * session numbers for an extcap), then every update. One bad client — wrong version, garbage,
 * oversized frames, too slow to read — is closed alone; the others and the daemon go on.
 */
export class SidecarServer {
  private server: net.Server | null = null;
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | null = null;
  private clientSeq = 0;
  private readonly helloFrame: Buffer;

  constructor(
    private readonly address: SidecarAddress,
    private readonly socketMode: number,
    private readonly served: ServedState,
    private readonly log: Log,
    private readonly stats: Counters,
    hello: { software: string; instance: string },
    private readonly limits: ServerLimits = DEFAULT_SERVER_LIMITS,
  ) {
    this.helloFrame = encodeMessageFrame({
      kind: 'hello',
      hello: { protocolVersion: PROTOCOL_VERSION, software: hello.software, role: 'sidecar', instance: hello.instance, nextFreeId: 0 },
    });
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Binds the address. Rejects with FatalError E_SIDECAR (unsafe folder, another sidecar, in use). */
  async listen(): Promise<void> {
    if (this.address.kind === 'unix') {
      const refused = await prepareSocketPath(this.address.path);
      if (refused !== null) throw new FatalError('E_SIDECAR', refused);
    }
    const server = net.createServer((socket) => this.accept(socket));
    server.maxConnections = this.limits.maxClients * 2; // hard stop; the polite refusal is in accept()
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(new FatalError('E_SIDECAR', `cannot listen on ${describeAddress(this.address)}: ${err.code ?? err.message}`));
      server.once('error', onError);
      // The socket is born owner-only; the wanted mode is set right after (no window where others may connect).
      const oldMask = this.address.kind === 'unix' ? process.umask(0o177) : null;
      const done = () => {
        if (oldMask !== null) process.umask(oldMask);
        server.off('error', onError);
        resolve();
      };
      try {
        if (this.address.kind === 'tcp') server.listen({ host: this.address.host, port: this.address.port }, done);
        else server.listen({ path: this.address.path }, done);
      } catch (err) {
        if (oldMask !== null) process.umask(oldMask);
        reject(err);
      }
    });
    if (this.address.kind === 'unix') fs.chmodSync(this.address.path, this.socketMode);
    server.on('error', (err) => this.log.message(`sidecar socket error: ${err.message}`));
    this.server = server;
    this.unsubscribe = this.served.subscribe((u) => this.broadcast(u));
  }

  /** The bound TCP port (tests listen on port 0). */
  get tcpPort(): number | null {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : null;
  }

  /** Stops listening, closes every client, removes the socket file. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const c of this.clients) c.peer.destroy();
    this.clients.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.address.kind === 'unix') {
      try {
        fs.unlinkSync(this.address.path);
      } catch {
        // already gone
      }
    }
  }

  private accept(socket: net.Socket): void {
    const name = `client ${++this.clientSeq}`;
    if (this.clients.size >= this.limits.maxClients) {
      this.stats.inc('sidecar.clients_refused_full');
      socket.end(encodeMessageFrame({ kind: 'error', code: 'too_many_clients', message: `the sidecar serves ${this.limits.maxClients} clients at most` }));
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    this.stats.inc('sidecar.clients_accepted');
    const client: Client = {
      peer: undefined as unknown as FramedPeer, phase: 'hello', role: null, queueCap: this.limits.maxQueueBytes,
      idRequests: 0, helloTimer: null, name,
    };
    client.peer = new FramedPeer(socket, MAX_CLIENT_FRAME_BYTES, {
      message: (m) => this.onMessage(client, m),
      bad: (code, why) => this.onBad(client, code, why),
      close: () => this.forget(client),
    });
    this.clients.add(client);
    client.helloTimer = setTimeout(() => this.drop(client, 'hello_timeout', 'no Hello in time'), this.limits.helloTimeoutMs);
    client.helloTimer.unref();
    client.peer.sendFrame(this.helloFrame);
  }

  private onMessage(c: Client, m: Message): void {
    if (c.phase === 'hello') {
      if (m.kind !== 'hello') return this.drop(c, 'unexpected', `expected Hello, got ${m.kind}`);
      if (c.helloTimer) clearTimeout(c.helloTimer);
      c.helloTimer = null;
      const h = m.hello;
      if (h.protocolVersion !== PROTOCOL_VERSION) {
        this.stats.inc('sidecar.clients_closed_version');
        return this.drop(c, 'version', `protocol version ${h.protocolVersion} is not ${PROTOCOL_VERSION}`, false);
      }
      if (h.role === 'sidecar') return this.drop(c, 'unexpected', 'a client cannot be a sidecar');
      c.role = h.role;
      this.log.info(`${c.name}: ${h.role} ${JSON.stringify(h.software)}`);
      if (h.role === 'extcap') this.served.raiseIds(h.nextFreeId);
      this.sendSnapshot(c);
      if (h.role === 'viewer') {
        c.phase = 'done';
        c.peer.end();
      } else {
        c.phase = 'live';
      }
      return;
    }
    if (c.phase === 'live' && c.role === 'extcap' && m.kind === 'id_request') {
      if (++c.idRequests > this.limits.maxIdRequests) return this.drop(c, 'unexpected', 'too many IdRequests');
      const block = this.served.reserveIds(ID_BLOCK_SIZE);
      c.peer.send({ kind: 'update', update: { kind: 'id_block', block } });
      return;
    }
    this.drop(c, 'unexpected', `unexpected ${m.kind}`);
  }

  private sendSnapshot(c: Client): void {
    const parts = this.served.snapshotParts();
    const last = parts[parts.length - 1]!;
    if (c.role === 'extcap') last.idBlock = this.served.reserveIds(ID_BLOCK_SIZE);
    let bytes = 0;
    for (const part of parts) {
      const frame = encodeMessageFrame({ kind: 'snapshot', snapshot: part });
      bytes += frame.length;
      c.peer.sendFrame(frame);
    }
    c.queueCap = bytes + this.limits.maxQueueBytes;
    this.stats.inc('sidecar.snapshots_sent');
  }

  private broadcast(u: Update): void {
    let frame: Buffer | null = null;
    for (const c of this.clients) {
      if (c.phase !== 'live' || c.role !== 'extcap') continue;
      frame ??= encodeMessageFrame({ kind: 'update', update: u });
      if (c.peer.queuedBytes + frame.length > c.queueCap) {
        this.stats.inc('sidecar.clients_closed_slow');
        this.drop(c, 'too_slow', `more than ${c.queueCap} bytes waiting: read faster`);
        continue;
      }
      c.peer.sendFrame(frame);
      this.stats.inc('sidecar.updates_sent');
    }
  }

  private onBad(c: Client, code: ErrorCode, why: string): void {
    this.stats.inc(code === 'too_large' ? 'sidecar.clients_closed_too_large' : 'sidecar.clients_closed_malformed');
    this.log.info(`${c.name}: closed: ${why}`);
    c.phase = 'done';
  }

  private drop(c: Client, code: ErrorCode, why: string, count = true): void {
    if (count && code === 'unexpected') this.stats.inc('sidecar.clients_closed_unexpected');
    if (code === 'hello_timeout') this.stats.inc('sidecar.clients_closed_hello_timeout');
    this.log.info(`${c.name}: closed: ${why}`);
    c.phase = 'done';
    c.peer.fail(code, why);
  }

  private forget(c: Client): void {
    if (c.helloTimer) clearTimeout(c.helloTimer);
    this.clients.delete(c);
  }
}
