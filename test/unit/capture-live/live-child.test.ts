/**
 * Live capture seen from outside the process: nothing may reach stderr (Wireshark shows an extcap's
 * stderr as an error), and `auto` must fall back to dumpcap for a user whom libpcap refuses.
 * Both run capture-child.js: in a network namespace whose lo has IPv6 only (the case where stock cap
 * printed "no IPv4 address assigned" on stderr), and as user nobody.
 */
import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CHILD_FLAG, type ChildReport, type ChildRequest } from './capture-child';

const CHILD = path.join(__dirname, 'capture-child.js');
const NOBODY = 65534;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** CI sets FTPFLOW_REQUIRE_E2E: a missing tool then fails the test instead of skipping it. */
const skipUnless = (available: boolean, reason: string): string | false =>
  available || process.env['FTPFLOW_REQUIRE_E2E'] ? false : reason;

interface ChildRun {
  status: number | null;
  stderr: string;
  report: ChildReport | null;
}

/** Runs `[...wrapper, node, capture-child.js, ...]`: the wrapper (unshare ...) may be empty. */
function runChild(wrapper: string[], req: ChildRequest, ids?: { uid: number; gid: number }): ChildRun {
  const argv = [...wrapper, process.execPath, CHILD, CHILD_FLAG, JSON.stringify(req)];
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: 30_000,
    ...(ids ?? {}),
  });
  let report: ChildReport | null = null;
  try {
    report = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as ChildReport;
  } catch {
    report = null;
  }
  return { status: r.status, stderr: r.stderr, report };
}

/** Runs the child inside a fresh network namespace whose lo is up with ::1 only. */
const IPV6_ONLY_LO = ['unshare', '-n', 'sh', '-c', 'ip link set lo up && ip addr del 127.0.0.1/8 dev lo && exec "$@"', 'sh'];
const netnsWorks = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip addr del 127.0.0.1/8 dev lo'], { timeout: 10_000 }).status === 0;

describe('nothing reaches stderr, even on a device without an IPv4 address', () => {
  for (const backend of ['libpcap', 'dumpcap'] as const) {
    it(`${backend} in a netns whose lo has only ::1`, { skip: skipUnless(netnsWorks, 'cannot create a network namespace here') }, () => {
      const run = runChild(IPV6_ONLY_LO, { backend, device: 'lo', host: '::1', count: 20, probeErrors: backend === 'libpcap' });
      assert.equal(run.stderr, '');
      assert.equal(run.status, 0, JSON.stringify(run.report));
      assert.equal(run.report?.ok, true);
      assert.equal(run.report?.backend, backend);
      assert.deepEqual(run.report?.requests, range(20));
      assert.deepEqual(run.report?.readErrors, []);
      if (backend === 'libpcap') assert.deepEqual(run.report?.probes, ['E_FILTER', 'E_DEVICE_OPEN', 'filter-invalid']);
    });
  }
});

describe('auto falls back to dumpcap when libpcap is refused', () => {
  // A copy of dumpcap holding the capabilities, as Debian sets it up for the wireshark group.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-dumpcap-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const capable = path.join(dir, 'dumpcap');
  fs.chmodSync(dir, 0o755);
  const dumpcap = ['/usr/bin/dumpcap', '/usr/sbin/dumpcap'].find((p) => fs.existsSync(p));
  if (dumpcap) fs.copyFileSync(dumpcap, capable);
  const setcap = dumpcap ? spawnSync('setcap', ['cap_net_raw,cap_net_admin+eip', capable], { encoding: 'utf8' }) : null;
  const hasCaps = setcap?.status === 0;
  // The build must be readable by nobody (it is in /tmp and in a clone under a world-readable path).
  const nobodyCanRun = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(CHILD)})`], { uid: NOBODY, gid: NOBODY, timeout: 10_000 }).status === 0;
  // Not a missing tool but where the tree lives (a 0700 home folder): skipped even in CI, and said so.
  const skip = !nobodyCanRun ? 'user nobody cannot read the test build' : false;

  it('as nobody, with a dumpcap that holds CAP_NET_RAW: captures through dumpcap', { skip: skip || skipUnless(hasCaps, 'setcap is not available') }, () => {
    const run = runChild([], { backend: 'auto', device: 'lo', host: '127.0.0.1', count: 20, dumpcapPath: capable }, { uid: NOBODY, gid: NOBODY });
    assert.equal(run.stderr, '');
    assert.equal(run.report?.ok, true, JSON.stringify(run.report));
    assert.equal(run.report?.backend, 'dumpcap');
    assert.equal(run.report?.linkType, 1);
    assert.deepEqual(run.report?.requests, range(20));
  });

  it('as nobody, with a dumpcap without capabilities: one line naming both refusals', { skip }, () => {
    const run = runChild([], { backend: 'auto', device: 'lo', host: '127.0.0.1', count: 5, dumpcapPath: dumpcap ?? 'dumpcap' }, { uid: NOBODY, gid: NOBODY });
    assert.equal(run.stderr, '');
    assert.equal(run.status, 1);
    assert.equal(run.report?.ok, false);
    assert.equal(run.report?.error?.code, 'E_DEVICE_OPEN');
    assert.match(run.report?.error?.message ?? '', /^cannot capture on "lo": .*Operation not permitted; dumpcap fallback: cannot capture on "lo" with dumpcap: You do not have permission/);
    assert.doesNotMatch(run.report?.error?.message ?? '', /[\r\n]/);
  });

  it('as nobody, backend libpcap: permission denied, no fallback', { skip }, () => {
    const run = runChild([], { backend: 'libpcap', device: 'lo', host: '127.0.0.1', count: 5 }, { uid: NOBODY, gid: NOBODY });
    assert.equal(run.stderr, '');
    assert.equal(run.report?.error?.code, 'E_DEVICE_OPEN');
    assert.match(run.report?.error?.message ?? '', /^cannot capture on "lo": .*(permitted|permission)/i);
  });
});

describe('a capture whose interface disappears reports it once, as a value', () => {
  const vethWorks = netnsWorks && spawnSync('unshare', ['-n', 'ip', 'link', 'add', 'ftpv0', 'type', 'veth', 'peer', 'name', 'ftpv1'], { timeout: 10_000 }).status === 0;
  for (const backend of ['libpcap', 'dumpcap'] as const) {
    it(`${backend}: onError hears the reason once, no batch follows, stderr stays empty`, { skip: skipUnless(vethWorks, 'no veth in a network namespace here') }, () => {
      const script = `
        const { openCapture } = require(${JSON.stringify(path.join(__dirname, '../../../src/capture/open-capture.js'))});
        const { execFileSync } = require('node:child_process');
        execFileSync('ip', ['link', 'add', 'ftpv0', 'type', 'veth', 'peer', 'name', 'ftpv1']);
        execFileSync('ip', ['link', 'set', 'ftpv0', 'up']);
        openCapture({ backend: '${backend}', device: 'ftpv0', filter: '', snaplen: 100, bufferSize: 1 << 20, immediate: false, timeoutMs: 100 }).then((c) => {
          const errors = [];
          let afterError = 0;
          c.start(() => { if (errors.length) afterError++; }, (e) => errors.push(e));
          setTimeout(() => execFileSync('ip', ['link', 'del', 'ftpv0']), 200);
          setTimeout(() => { c.close(); process.stdout.write(JSON.stringify({ errors, afterError })); }, 1500);
        });`;
      const r = spawnSync('unshare', ['-n', process.execPath, '-e', script], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.stderr, '');
      const out = JSON.parse(r.stdout) as { errors: string[]; afterError: number };
      assert.equal(out.errors.length, 1, JSON.stringify(out.errors));
      assert.match(out.errors[0]!, backend === 'libpcap' ? /^The interface (disappeared|went down)/ : /^dumpcap stopped: .*(disappeared|went down|no longer)/i);
      assert.equal(out.afterError, 0);
    });
  }
});
