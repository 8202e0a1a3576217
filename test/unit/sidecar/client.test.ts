import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatComment } from '../../../src/annotate/format';
import { openLog } from '../../../src/core/log-file';
import { Counters } from '../../../src/core/counters';
import { decodeFrame, type TcpPacket } from '../../../src/decode';
import type { Connection } from '../../../src/ftp/connections';
import { DEFAULT_TRACKER_LIMITS, FtpTracker } from '../../../src/ftp/tracker';
import { Engine } from '../../../src/pipeline/engine';
import { BlockIdSource } from '../../../src/sidecar/block-ids';
import { SidecarClient } from '../../../src/sidecar/client';
import { SidecarCore } from '../../../src/sidecar/core';
import { FORGET_GRACE_MS, SessionImporter } from '../../../src/sidecar/importer';
import { SidecarServer } from '../../../src/sidecar/server';
import { FrameClock, FtpControl, Tcp, type Frame } from './frames';

/** A sidecar (core + server on a Unix socket) that can be stopped and started again on the same path. */
class Sidecar {
  core!: SidecarCore;
  server!: SidecarServer;
  constructor(readonly sock: string) {}

  async start(): Promise<void> {
    this.core = new SidecarCore({ controlPorts: new Set([21]), detectControl: false });
    const core = this.core;
    this.server = new SidecarServer({ kind: 'unix', path: this.sock }, 0o660, {
      snapshotParts: () => core.state.snapshotParts(),
      reserveIds: (n) => core.ids.reserve(n),
      raiseIds: (n) => core.ids.raiseTo(n),
      subscribe: (l) => core.subscribe(l),
    }, openLog(null, 'message'), new Counters(), { software: 'test sidecar', instance: String(Math.random()) });
    await this.server.listen();
  }

  feed(...frames: (Frame | Frame[])[]): void {
    for (const f of frames.flat()) this.core.feed(f.ts, f.linkType, f.data);
  }
}

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('client: a capture that starts after PASV gets the sidecar session, its number and source=sidecar; numbers stay unique across a sidecar restart', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-cli-'));
  fs.chmodSync(dir, 0o700);
  const logFile = path.join(dir, 'extcap.log');
  const sidecar = new Sidecar(path.join(dir, 's.sock'));
  const log = openLog(logFile, 'debug');
  const client = new SidecarClient({ address: { kind: 'unix', path: sidecar.sock }, explicit: true, software: 'test', lookaheadMs: 1000 }, log);
  try {
    await sidecar.start();
    const clock = new FrameClock();
    // Before the capture: alice logs in and asks for PASV.
    const ctl = new FtpControl(clock, { ip: '10.0.0.2', port: 40000 }, { ip: '10.0.0.1', port: 21 });
    sidecar.feed(ctl.open(), ctl.login('alice', 'secret-pw'), ctl.pasv('10.0.0.1', 50000));

    // The capture: the same engine the extcap runs, numbered and informed by the client.
    const engine = new Engine({ controlPorts: new Set([21, 2121]), detectControl: false, sessionIds: client.sessionIds }, client.observer);
    client.connect(engine.tracker);
    await client.firstSnapshot(3000);
    assert.equal(client.connected, true);
    let frameNo = 0;
    const both = (...frames: (Frame | Frame[])[]): (Connection | null)[] => frames.flat().map((f) => {
      sidecar.core.feed(f.ts, f.linkType, f.data);
      return engine.classify(++frameNo, f.ts, f.linkType, f.data);
    });

    const data = new Tcp(clock, { ip: '10.0.0.2', port: 40001 }, { ip: '10.0.0.1', port: 50000 });
    const [syn] = both(data.handshake());
    both(ctl.cmd('RETR big.iso'));
    assert.equal(formatComment(syn!),
      'ftpflow role=data session=1 mode=passive method=PASV cmd=RETR arg=big.iso dir=down control=10.0.0.2:40000->10.0.0.1:21 confidence=exact source=sidecar');
    const [ctlConn] = both(ctl.reply('150 ok'));
    assert.equal(formatComment(ctlConn!), 'ftpflow role=control session=1 control=10.0.0.2:40000->10.0.0.1:21 user=alice');

    // A session that opens during the capture: the sidecar tells its number before the capture's own
    // packets are classified (the usual order: libpcap hands packets over in batches).
    const ctl2 = new FtpControl(clock, { ip: '10.0.0.3', port: 40000 }, { ip: '10.0.0.1', port: 21 });
    const open2 = ctl2.open();
    const before2 = client.updates;
    sidecar.feed(open2);
    const sidecarId2 = sidecar.core.state.sessionInfos().find((s) => s.client.ip === '10.0.0.3')!.id;
    await until(() => client.updates > before2, 3000, 'session_opened');
    const c2 = open2.map((f) => engine.classify(++frameNo, f.ts, f.linkType, f.data));
    assert.equal(formatComment(c2[0]!), `ftpflow role=control session=${sidecarId2} control=10.0.0.3:40000->10.0.0.1:21`);
    assert.equal(sidecarId2, 1002, 'the extcap holds 2-1001');

    // A session the sidecar does not watch (port 2121): a number from the extcap's block.
    const ctl3 = new FtpControl(clock, { ip: '10.0.0.4', port: 40000 }, { ip: '10.0.0.1', port: 2121 });
    const [c3] = both(ctl3.open());
    assert.match(formatComment(c3!), /^ftpflow role=control session=2 /);

    // The sidecar dies; the capture goes on; a restarted sidecar numbers past what the capture showed.
    await sidecar.server.close();
    await until(() => !client.connected, 3000, 'loss noticed');
    const during = new FtpControl(clock, { ip: '10.0.0.5', port: 40000 }, { ip: '10.0.0.1', port: 21 });
    const [c4] = during.open().map((f) => engine.classify(++frameNo, f.ts, f.linkType, f.data));
    assert.match(formatComment(c4!), /^ftpflow role=control session=3 /, 'the block is still ours while no sidecar runs');
    await sidecar.start();
    await until(() => client.snapshots === 2, 8000, 'reconnect');
    const ctl5 = new FtpControl(clock, { ip: '10.0.0.6', port: 40000 }, { ip: '10.0.0.1', port: 21 });
    const open5 = ctl5.open();
    const before5 = client.updates;
    sidecar.feed(open5);
    const id5 = sidecar.core.state.sessionInfos().find((s) => s.client.ip === '10.0.0.6')!.id;
    assert.ok(id5 > 1002, `restarted sidecar numbers after the capture's numbers (got ${id5})`);
    await until(() => client.updates > before5, 3000, 'session_opened after the restart');
    const [c5] = open5.map((f) => engine.classify(++frameNo, f.ts, f.linkType, f.data));
    assert.match(formatComment(c5!), new RegExp(`^ftpflow role=control session=${id5} `), 'a later session gets a sidecar number');

    const text = fs.readFileSync(logFile, 'utf8');
    assert.match(text, /sidecar connected at .*: 1 sessions, 1 pending data connections imported, session numbers 2-1001/);
    assert.match(text, /sidecar lost \(connection closed\); the capture goes on, reconnecting/);
    assert.match(text, /sidecar reconnected at /);
    assert.ok(!text.includes('secret-pw'));
  } finally {
    client.close();
    log.close();
    await sidecar.server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('client: no sidecar at the address is one log line and an immediate start, never an error', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-cli-'));
  const logFile = path.join(dir, 'extcap.log');
  const log = openLog(logFile, 'info');
  const client = new SidecarClient({ address: { kind: 'unix', path: path.join(dir, 'none.sock') }, explicit: false, software: 'test', lookaheadMs: 1000 }, log);
  try {
    const engine = new Engine({ controlPorts: new Set([21]), detectControl: false, sessionIds: client.sessionIds }, client.observer);
    const t0 = Date.now();
    client.connect(engine.tracker);
    await client.firstSnapshot(3000);
    assert.ok(Date.now() - t0 < 1000, 'does not wait for a sidecar that is not there');
    assert.equal(client.connected, false);
    assert.match(fs.readFileSync(logFile, 'utf8'), /no sidecar at .*none\.sock \(cannot connect: ENOENT\); capturing without it/);
    // Local numbering, as without a sidecar.
    assert.deepEqual([client.sessionIds.next({ ip: '1.1.1.1', port: 1 }, { ip: '2.2.2.2', port: 21 }), client.sessionIds.next({ ip: '1.1.1.1', port: 2 }, { ip: '2.2.2.2', port: 21 })], [1, 2]);
  } finally {
    client.close();
    log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('importer: the sidecar may report a data connection before the capture sees its SYN; removal waits for the grace time', () => {
  let now = 1_000_000;
  const ids = new BlockIdSource();
  const importer = new SessionImporter(ids, 1000, () => now);
  const tracker = new FtpTracker({ controlPorts: new Set([21]), detectControl: false, limits: DEFAULT_TRACKER_LIMITS, sessionIds: ids }, new Counters(), importer);
  importer.attach(tracker);
  const session = { id: 9, client: { ip: '10.0.0.2', port: 40000 }, server: { ip: '10.0.0.1', port: 21 }, user: 'u', tls: false, detected: false, openedAtNs: 1n, dataConnections: 0 };
  const clock = new FrameClock();
  importer.applySnapshot([session], [{ id: 4, sessionId: 9, method: 'PASV', announced: { ip: '10.0.0.1', port: 50000 }, announcedAtNs: BigInt(clock.ns), transfer: { verb: 'STOR', arg: 'x' } }]);
  importer.applyUpdate({ kind: 'expectation_used', sessionId: 9, expectationId: 4, connector: { ip: '10.0.0.2', port: 40001 }, listener: { ip: '10.0.0.1', port: 50000 } });
  importer.tick();
  const data = new Tcp(clock, { ip: '10.0.0.2', port: 40001 }, { ip: '10.0.0.1', port: 50000 });
  const [syn] = data.handshake();
  const decoded = decodeFrame(syn!.linkType, syn!.data);
  assert.equal(decoded.kind, 'tcp');
  const conn = tracker.process(1, syn!.ts, decoded as TcpPacket);
  assert.equal(conn?.kind, 'data', 'still matchable within the grace time');
  assert.match(formatComment(conn!), /session=9 mode=passive method=PASV cmd=STOR arg=x dir=up .* source=sidecar/);

  // A second announcement used elsewhere and never seen here: gone once the grace has passed.
  importer.applyUpdate({ kind: 'expectation_announced', session, expectation: { id: 5, sessionId: 9, method: 'PASV', announced: { ip: '10.0.0.1', port: 50001 }, announcedAtNs: BigInt(clock.ns), transfer: null } });
  assert.equal(tracker.expectations.hasPort(50001), true);
  importer.applyUpdate({ kind: 'expectation_used', sessionId: 9, expectationId: 5, connector: { ip: '10.0.0.2', port: 40002 }, listener: { ip: '10.0.0.1', port: 50001 } });
  now += FORGET_GRACE_MS - 1;
  importer.tick();
  assert.equal(tracker.expectations.hasPort(50001), true);
  now += 2;
  importer.tick();
  assert.equal(tracker.expectations.hasPort(50001), false);

  // session_closed: the session and what is left of it go, after the same grace.
  importer.applyUpdate({ kind: 'expectation_announced', session, expectation: { id: 6, sessionId: 9, method: 'PASV', announced: { ip: '10.0.0.1', port: 50002 }, announcedAtNs: BigInt(clock.ns), transfer: null } });
  importer.applyUpdate({ kind: 'session_closed', sessionId: 9 });
  assert.equal(importer.importedCount, 1);
  now += FORGET_GRACE_MS + 1;
  importer.tick();
  assert.equal(importer.importedCount, 0);
  assert.equal(tracker.expectations.hasPort(50002), false);
  assert.equal(ids.nextFreeId, 10, 'numbers shown through the sidecar count for the next sidecar');
});

test('block ids: blocks first, more asked at half, local numbering after the highest shown when none is left', () => {
  let asked = 0;
  const ids = new BlockIdSource(() => asked++);
  ids.add({ first: 100, count: 1000 });
  const got = Array.from({ length: 501 }, () => ids.next());
  assert.deepEqual([got[0], got[500]], [100, 600]);
  assert.equal(asked, 1, 'asked once when fewer than 500 were left');
  ids.add({ first: 5000, count: 2 });
  for (let i = 0; i < 499; i++) ids.next();
  assert.deepEqual([ids.next(), ids.next(), ids.next()], [5000, 5001, 5002]);
  assert.equal(ids.fallbacks, 1);
  ids.noteShown(9000);
  assert.equal(ids.next(), 9001);
  assert.equal(ids.nextFreeId, 9002);
});
