import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAnnotate } from '../../helpers/annotate-cli';
import { repoPath } from '../../helpers/paths';
import { readCaptureFile } from '../../../src/capture/file-reader';
import { writeAllCases } from '../../fixtures/gen/generate';

const GOLDEN = repoPath('test', 'golden', 'vsftpd-curl-pasv', 'vsftpd-curl-pasv.pcapng');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-cli-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('annotate: annotating an annotated file again gives the same bytes (old comments replaced, not added)', async () => {
  const once = path.join(tmp, 'once.pcapng');
  const twice = path.join(tmp, 'twice.pcapng');
  assert.equal((await runAnnotate(GOLDEN, once, ['-q'])).code, 0);
  const r = await runAnnotate(once, twice, ['--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).counters['output.comments_replaced'] > 0);
  assert.ok(fs.readFileSync(once).equals(fs.readFileSync(twice)));
});

test('annotate: --json prints one JSON summary on stdout and nothing on stderr', async () => {
  const r = await runAnnotate(GOLDEN, path.join(tmp, 'j.pcapng'), ['--json']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const s = JSON.parse(r.stdout);
  assert.equal(s.sessions, 1);
  assert.deepEqual(s.data_connections.by_method, { PASV: 3 });
  assert.equal(s.frames, s.counters['output.frames']);
});

test('annotate: the text summary goes to stderr', async () => {
  const r = await runAnnotate(GOLDEN, path.join(tmp, 't.pcapng'));
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /sessions: 1; data connections: 3 \(passive 3; PASV 3\)/);
});

test('annotate: a missing input, a non-capture, a bad port list: one line on stderr, non-zero exit', async () => {
  const cases: [string, string[], RegExp, number][] = [
    [path.join(tmp, 'nope.pcap'), [], /no such file/, 1],
    [repoPath('package.json'), [], /not a pcap or pcapng file/, 1],
    [GOLDEN, ['--control-ports', '21,x'], /--control-ports: bad port "x"/, 2],
    [GOLDEN, ['--no-such-option'], /unknown option/, 2],
  ];
  for (const [input, opts, message, code] of cases) {
    const r = await runAnnotate(input, path.join(tmp, 'bad.pcapng'), opts);
    assert.equal(r.code, code, `${input} ${opts.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('annotate: a truncated file: every whole frame written, one line, exit 1', async () => {
  const whole = fs.readFileSync(GOLDEN);
  const cut = path.join(tmp, 'cut.pcapng');
  fs.writeFileSync(cut, whole.subarray(0, whole.length - 37));
  const out = path.join(tmp, 'cut-out.pcapng');
  const r = await runAnnotate(cut, out, ['-q']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /truncated at byte \d+ .*the \d+ frames before it were written/);
  const frames = Number(/the (\d+) frames/.exec(r.stderr)![1]);
  const full = await runAnnotate(GOLDEN, path.join(tmp, 'full.pcapng'), ['--json']);
  const total = JSON.parse(full.stdout).frames as number;
  // The cut lands in the last packet, or in the statistics block dumpcap writes after it.
  assert.ok(frames === total || frames === total - 1, `${frames} of ${total}`);
  const written = readCaptureFile(out, { onSection() {}, onInterface() {}, onPacket() {}, onOtherBlock() {} });
  assert.equal(written.error, null, 'what was written is a whole file');
  assert.equal(written.packets, frames);
});

test('annotate: a comment that changes after its connection\'s first frame left the delay line triggers the exact rewrite', async () => {
  const [written] = writeAllCases(tmp, ['command-long-after-data']);
  const r = await runAnnotate(written!.capturePath, path.join(tmp, 'late.pcapng'), ['--json']);
  assert.equal(r.code, 0, r.stderr);
  const counters = JSON.parse(r.stdout).counters;
  assert.equal(counters['annotate.exact_rewrite'], 1);
  assert.ok(counters['annotate.late_update'] >= 1);
});
