import * as net from 'node:net';
import { describeAddress, type SidecarAddress } from './address';
import { FramedPeer } from './framed-peer';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, type ExpectationInfo, type Hello, type IdBlock, type Role, type SessionInfo } from './messages';

export interface FetchedSnapshot {
  kind: 'snapshot';
  hello: Hello;
  sessions: SessionInfo[];
  expectations: ExpectationInfo[];
  idBlock: IdBlock | null;
  /** Snapshot frames received. */
  parts: number;
}

export type FetchResult = FetchedSnapshot | { kind: 'failed'; why: string };

/**
 * Connects, says Hello, collects the whole snapshot and leaves: `ftpflow sessions`, and the tests and
 * benchmark that time a new client. Never rejects.
 */
export function fetchSnapshot(address: SidecarAddress, timeoutMs: number, role: Exclude<Role, 'sidecar'> = 'viewer', software = 'ftpflow sessions'): Promise<FetchResult> {
  return new Promise((resolve) => {
    let settled = false;
    let hello: Hello | null = null;
    const sessions: SessionInfo[] = [];
    const expectations: ExpectationInfo[] = [];
    let parts = 0;
    const socket = address.kind === 'tcp' ? net.connect({ host: address.host, port: address.port }) : net.connect({ path: address.path });
    const done = (r: FetchResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ kind: 'failed', why: `no snapshot from ${describeAddress(address)} within ${timeoutMs} ms` }), timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => done({ kind: 'failed', why: `cannot reach the sidecar at ${describeAddress(address)}: ${err.code ?? err.message}` }));
    socket.once('connect', () => {
      const peer = new FramedPeer(socket, MAX_FRAME_BYTES, {
        message: (m) => {
          if (m.kind === 'error') return done({ kind: 'failed', why: `sidecar: ${m.code}: ${m.message}` });
          if (!hello) {
            if (m.kind !== 'hello') return done({ kind: 'failed', why: `expected Hello, got ${m.kind}` });
            if (m.hello.protocolVersion !== PROTOCOL_VERSION) return done({ kind: 'failed', why: `sidecar speaks protocol ${m.hello.protocolVersion}, not ${PROTOCOL_VERSION}` });
            hello = m.hello;
            return;
          }
          if (m.kind !== 'snapshot') return done({ kind: 'failed', why: `expected a snapshot, got ${m.kind}` });
          parts++;
          sessions.push(...m.snapshot.sessions);
          expectations.push(...m.snapshot.expectations);
          if (m.snapshot.last) done({ kind: 'snapshot', hello, sessions, expectations, idBlock: m.snapshot.idBlock, parts });
        },
        bad: (_c, why) => done({ kind: 'failed', why: `bad frame from the sidecar: ${why}` }),
        close: () => done({ kind: 'failed', why: 'the sidecar closed the connection before the snapshot was whole' }),
      });
      peer.send({ kind: 'hello', hello: { protocolVersion: PROTOCOL_VERSION, software, role, instance: '', nextFreeId: 0 } });
    });
  });
}
