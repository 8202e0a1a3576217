import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openLog } from '../../../src/core/log-file';
import { encodeMessageFrame } from '../../../src/sidecar/codec';
import { SidecarCore } from '../../../src/sidecar/core';
import { encodeFrame } from '../../../src/sidecar/framing';
import type { Update } from '../../../src/sidecar/messages';
import { DEFAULT_SERVER_LIMITS, SidecarServer, type ServerLimits } from '../../../src/sidecar/server';
import { Counters } from '../../../src/core/counters';
import { fetchSnapshot } from '../../../src/sidecar/viewer';
import { FrameClock, FtpControl, type Frame } from './frames';
import { WireClient } from './wire-client';

/** A real server on a Unix socket in a private folder, serving a real core fed with frames. */
async function startServer(limits: Partial<ServerLimits> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-srv-'));
  fs.chmodSync(dir, 0o700);
  const sock = path.join(dir, 'sidecar.sock');
  const core = new SidecarCore({ controlPorts: new Set([21]), detectControl: false });
  const extra = new Set<(u: Update) => void>();
  const stats = new Counters();
  const server = new SidecarServer({ kind: 'unix', path: sock }, 0o660, {
    snapshotParts: () => core.state.snapshotParts(),
    reserveIds: (n) => core.ids.reserve(n),
    raiseIds: (n) => core.ids.raiseTo(n),
    subscribe: (l) => {
      extra.add(l);
      const off = core.subscribe(l);
      return () => { extra.delete(l); off(); };
    },
  }, openLog(null, 'message'), stats, { software: 'ftpflow test', instance: 'inst1' }, { ...DEFAULT_SERVER_LIMITS, ...limits });
  await server.listen();
  const clock = new FrameClock();
  let port = 40000;
  const feed = (...frames: (Frame | Frame[])[]) => {
    for (const f of frames.flat()) core.feed(f.ts, f.linkType, f.data);
  };
  /** A new control session with a pending PASV. */
  const newSession = () => {
    const ctl = new FtpControl(clock, { ip: '10.0.0.2', port: port++ }, { ip: '10.0.0.1', port: 21 });
    feed(ctl.open(), ctl.login('alice', 'pw-never-sent'), ctl.pasv('10.0.0.1', port + 10000));
    return ctl;
  };
  const cleanup = async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { sock, dir, core, server, stats, newSession, push: (u: Update) => { for (const l of extra) l(u); }, cleanup };
}

test('server: Hello, snapshot with an id block, then updates; the socket is 0660', async () => {
  const s = await startServer();
  try {
    assert.equal(fs.statSync(s.sock).mode & 0o777, 0o660);
    s.newSession();
    const c = await WireClient.connect(s.sock);
    await c.until(() => c.messages.length >= 1, 3000, 'server hello');
    const hello = c.messages[0]!;
    assert.ok(hello.kind === 'hello' && hello.hello.role === 'sidecar' && hello.hello.instance === 'inst1');
    // The client's Hello one byte at a time.
    const bytes = encodeMessageFrame({ kind: 'hello', hello: { protocolVersion: 1, software: 't', role: 'extcap', instance: '', nextFreeId: 0 } });
    for (const b of bytes) {
      c.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    await c.until(() => c.snapshotDone, 3000, 'snapshot');
    const snap = c.messages.find((m) => m.kind === 'snapshot');
    assert.ok(snap && snap.kind === 'snapshot');
    assert.equal(snap.snapshot.sessions.length, 1);
    assert.equal(snap.snapshot.expectations.length, 1);
    assert.deepEqual(snap.snapshot.idBlock, { first: 2, count: 1000 });
    s.newSession();
    await c.until(() => c.messages.filter((m) => m.kind === 'update').length >= 2, 3000, 'updates');
    const ups = c.messages.flatMap((m) => (m.kind === 'update' ? [m.update.kind] : []));
    assert.deepEqual(ups, ['session_opened', 'expectation_announced']);
    const opened = c.messages.find((m) => m.kind === 'update');
    assert.ok(opened?.kind === 'update' && opened.update.kind === 'session_opened' && opened.update.session.id === 1002);
    c.send({ kind: 'id_request', count: 1000 });
    await c.until(() => c.messages.some((m) => m.kind === 'update' && m.update.kind === 'id_block'), 3000, 'id block');
    c.destroy();
  } finally {
    await s.cleanup();
  }
});

test('server: bad clients are closed one by one; a live client and new clients are served throughout', async () => {
  const s = await startServer();
  try {
    s.newSession();
    const good = await WireClient.connect(s.sock);
    good.hello('extcap');
    await good.until(() => good.snapshotDone, 3000, 'good snapshot');
    const hello = (v: number) => encodeMessageFrame({ kind: 'hello', hello: { protocolVersion: v, software: 'x', role: 'extcap', instance: '', nextFreeId: 0 } });

    const bad: { name: string; send: Buffer; code: string | null }[] = [
      { name: 'wrong version', send: hello(2), code: 'version' },
      { name: 'oversized frame', send: Buffer.from([0xff, 0xff, 0xff, 0x7f]), code: 'too_large' },
      { name: 'over the client limit', send: encodeFrame(Buffer.alloc(64 * 1024 + 1)), code: 'too_large' },
      // 'G' reads as a 71-byte frame; the bytes after it are no Envelope.
      { name: 'garbage', send: Buffer.from(`GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: ${'z'.repeat(100)}\r\n\r\n`), code: 'malformed' },
      { name: 'six-byte prefix', send: Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), code: 'malformed' },
      { name: 'snapshot before hello', send: encodeMessageFrame({ kind: 'snapshot', snapshot: { sessions: [], expectations: [], idBlock: null, last: true } }), code: 'unexpected' },
      { name: 'a client claiming to be a sidecar', send: encodeMessageFrame({ kind: 'hello', hello: { protocolVersion: 1, software: 'x', role: 'sidecar', instance: '', nextFreeId: 0 } }), code: 'unexpected' },
      { name: 'two hellos', send: Buffer.concat([hello(1), hello(1)]), code: 'unexpected' },
    ];
    for (const b of bad) {
      const c = await WireClient.connect(s.sock);
      c.write(b.send);
      await c.until(() => c.closed, 4000, `${b.name}: closed`);
      assert.equal(c.errorCode(), b.code, b.name);
    }
    // A truncated frame, then the client vanishes.
    const t = await WireClient.connect(s.sock);
    t.write(hello(1).subarray(0, 4));
    await new Promise((r) => setTimeout(r, 50));
    t.destroy();

    assert.equal(s.stats.get('sidecar.clients_closed_version'), 1);
    assert.equal(s.stats.get('sidecar.clients_closed_too_large'), 2);
    assert.equal(s.stats.get('sidecar.clients_closed_malformed'), 2);
    assert.equal(s.stats.get('sidecar.clients_closed_unexpected'), 3);

    // The daemon is still up: the good client gets the next update, a new viewer gets a snapshot.
    s.newSession();
    await good.until(() => good.messages.some((m) => m.kind === 'update' && m.update.kind === 'expectation_announced'), 3000, 'update after the bad ones');
    assert.equal(good.closed, false);
    const view = await fetchSnapshot({ kind: 'unix', path: s.sock }, 3000);
    assert.equal(view.kind, 'snapshot');
    assert.equal(view.kind === 'snapshot' && view.sessions.length, 2);
    assert.equal(view.kind === 'snapshot' && view.idBlock, null, 'viewers get no numbers');
    good.destroy();
  } finally {
    await s.cleanup();
  }
});

test('server: a client that stops reading is dropped at its queue cap, and counted', async () => {
  const s = await startServer({ maxQueueBytes: 64 * 1024 });
  try {
    const slow = await WireClient.connect(s.sock);
    slow.hello('extcap');
    await slow.until(() => slow.snapshotDone, 3000, 'snapshot');
    slow.socket.pause();
    const fast = await WireClient.connect(s.sock);
    fast.hello('extcap');
    await fast.until(() => fast.snapshotDone, 3000, 'snapshot');
    const session = { id: 1, client: { ip: '10.0.0.2', port: 1 }, server: { ip: '10.0.0.1', port: 21 }, user: 'u'.repeat(128), tls: false, detected: false, openedAtNs: 0n, dataConnections: 0 };
    let pushed = 0;
    for (let i = 0; i < 40_000 && s.stats.get('sidecar.clients_closed_slow') === 0; i++) {
      s.push({ kind: 'session_opened', session: { ...session, id: i + 1 } });
      pushed++;
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.equal(s.stats.get('sidecar.clients_closed_slow'), 1);
    assert.ok(pushed > 300, `${pushed} updates before the slow client was dropped`);
    await fast.until(() => fast.messages.filter((m) => m.kind === 'update').length === pushed, 5000, 'every update reaches the fast client');
    assert.equal(fast.closed, false);
    fast.destroy();
    slow.destroy();
  } finally {
    await s.cleanup();
  }
});

test('server: silence past the hello time-out and one client too many are both refused politely', async () => {
  const s = await startServer({ helloTimeoutMs: 200, maxClients: 2 });
  try {
    const quiet = await WireClient.connect(s.sock);
    await quiet.until(() => quiet.closed, 3000, 'hello time-out');
    assert.equal(quiet.errorCode(), 'hello_timeout');

    const a = await WireClient.connect(s.sock);
    a.hello('extcap');
    const b = await WireClient.connect(s.sock);
    b.hello('extcap');
    await a.until(() => a.snapshotDone);
    await b.until(() => b.snapshotDone);
    const c = await WireClient.connect(s.sock);
    await c.until(() => c.closed, 3000, 'refusal');
    assert.equal(c.errorCode(), 'too_many_clients');
    assert.equal(s.stats.get('sidecar.clients_refused_full'), 1);
    a.destroy();
    b.destroy();
  } finally {
    await s.cleanup();
  }
});

test('server: refuses a second daemon on the same socket, and removes its socket on close', async () => {
  const s = await startServer();
  const second = new SidecarServer({ kind: 'unix', path: s.sock }, 0o660, {
    snapshotParts: () => [], reserveIds: () => ({ first: 1, count: 1 }), raiseIds: () => {}, subscribe: () => () => {},
  }, openLog(null, 'message'), new Counters(), { software: 'x', instance: 'y' });
  await assert.rejects(second.listen(), /already listening/);
  await s.server.close();
  assert.equal(fs.existsSync(s.sock), false);
  await s.cleanup();
});
