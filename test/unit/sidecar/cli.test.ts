import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compiledRoot } from '../../e2e/wireshark-tools';

const MAIN = path.join(compiledRoot(), 'src', 'cli', 'main.js');

function ftpflow(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 20_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('ftpflow sidecar: bad options are one line on stderr and exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['sidecar', '-i', 'lo', '--socket-mode', '0666'], /^ftpflow: --socket-mode: .*every local user/],
    [['sidecar', '-i', 'lo', '--control-ports', '21,x'], /^ftpflow: --control-ports: /],
    [['sidecar', '-i', 'lo', '--listen', 'nowhere'], /^ftpflow: --listen: "nowhere" is not a socket path/],
    [['sidecar', '-i', 'lo', '--listen', 'tcp:99999'], /^ftpflow: --listen: port 99999 is out of range/],
    [['sessions', '--sidecar', 'tcp:0'], /^ftpflow: --sidecar: port 0 is out of range/],
  ];
  for (const [args, why] of cases) {
    const r = ftpflow(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('ftpflow sidecar: refuses a socket in a world-writable folder without the sticky bit (before capturing)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-ww-'));
  try {
    fs.chmodSync(dir, 0o777);
    const r = ftpflow(['sidecar', '-i', 'lo', '--listen', path.join(dir, 's.sock')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^ftpflow: .* is world-writable without the sticky bit: anyone could replace the socket\n$/);
    assert.equal(fs.existsSync(path.join(dir, 's.sock')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ftpflow sessions: no sidecar is one clear line and exit 1', () => {
  const r = ftpflow(['sessions', '--sidecar', path.join(os.tmpdir(), `ftpflow-none-${process.pid}.sock`)]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^ftpflow: cannot reach the sidecar at .*: ENOENT\n$/);
});

test('protobufjs is loaded only on sidecar paths: not by the capture module with the sidecar off', () => {
  const root = compiledRoot();
  const probe = `
    require(${JSON.stringify(path.join(root, 'src', 'extcap', 'capture.js'))});
    const link = require(${JSON.stringify(path.join(root, 'src', 'sidecar', 'extcap-link.js'))});
    const log = { message() {}, info() {}, debug() {}, close() {} };
    const loaded = () => Object.keys(require.cache).some((k) => k.includes('protobufjs'));
    link.startSidecarClient({ kind: 'off' }, 1, log).then(async (c) => {
      const off = loaded();
      await link.startSidecarClient({ kind: 'address', address: '/nonexistent/s.sock' }, 1, log);
      console.log(JSON.stringify({ off, client: c, on: loaded() }));
    });`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { off: false, client: null, on: true });
});
