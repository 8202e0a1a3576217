import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_UNIX_SOCKET } from '../../../src/sidecar/address';
import { parseSocketMode } from '../../../src/sidecar/socket-security';
import { repoPath } from '../../helpers/paths';

const UNIT = fs.readFileSync(repoPath('install', 'ftpflow-sidecar.service'), 'utf8');

function directive(name: string): string[] {
  return UNIT.split('\n').filter((l) => l.startsWith(`${name}=`)).map((l) => l.slice(name.length + 1));
}

test('systemd unit: the socket where clients look, in a folder systemd makes owner/group-only', () => {
  const exec = directive('ExecStart')[0]!;
  const listen = /--listen (\S+)/.exec(exec)?.[1];
  assert.equal(listen, DEFAULT_UNIX_SOCKET);
  assert.equal(path.dirname(listen!), `/run/${directive('RuntimeDirectory')[0]}`);
  assert.deepEqual(directive('RuntimeDirectoryMode'), ['0750']);
  assert.equal(parseSocketMode(/--socket-mode (\S+)/.exec(exec)![1]!), 0o660);
  assert.match(exec, /^@NODE@ @ROOT@\/dist\/src\/cli\/main\.js sidecar \$FTPFLOW_SIDECAR_ARGS /);
  assert.deepEqual(directive('AmbientCapabilities'), ['CAP_NET_RAW CAP_NET_ADMIN']);
  assert.deepEqual(directive('ExecReload'), ['/bin/kill -HUP $MAINPID']);
});

test('systemd unit: systemd-analyze accepts it once the paths are filled in', (t) => {
  const probe = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
  if (probe.error) {
    t.skip('systemd-analyze is not installed');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-unit-'));
  try {
    const file = path.join(dir, 'ftpflow-sidecar.service');
    fs.writeFileSync(file, UNIT.replace(/@NODE@/g, process.execPath).replace(/@ROOT@/g, '/opt/ftpflow'));
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 30_000 });
    // verify also complains that the ExecStart binary is missing; only that is acceptable here.
    const complaints = (r.stderr ?? '').split('\n').filter((l) => l.trim() !== '' && !/\/opt\/ftpflow|is not executable|No such file/.test(l));
    assert.deepEqual(complaints, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
