/**
 * The extcap as Wireshark meets it: the launcher in extcap/ answering the discovery verbs, install/install.sh
 * putting it where the installed TShark (4.0 here) looks, TShark listing and configuring it, a failing capture
 * that TShark reports instead of hanging on, and an uninstall that leaves the temporary HOME as it found it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { repoPath } from '../helpers/paths';
import { checkExtcapOutput } from '../unit/extcap/sentence-checker';
import {
  compiledRoot, listTree, missingTools, REQUIRE_E2E, run, temporaryHome, tsharkVersion, withoutRootWarning,
} from './wireshark-tools';

const missing = missingTools(['tshark', 'sh']);
const skip = missing !== null && !REQUIRE_E2E ? missing : false;
if (missing !== null && !REQUIRE_E2E) console.log(`# extcap-discovery e2e skipped: ${missing}`);

const LAUNCHER = repoPath('extcap', 'ftpflow');
const INSTALLER = repoPath('install', 'install.sh');

/** Discovery verbs must stay fast (goal: about 150 ms, mostly Node's own start). Generous here: shared CI. */
const VERB_LIMIT_MS = 1500;

const DISCOVERY_CALLS: [string, string[]][] = [
  ['interfaces', ['--extcap-interfaces', '--extcap-version=4.0']],
  ['config', ['--extcap-config', '--extcap-interface', 'ftpflow-lo']],
  ['dlts', ['--extcap-dlts', '--extcap-interface', 'ftpflow-lo']],
  ['filter check', ['--extcap-capture-filter', 'tcp port 21', '--extcap-interface', 'ftpflow-lo']],
];

describe('extcap discovery through the real launcher and TShark', { skip }, () => {
  if (missing !== null && REQUIRE_E2E) {
    it('has the tools it needs (FTPFLOW_REQUIRE_E2E=1)', () => assert.fail(missing));
    return;
  }
  if (skip) return;

  const dist = compiledRoot();
  const env: NodeJS.ProcessEnv = { ...process.env, FTPFLOW_DIST: dist };

  it('the compiled tree has the CLI entry the launcher runs', () => {
    assert.ok(fs.existsSync(path.join(dist, 'src', 'cli', 'main.js')), `${dist}/src/cli/main.js`);
  });

  for (const [name, argv] of DISCOVERY_CALLS) {
    it(`launcher answers ${name} cleanly, exit 0, nothing on stderr, fast`, async (t) => {
      const times: number[] = [];
      let last = await run(LAUNCHER, argv, { env, cwd: os.tmpdir() });
      for (let i = 0; i < 5; i++) {
        last = await run(LAUNCHER, argv, { env, cwd: os.tmpdir() });
        times.push(last.ms);
      }
      times.sort((a, b) => a - b);
      t.diagnostic(`${name}: min ${times[0]?.toFixed(0)} ms, median ${times[2]?.toFixed(0)} ms`);
      assert.equal(last.code, 0, last.stderr);
      assert.equal(last.stderr, '');
      const check = checkExtcapOutput(last.stdout);
      assert.deepEqual(check.problems, []);
      assert.deepEqual(check.ignored, []);
      assert.ok((times[2] ?? Infinity) < VERB_LIMIT_MS, `median ${times[2]} ms`);
    });
  }

  it('the interface list has ftpflow-lo and ftpflow-any and the package version', async () => {
    const r = await run(LAUNCHER, ['--extcap-interfaces', '--extcap-version=4.0'], { env });
    const check = checkExtcapOutput(r.stdout);
    const version = (JSON.parse(fs.readFileSync(repoPath('package.json'), 'utf8')) as { version: string }).version;
    assert.equal(check.sentences[0]?.params.get('version'), version);
    const values = check.sentences.filter((s) => s.kind === 'interface').map((s) => s.params.get('value'));
    assert.ok(values.includes('ftpflow-lo'), values.join(' '));
    if (process.platform === 'linux') assert.ok(values.includes('ftpflow-any'), values.join(' '));
  });

  it('discovery verbs load neither cap nor protobufjs', async () => {
    const script = `
      const { runExtcap } = require(${JSON.stringify(path.join(dist, 'src', 'extcap', 'main.js'))});
      (async () => {
        for (const argv of ${JSON.stringify(DISCOVERY_CALLS.map(([, a]) => a))}) await runExtcap(argv);
        process.stderr.write(JSON.stringify(Object.keys(require.cache)));
      })();`;
    const r = await run(process.execPath, ['-e', script], { env });
    assert.equal(r.code, 0);
    const loaded = JSON.parse(r.stderr) as string[];
    assert.deepEqual(loaded.filter((f) => /node_modules[\\/](cap|protobufjs)[\\/]|\.node$/.test(f)), []);
    assert.ok(loaded.some((f) => f.endsWith(path.join('extcap', 'discovery.js'))));
  });

  it('works through a symlink to the launcher (it finds its package by its real path)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-link-'));
    try {
      fs.symlinkSync(LAUNCHER, path.join(dir, 'ftpflow'));
      const r = await run(path.join(dir, 'ftpflow'), ['--extcap-dlts', '--extcap-interface', 'ftpflow-lo'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'dlt {number=1}{name=EN10MB}{display=Ethernet}\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad arguments: one line on stderr, exit 2, nothing on stdout', async () => {
    const r = await run(LAUNCHER, ['--extcap-config', '--extcap-interface', 'ftpflow-lo', '--no-such-thing'], { env });
    assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', 'ftpflow: unknown option --no-such-thing\n']);
  });

  it('a launcher that cannot start node still opens and closes the FIFO of a capture', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-nonode-'));
    try {
      const fifo = path.join(dir, 'fifo');
      await run('mkfifo', [fifo]);
      const reader = run('cat', [fifo], { timeoutMs: 10_000 });
      const r = await run(LAUNCHER, ['--capture', '--extcap-interface', 'ftpflow-lo', '--fifo', fifo], {
        env: { ...env, FTPFLOW_DIST: path.join(dir, 'no-such-build') },
        timeoutMs: 10_000,
      });
      const cat = await reader;
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^ftpflow: .*no-such-build\/src\/cli\/main\.js is missing; run 'npm run build'/);
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
      assert.deepEqual([cat.code, cat.stdout, cat.timedOut], [0, '', false]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('installed into a temporary HOME with install/install.sh', () => {
    const { home, env: homeEnv, remove } = temporaryHome('extcap');
    const tshEnv: NodeJS.ProcessEnv = { ...homeEnv, FTPFLOW_DIST: dist };
    const [major, minor] = tsharkVersion();
    // 4.0 searches <Personal configuration>/extcap, i.e. $XDG_CONFIG_HOME/wireshark/extcap; 4.2+ ~/.local/lib/…
    const expectedExtcapDir = major > 4 || (major === 4 && minor >= 1)
      ? path.join(home, '.local', 'lib', 'wireshark', 'extcap')
      : path.join(home, 'xdg-config', 'wireshark', 'extcap');
    const expectedLua = path.join(home, '.local', 'lib', 'wireshark', 'plugins', 'ftpflow.lua');
    let install: Awaited<ReturnType<typeof run>>;

    before(async () => {
      install = await run(INSTALLER, [], { env: tshEnv, cwd: os.tmpdir(), timeoutMs: 60_000 });
    });
    after(remove);

    it('installs the launcher and the Lua plugin where this Wireshark looks', () => {
      assert.equal(install.code, 0, install.stderr + install.stdout);
      assert.equal(install.stderr, '');
      assert.match(install.stdout, /ok: the extcap lists its interfaces/);
      const launcher = path.join(expectedExtcapDir, 'ftpflow');
      assert.ok(fs.statSync(launcher).mode & 0o111, 'launcher is executable');
      assert.match(fs.readFileSync(launcher, 'utf8'), /^exec '.*\/extcap\/ftpflow' "\$@"$/m);
      assert.equal(fs.readFileSync(expectedLua, 'utf8'), fs.readFileSync(repoPath('wireshark', 'ftpflow.lua'), 'utf8'));
      const manifest = fs.readFileSync(path.join(home, '.local', 'share', 'ftpflow', 'installed-files'), 'utf8');
      assert.match(manifest, new RegExp(`^file ${launcher}$`, 'm'));
      assert.match(manifest, new RegExp(`^file ${expectedLua}$`, 'm'));
    });

    it('tshark -D lists ftpflow-lo and ftpflow-any with their display names', async () => {
      const r = await run('tshark', ['-D'], { env: tshEnv, timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\d+\. ftpflow-lo \(FTP sessions on lo \(Loopback\)\)$/m);
      if (process.platform === 'linux') assert.match(r.stdout, /^\d+\. ftpflow-any \(FTP sessions on any/m);
    });

    it('tshark -G defaultprefs shows our options as extcap.<if>.<call> preferences with our defaults', async () => {
      const r = await run('tshark', ['-G', 'defaultprefs'], { env: tshEnv, timeoutMs: 60_000 });
      const prefs = r.stdout.split('\n').filter((l) => l.includes('extcap.ftpflow_lo.'));
      assert.deepEqual(prefs, [
        '#extcap.ftpflow_lo.controlports: 21',
        '#extcap.ftpflow_lo.detectcontrol: false',
        '#extcap.ftpflow_lo.snaplen: 253952',
        '#extcap.ftpflow_lo.promiscuous: true',
        '#extcap.ftpflow_lo.buffersize: 16',
        '#extcap.ftpflow_lo.lookahead: 1',
        '#extcap.ftpflow_lo.sidecar: auto',
        '#extcap.ftpflow_lo.loglevel: ',
        '#extcap.ftpflow_lo.logfile: ',
      ]);
    });

    it('tshark -L reports the link types libpcap would (lo: EN10MB, any: LINUX_SLL)', async () => {
      const lo = await run('tshark', ['-L', '-i', 'ftpflow-lo'], { env: tshEnv, timeoutMs: 60_000 });
      assert.match(lo.stdout, /^\s+EN10MB \(Ethernet\)$/m);
      if (process.platform === 'linux') {
        const any = await run('tshark', ['-L', '-i', 'ftpflow-any'], { env: tshEnv, timeoutMs: 60_000 });
        assert.match(any.stdout, /^\s+LINUX_SLL \(Linux cooked-mode capture v1\)$/m);
      }
    });

    it('the installed launcher answers --extcap-config under the grammar rules', async () => {
      const r = await run(path.join(expectedExtcapDir, 'ftpflow'), ['--extcap-config', '--extcap-interface', 'ftpflow-lo'], {
        env: homeEnv, // no FTPFLOW_DIST: the installed script carries it
      });
      assert.equal(r.code, 0, r.stderr);
      const check = checkExtcapOutput(r.stdout);
      assert.deepEqual(check.problems, []);
      assert.equal(check.sentences.filter((s) => s.kind === 'arg').length, 9);
    });

    it('a capture with a bad option value ends promptly with our one line, not a hang', async () => {
      const r = await run('tshark', ['-i', 'ftpflow-lo', '-a', 'duration:3', '-o', 'extcap.ftpflow_lo.controlports:21;ftp'], {
        env: tshEnv,
        cwd: os.tmpdir(),
        timeoutMs: 45_000,
      });
      assert.equal(r.timedOut, false, 'tshark hung waiting for the FIFO');
      assert.match(withoutRootWarning(r.stderr), /Error by extcap pipe: ftpflow: --control-ports: bad port "21;ftp"/);
      assert.ok(r.ms < 30_000, `${r.ms} ms`);
    });

    it('re-installing replaces the installation; a foreign extcap of the same name is left alone', async () => {
      const again = await run(INSTALLER, [], { env: tshEnv, timeoutMs: 60_000 });
      assert.equal(again.code, 0, again.stderr);
      const foreignDir = path.join(home, 'other-extcap');
      fs.mkdirSync(foreignDir);
      fs.writeFileSync(path.join(foreignDir, 'ftpflow'), '#!/bin/sh\n', { mode: 0o755 });
      const refused = await run(INSTALLER, ['--extcap-dir', foreignDir], { env: tshEnv, timeoutMs: 60_000 });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /other-extcap\/ftpflow exists and was not installed by ftpflow/);
      assert.equal(fs.readFileSync(path.join(foreignDir, 'ftpflow'), 'utf8'), '#!/bin/sh\n');
      assert.ok(fs.existsSync(path.join(expectedExtcapDir, 'ftpflow')), 'the earlier installation is intact');
      fs.rmSync(foreignDir, { recursive: true });
    });

    it('--uninstall removes exactly what it installed: the HOME is empty again', async () => {
      const r = await run(INSTALLER, ['--uninstall'], { env: tshEnv });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(listTree(home), []);
      const again = await run(INSTALLER, ['--uninstall'], { env: tshEnv });
      assert.equal(again.code, 0);
      assert.match(again.stdout, /nothing to uninstall/);
      const list = await run('tshark', ['-D'], { env: tshEnv, timeoutMs: 60_000 });
      assert.doesNotMatch(list.stdout, /ftpflow-/);
    });
  });
});
