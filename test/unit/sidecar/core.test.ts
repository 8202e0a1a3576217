import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SidecarCore } from '../../../src/sidecar/core';
import type { Update } from '../../../src/sidecar/messages';
import type { TransferRecord } from '../../../src/sidecar/transfer-log';
import { FrameClock, FtpControl, Tcp, type Frame } from './frames';

const PASSWORD = 'hunter2-Secret!';

/** A sidecar core fed by hand, with its updates, transfer records and a wall clock the test moves. */
function rig(replyWaitMs = 1000) {
  const records: TransferRecord[] = [];
  const updates: Update[] = [];
  let wall = 1_000_000;
  const core = new SidecarCore({
    controlPorts: new Set([21]), detectControl: false,
    transferSink: { write: (r) => records.push(r) }, nowMs: () => wall, replyWaitMs,
  });
  core.subscribe((u) => updates.push(u));
  const clock = new FrameClock();
  const feed = (...frames: (Frame | Frame[])[]) => {
    for (const f of frames.flat()) core.feed(f.ts, f.linkType, f.data);
  };
  return { core, records, updates, clock, feed, advanceWall: (ms: number) => (wall += ms) };
}

const kinds = (updates: Update[]) => updates.map((u) => u.kind);

test('core: a passive download seen only by its SYN/FIN packets gives updates, a snapshot and one exact log record', () => {
  const { core, records, updates, clock, feed } = rig();
  const ctl = new FtpControl(clock, { ip: '10.0.0.2', port: 40000 }, { ip: '10.0.0.1', port: 21 });
  feed(ctl.open(), ctl.login('alice', PASSWORD), ctl.pasv('10.0.0.1', 50000));

  assert.deepEqual(kinds(updates), ['session_opened', 'expectation_announced']);
  const announced = updates[1]!;
  assert.ok(announced.kind === 'expectation_announced');
  assert.equal(announced.session.id, 1);
  assert.equal(announced.session.user, 'alice');
  assert.deepEqual(announced.expectation.announced, { ip: '10.0.0.1', port: 50000 });
  assert.equal(announced.expectation.method, 'PASV');
  assert.equal(announced.expectation.transfer, null);

  const snap = core.state.snapshotParts();
  assert.equal(snap.length, 1);
  assert.equal(snap[0]!.last, true);
  assert.equal(snap[0]!.sessions.length, 1);
  assert.deepEqual(snap[0]!.expectations.map((e) => [e.id, e.sessionId, e.announced.port]), [[1, 1, 50000]]);

  // curl's order: connect the data connection, then RETR.
  const data = new Tcp(clock, { ip: '10.0.0.2', port: 40001 }, { ip: '10.0.0.1', port: 50000 });
  feed(data.handshake(), ctl.cmd('RETR file.bin'), ctl.reply('150 here it comes'));
  data.skip(false, 123_456); // the payload the filter never captured
  feed(data.fin(false), data.fin(true));
  assert.equal(records.length, 0, 'closed, but the 226 has not come yet');
  feed(ctl.reply('226 done'));

  assert.deepEqual(kinds(updates), ['session_opened', 'expectation_announced', 'expectation_used', 'transfer_command', 'transfer_finished']);
  assert.equal(records.length, 1);
  const r = records[0]!;
  assert.deepEqual({ ...r, ts: 0, duration: 0 }, {
    ts: 0, session: 1, 'id.orig_h': '10.0.0.2', 'id.orig_p': 40000, 'id.resp_h': '10.0.0.1', 'id.resp_p': 21,
    user: 'alice', command: 'RETR', arg: 'file.bin', reply_code: 226, 'data_channel.passive': true,
    'data_channel.orig_h': '10.0.0.2', 'data_channel.orig_p': 40001, 'data_channel.resp_h': '10.0.0.1', 'data_channel.resp_p': 50000,
    mode: 'passive', method: 'PASV', bytes_to_server: 0, bytes_to_client: 123_456, duration: 0, status: 'complete', tls: false,
  });
  assert.ok(r.ts > 1.7e9 && r.ts < 1.8e9, `ts ${r.ts} is in seconds`);
  assert.ok(r.duration > 0 && r.duration < 1);

  const after = core.state.snapshotParts()[0]!;
  assert.equal(after.expectations.length, 0, 'a used announcement is no longer pending');
  assert.equal(after.sessions[0]!.dataConnections, 1);

  feed(ctl.cmd('QUIT'), ctl.reply('221 bye'), ctl.close());
  core.finish();
  assert.equal(kinds(updates).at(-1), 'session_closed');
  assert.equal(core.state.sessionCount, 0);

  const everything = JSON.stringify({ updates, records, snap }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  assert.ok(!everything.includes(PASSWORD), 'the password never leaves the engine');
  assert.ok(!everything.includes('PASS'), 'nor the PASS command');
});

test('core: active upload (PORT, STOR) counts the bytes toward the server', () => {
  const { records, clock, feed } = rig();
  const ctl = new FtpControl(clock, { ip: '10.0.0.2', port: 40010 }, { ip: '10.0.0.1', port: 21 });
  feed(ctl.open(), ctl.login('bob', PASSWORD), ctl.cmd('PORT 10,0,0,2,156,64'), ctl.reply('200 PORT ok'), ctl.cmd('STOR up.txt'));
  // Active mode: the server connects from port 20 to the client's announced 40000.
  const data = new Tcp(clock, { ip: '10.0.0.1', port: 20 }, { ip: '10.0.0.2', port: 40000 });
  feed(data.handshake(), ctl.reply('150 send it'), ctl.reply('226 stored'));
  data.skip(false, 5000);
  feed(data.fin(false), data.fin(true));
  assert.equal(records.length, 1);
  const r = records[0]!;
  assert.equal(r.mode, 'active');
  assert.equal(r['data_channel.passive'], false);
  assert.equal(r['data_channel.orig_h'], '10.0.0.1');
  assert.equal(r['data_channel.orig_p'], 20);
  assert.equal(r['data_channel.resp_p'], 40000);
  assert.equal(r.bytes_to_server, 5000);
  assert.equal(r.bytes_to_client, 0);
  assert.equal(r.command, 'STOR');
  assert.equal(r.status, 'complete');
});

test('core: IPv6 EPSV is served with canonical addresses', () => {
  const { core, records, clock, feed } = rig();
  const ctl = new FtpControl(clock, { ip: '2001:db8::2', port: 40000 }, { ip: '2001:db8::1', port: 21 });
  feed(ctl.open(), ctl.login('carol', PASSWORD), ctl.cmd('EPSV'), ctl.reply('229 Entering Extended Passive Mode (|||50001|)'));
  const snap = core.state.snapshotParts()[0]!;
  assert.deepEqual(snap.expectations[0]!.announced, { ip: '2001:db8::1', port: 50001 });
  assert.equal(snap.expectations[0]!.method, 'EPSV');
  const data = new Tcp(clock, { ip: '2001:db8::2', port: 40001 }, { ip: '2001:db8::1', port: 50001 });
  feed(data.handshake(), ctl.cmd('LIST'), ctl.reply('150 listing'));
  data.skip(false, 777);
  feed(ctl.reply('226 listed'), data.fin(false), data.fin(true));
  assert.equal(records.length, 1);
  assert.equal(records[0]!['id.orig_h'], '2001:db8::2');
  assert.equal(records[0]!.bytes_to_client, 777);
  assert.equal(records[0]!.command, 'LIST');
  assert.equal(records[0]!.arg, '');
});

test('core: the final reply decides the status; no reply is logged after the wait as unknown', () => {
  const cases: { name: string; reply: string | null; want: string; code: number | null }[] = [
    { name: 'aborted transfer', reply: '426 connection closed; transfer aborted', want: 'aborted', code: 426 },
    { name: 'refused file', reply: '550 no such file', want: 'aborted', code: 550 },
    { name: 'complete', reply: '250 ok', want: 'complete', code: 250 },
    { name: 'no reply', reply: null, want: 'unknown', code: null },
  ];
  for (const c of cases) {
    const { core, records, clock, feed, advanceWall } = rig(1000);
    const ctl = new FtpControl(clock, { ip: '10.0.0.2', port: 40000 }, { ip: '10.0.0.1', port: 21 });
    feed(ctl.open(), ctl.login('dave', PASSWORD), ctl.pasv('10.0.0.1', 50000), ctl.cmd('RETR f'));
    const data = new Tcp(clock, { ip: '10.0.0.2', port: 40001 }, { ip: '10.0.0.1', port: 50000 });
    feed(data.handshake());
    data.skip(false, 10);
    feed(data.fin(false), data.fin(true));
    if (c.reply) feed(ctl.reply(c.reply));
    core.tick();
    assert.equal(records.length, c.reply ? 1 : 0, c.name);
    advanceWall(1001);
    core.tick();
    assert.equal(records.length, 1, c.name);
    assert.equal(records[0]!.status, c.want, c.name);
    assert.equal(records[0]!.reply_code, c.code, c.name);
  }
});

test('core: sessions get 1, 2, … and blocks for extcaps come from the same counter', () => {
  const { core, updates, clock, feed } = rig();
  feed(new FtpControl(clock, { ip: '10.0.0.2', port: 40000 }, { ip: '10.0.0.1', port: 21 }).open());
  const block = core.ids.reserve(1000);
  feed(new FtpControl(clock, { ip: '10.0.0.3', port: 40000 }, { ip: '10.0.0.1', port: 21 }).open());
  const ids = updates.flatMap((u) => (u.kind === 'session_opened' ? [u.session.id] : []));
  assert.deepEqual(ids, [1, 1002]);
  assert.deepEqual(block, { first: 2, count: 1000 });
  core.ids.raiseTo(5000);
  feed(new FtpControl(clock, { ip: '10.0.0.4', port: 40000 }, { ip: '10.0.0.1', port: 21 }).open());
  assert.equal((updates.at(-1) as { session: { id: number } }).session.id, 5000);
});

test('core: a large state is cut into snapshot parts that each stay well under the frame limit', () => {
  const { core, clock, feed } = rig();
  for (let i = 0; i < 300; i++) {
    const ctl = new FtpControl(clock, { ip: '10.0.1.2', port: 20000 + i }, { ip: '10.0.0.1', port: 21 });
    feed(ctl.open(), ctl.cmd(`USER user${i}`), ctl.pasv('10.0.0.1', 30000 + i), ctl.cmd(`RETR ${'x'.repeat(2000)}${i}`));
  }
  const parts = core.state.snapshotParts(64 * 1024);
  assert.ok(parts.length > 3, `${parts.length} parts`);
  assert.deepEqual(parts.map((p) => p.last), [...parts.slice(1).map(() => false), true]);
  assert.equal(parts.reduce((n, p) => n + p.sessions.length, 0), 300);
  assert.equal(parts.reduce((n, p) => n + p.expectations.length, 0), 300);
  // Every session precedes the expectations that name it.
  const seen = new Set<number>();
  for (const p of parts) {
    for (const s of p.sessions) seen.add(s.id);
    for (const e of p.expectations) assert.ok(seen.has(e.sessionId));
  }
});
