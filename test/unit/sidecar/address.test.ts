import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultAddress, describeAddress, isLoopback, parseAddress } from '../../../src/sidecar/address';
import { parseSocketMode, prepareSocketPath, unsafeFolder } from '../../../src/sidecar/socket-security';

test('address: the forms a user types', () => {
  const cases: [string, NodeJS.Platform, unknown][] = [
    ['/run/ftpflow/sidecar.sock', 'linux', { kind: 'unix', path: '/run/ftpflow/sidecar.sock' }],
    ['  /tmp/x.sock ', 'linux', { kind: 'unix', path: '/tmp/x.sock' }],
    ['tcp:7021', 'linux', { kind: 'tcp', host: '127.0.0.1', port: 7021 }],
    ['tcp:0.0.0.0:7021', 'linux', { kind: 'tcp', host: '0.0.0.0', port: 7021 }],
    ['tcp:[::1]:7021', 'linux', { kind: 'tcp', host: '::1', port: 7021 }],
    ['tcp:[0:0:0:0:0:0:0:1]:7021', 'linux', { kind: 'tcp', host: '::1', port: 7021 }],
    ['127.0.0.1:7021', 'linux', { kind: 'tcp', host: '127.0.0.1', port: 7021 }],
    ['localhost:7021', 'linux', { kind: 'tcp', host: '127.0.0.1', port: 7021 }],
    ['TCP:localhost:1', 'linux', { kind: 'tcp', host: '127.0.0.1', port: 1 }],
    ['\\\\.\\pipe\\ftpflow-sidecar', 'win32', { kind: 'pipe', path: '\\\\.\\pipe\\ftpflow-sidecar' }],
    ['//./pipe/ftpflow', 'win32', { kind: 'pipe', path: '\\\\.\\pipe\\ftpflow' }],
  ];
  for (const [text, platform, want] of cases) assert.deepEqual(parseAddress(text, platform), want, text);
  assert.deepEqual(parseAddress('rel/dir/s.sock', 'linux'), { kind: 'unix', path: path.resolve('rel/dir/s.sock') });
});

test('address: what is refused', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['tcp:0', /out of range/],
    ['tcp:65536', /out of range/],
    ['tcp:[nothex]:1', /not HOST:PORT|not an IPv6/],
    ['tcp:host', /not HOST:PORT/],
    ['sidecar', /not a socket path/],
    [`/${'x'.repeat(120)}.sock`, /longer than 103 bytes/],
  ];
  for (const [text, why] of cases) {
    const r = parseAddress(text, 'linux');
    assert.equal(typeof r, 'string', text);
    assert.match(r as string, why, text);
  }
  assert.match(parseAddress('C:/x/y.sock', 'win32') as string, /not a named pipe/);
});

test('address: the default, the override, and how they print', () => {
  assert.deepEqual(defaultAddress({}, 'linux'), { kind: 'unix', path: '/run/ftpflow/sidecar.sock' });
  assert.deepEqual(defaultAddress({}, 'win32'), { kind: 'pipe', path: '\\\\.\\pipe\\ftpflow-sidecar' });
  assert.deepEqual(defaultAddress({ FTPFLOW_SIDECAR_SOCKET: '/tmp/t.sock' }, 'linux'), { kind: 'unix', path: '/tmp/t.sock' });
  assert.deepEqual(defaultAddress({ FTPFLOW_SIDECAR_SOCKET: 'nonsense' }, 'linux'), { kind: 'unix', path: '/run/ftpflow/sidecar.sock' });
  assert.equal(describeAddress({ kind: 'tcp', host: '::1', port: 7 }), 'tcp:[::1]:7');
  assert.equal(isLoopback({ kind: 'tcp', host: '127.0.0.1', port: 7 }), true);
  assert.equal(isLoopback({ kind: 'tcp', host: '0.0.0.0', port: 7 }), false);
});

test('socket mode: octal, never world-writable', () => {
  assert.equal(parseSocketMode('0660'), 0o660);
  assert.equal(parseSocketMode('600'), 0o600);
  assert.equal(parseSocketMode('0o640'), 0o640);
  for (const bad of ['0666', '0777', '0662', '0602']) assert.match(parseSocketMode(bad) as string, /every local user/, bad);
  for (const bad of ['rw-rw----', '0888', '', '01660']) assert.equal(typeof parseSocketMode(bad), 'string', bad);
});

function tempDir(mode: number): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-sock-'));
  fs.chmodSync(d, mode);
  return d;
}

test('socket folder: world-writable without the sticky bit is refused, with it is allowed', async () => {
  const open = tempDir(0o777);
  const sticky = tempDir(0o1777);
  const mine = tempDir(0o750);
  try {
    assert.match(unsafeFolder(path.join(open, 's.sock'))!, /world-writable without the sticky bit/);
    assert.match((await prepareSocketPath(path.join(open, 's.sock')))!, /world-writable/);
    assert.match(unsafeFolder(path.join(open, 'sub', 's.sock')) ?? 'cannot inspect', /cannot inspect|world-writable/);
    assert.equal(unsafeFolder(path.join(sticky, 's.sock')), null);
    assert.equal(unsafeFolder(path.join(mine, 's.sock')), null);
    // A safe folder below an unsafe one is still unsafe: the parent's owner-less writers could swap it.
    fs.mkdirSync(path.join(open, 'inner'), { mode: 0o700 });
    assert.match(unsafeFolder(path.join(open, 'inner', 's.sock'))!, /world-writable/);
  } finally {
    for (const d of [open, sticky, mine]) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('socket path: a stale socket is removed, a live one or a plain file is left alone', async () => {
  const dir = tempDir(0o700);
  try {
    const p = path.join(dir, 's.sock');
    assert.equal(await prepareSocketPath(p), null, 'nothing there');
    assert.equal(await prepareSocketPath(path.join(dir, 'new', 's.sock')), null, 'missing folder is created');
    assert.equal(fs.statSync(path.join(dir, 'new')).mode & 0o777, 0o750);

    const live = net.createServer();
    await new Promise<void>((r) => live.listen(p, r));
    assert.match((await prepareSocketPath(p))!, /already listening/);
    assert.ok(fs.existsSync(p));
    await new Promise<void>((r) => live.close(() => r()));
    // A socket file left behind by a killed daemon: a child listens and dies by SIGKILL.
    const stale = path.join(dir, 'stale.sock');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`], { timeout: 10_000 });
    assert.ok(fs.lstatSync(stale).isSocket(), 'the killed child left its socket');
    assert.equal(await prepareSocketPath(stale), null);
    assert.ok(!fs.existsSync(stale), 'stale socket removed');

    const plain = path.join(dir, 'plain');
    fs.writeFileSync(plain, 'x');
    assert.match((await prepareSocketPath(plain))!, /not a socket/);
    assert.ok(fs.existsSync(plain));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
