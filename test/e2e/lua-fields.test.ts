/**
 * wireshark/ftpflow.lua under the real TShark: a small capture made here (text2pcap), comments added with
 * editcap -a, then display filters on the plugin's fields must select exactly the right frames — loaded with
 * -X lua_script: and from the personal plugins folder install/install.sh writes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { repoPath } from '../helpers/paths';
import { compiledRoot, missingTools, REQUIRE_E2E, run, temporaryHome, withoutRootWarning } from './wireshark-tools';

const missing = missingTools(['tshark', 'text2pcap', 'editcap']);
const skip = missing !== null && !REQUIRE_E2E ? missing : false;
if (missing !== null && !REQUIRE_E2E) console.log(`# lua-fields e2e skipped: ${missing}`);

const PLUGIN = repoPath('wireshark', 'ftpflow.lua');

/** Frame → comment (editcap -a). Frames 4 and 7 carry a comment that is not ours, frame 11 none at all. */
const COMMENTS: Record<number, string> = {
  1: 'ftpflow role=control session=3 control=10.0.0.2:50321->10.0.0.1:21 user=anonymous',
  2: 'ftpflow role=data session=3 mode=passive method=EPSV cmd=RETR arg="pub/file one.iso" dir=down control=10.0.0.2:50321->10.0.0.1:21 setup_frame=1 confidence=exact',
  3: 'ftpflow role=data session=3 mode=active method=PORT cmd=LIST dir=down',
  4: 'note: ftpflow role=data session=3 mode=passive',
  5: 'ftpflow role=data session=4 mode=passive arg="say \\"hi\\" to C:\\\\dir" tls=none source=sidecar future_key=1',
  6: 'ftpflow role=control session=12 control=[2001:db8::2]:50321->[2001:db8::1]:21 user="" tls=1 detected=1',
  7: 'ftpflowx role=data session=3 mode=passive',
  8: 'ftpflow role=data session=3 mode=passive method=PASV cmd=STOR arg="a b" dir=up',
  9: 'ftpflow role=data session=9 mode=passive arg="never closed',
  10: 'ftpflow role=data session=abc mode=passive',
};
const FRAMES = 11;

const FILTERS: [filter: string, frames: number[]][] = [
  ['ftpflow.session == 3 && ftpflow.mode == "passive"', [2, 8]],
  ['ftpflow', [1, 2, 3, 5, 6, 8, 9, 10]],
  ['ftpflow.user == "anonymous"', [1]],
  ['ftpflow.session == 3', [1, 2, 3, 8]],
  ['ftpflow.arg == "pub/file one.iso"', [2]],
  ['ftpflow.arg == "say \\"hi\\" to C:\\\\dir"', [5]],
  ['ftpflow.cmd == "STOR" && ftpflow.dir == "up" && ftpflow.arg == "a b"', [8]],
  ['ftpflow.method == "EPSV" && ftpflow.confidence == "exact"', [2]],
  ['ftpflow.setup_frame == 1', [2]],
  ['ftpflow.control == "10.0.0.2:50321->10.0.0.1:21"', [1, 2]],
  ['ftpflow.tls == "none" && ftpflow.source == "sidecar"', [5]],
  ['ftpflow.other == "future_key=1"', [5]],
  ['ftpflow.other == "session=abc"', [10]], // not a number: kept as text, not lost
  ['ftpflow.control == "[2001:db8::2]:50321->[2001:db8::1]:21" && ftpflow.user == ""', [6]],
  ['ftpflow.tls == "1" && ftpflow.detected == "1"', [6]],
  ['ftpflow.role == "control"', [1, 6]],
  ['ftpflow.malformed', [9]],
  ['ftpflow.session == 9', [9]], // pairs before the fault still count
];

async function frames(args: string[], env?: NodeJS.ProcessEnv): Promise<number[]> {
  const r = await run('tshark', [...args, '-T', 'fields', '-e', 'frame.number'], { env, timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(withoutRootWarning(r.stderr), /Lua|error/i);
  return r.stdout.split('\n').filter((l) => l !== '').map(Number);
}

describe('Lua fields plugin on real TShark', { skip }, () => {
  if (missing !== null && REQUIRE_E2E) {
    it('has the tools it needs (FTPFLOW_REQUIRE_E2E=1)', () => assert.fail(missing));
    return;
  }
  if (skip) return;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-lua-'));
  const capture = path.join(dir, 'commented.pcapng');
  // TShark with an empty home: a plugin the user installed (the README's first command does) must not
  // load beside the -X one, nor make "without the plugin" untrue.
  const clean = temporaryHome('lua-clean');
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    clean.remove();
  });

  before(async () => {
    // Ten small TCP packets 10.0.0.2:50321 -> 10.0.0.1:21, each with a different payload.
    const hex = Array.from({ length: FRAMES }, (_, i) => `0000  50 41 53 56 ${(0x30 + i).toString(16)} 0d 0a\n`).join('');
    fs.writeFileSync(path.join(dir, 'packets.txt'), hex);
    const made = await run('text2pcap', ['-q', '-T', '50321,21', '-4', '10.0.0.2,10.0.0.1', path.join(dir, 'packets.txt'), path.join(dir, 'plain.pcapng')]);
    assert.equal(made.code, 0, made.stderr);
    const edits = Object.entries(COMMENTS).flatMap(([frame, text]) => ['-a', `${frame}:${text}`]);
    const edited = await run('editcap', [...edits, path.join(dir, 'plain.pcapng'), capture]);
    assert.equal(edited.code, 0, edited.stderr);
  });

  it('the capture carries the comments exactly as written', async () => {
    const r = await run('tshark', ['-r', capture, '-T', 'fields', '-e', 'frame.comment'], { timeoutMs: 60_000 });
    const got = r.stdout.split('\n').slice(0, FRAMES);
    assert.deepEqual(got, Array.from({ length: FRAMES }, (_, i) => COMMENTS[i + 1] ?? ''));
  });

  for (const [filter, want] of FILTERS) {
    it(`-X lua_script: ${filter} → frames ${want.join(',')}`, async () => {
      assert.deepEqual(await frames(['-X', `lua_script:${PLUGIN}`, '-r', capture, '-Y', filter], clean.env), want);
    });
  }

  it('the fields of a data frame read back exactly (quotes and escapes undone)', async () => {
    const fields = ['ftpflow.role', 'ftpflow.session', 'ftpflow.mode', 'ftpflow.method', 'ftpflow.cmd', 'ftpflow.arg',
      'ftpflow.dir', 'ftpflow.control', 'ftpflow.setup_frame', 'ftpflow.confidence'];
    const r = await run('tshark', ['-X', `lua_script:${PLUGIN}`, '-r', capture, '-Y', 'frame.number == 2 || frame.number == 5',
      '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { env: clean.env, timeoutMs: 60_000 });
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      'data|3|passive|EPSV|RETR|pub/file one.iso|down|10.0.0.2:50321->10.0.0.1:21|1|exact',
      'data|4|passive|||say "hi" to C:\\dir||||', // no method, cmd, dir, control, setup_frame, confidence
    ]);
  });

  it('without the plugin the fields do not exist (the filters above test the plugin, not a coincidence)', async () => {
    const r = await run('tshark', ['-r', capture, '-Y', 'ftpflow.session == 3'], { env: clean.env, timeoutMs: 60_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not ftpflow\.session|"ftpflow\.session" is neither a field nor a protocol/);
  });

  describe('installed by install/install.sh into the personal plugins folder', () => {
    const { env, remove } = temporaryHome('lua');
    const installEnv = { ...env, FTPFLOW_DIST: compiledRoot() };
    before(async () => {
      const r = await run(repoPath('install', 'install.sh'), [], { env: installEnv, timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr + r.stdout);
    });
    after(async () => {
      await run(repoPath('install', 'install.sh'), ['--uninstall'], { env: installEnv });
      remove();
    });

    it('TShark loads it by itself (tshark -G plugins lists ftpflow.lua)', async () => {
      const r = await run('tshark', ['-G', 'plugins'], { env, timeoutMs: 60_000 });
      assert.match(r.stdout, /^ftpflow\.lua\s+0\.1\.0\s+lua script\s+.*ftpflow\.lua$/m);
    });

    it('and its fields filter without -X', async () => {
      assert.deepEqual(await frames(['-r', capture, '-Y', 'ftpflow.session == 3 && ftpflow.mode == "passive"'], env), [2, 8]);
    });
  });
});
