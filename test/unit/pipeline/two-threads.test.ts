/**
 * The two-thread offline path (the engine decides, a second thread reads the file again and writes)
 * must write exactly what the one-thread path writes: every generated case, every golden recording,
 * pcapng inputs carrying sections, interfaces, other blocks and old ftpflow comments, a replicated capture
 * many times longer than a small decision ring, a cut-short file; and it must fail the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PcapStreamWriter, readSeedCapture } from '../../../bench/capture-io';
import { replicate } from '../../../bench/replicate';
import { buildSeedModel } from '../../../bench/seed-model';
import { parsePortList } from '../../../src/core/port-list';
import { FatalError } from '../../../src/core/errors';
import { annotateFile, type AnnotateFileResult } from '../../../src/pipeline/annotate-file';
import { tempDir, writeAllCases } from '../../fixtures/gen/generate';
import { repoPath } from '../../helpers/paths';
import { CLI_PATH } from '../../helpers/annotate-cli';

interface Subject { file: string; options: readonly string[] }

function engineOptions(cliOptions: readonly string[]) {
  const at = cliOptions.indexOf('--control-ports');
  const ports = parsePortList(at >= 0 ? cliOptions[at + 1]! : '21');
  if (typeof ports === 'string') throw new Error(ports);
  return { controlPorts: ports, detectControl: cliOptions.includes('--detect-control') };
}

async function annotate(s: Subject, output: string, threads: 1 | 2, ringFrames?: number): Promise<AnnotateFileResult> {
  return annotateFile({ input: s.file, output, engine: engineOptions(s.options), application: 'ftpflow test', threads, ringFrames });
}

/** Counters both paths must agree on (the two-thread path adds its own). */
function comparable(r: AnnotateFileResult): Record<string, number> {
  const c = r.counters.snapshot();
  delete c['rewrite.comment_ids_peak'];
  return c;
}

async function assertSameOutput(s: Subject, dir: string, ringFrames?: number): Promise<AnnotateFileResult> {
  const one = path.join(dir, 'one.pcapng');
  const two = path.join(dir, 'two.pcapng');
  const r1 = await annotate(s, one, 1);
  const r2 = await annotate(s, two, 2, ringFrames);
  assert.deepEqual(comparable(r2), comparable(r1), s.file);
  assert.equal(r2.frames, r1.frames, s.file);
  assert.equal(r2.readError, r1.readError, s.file);
  assert.ok(fs.readFileSync(two).equals(fs.readFileSync(one)), `${s.file}: the two outputs differ`);
  assert.ok(r2.counters.get('rewrite.comment_ids_peak') > 0 || r1.counters.get('output.frames') === 0 || !hasComments(one), s.file);
  return r2;
}

function hasComments(file: string): boolean {
  return fs.readFileSync(file).includes(Buffer.from('ftpflow role='));
}

function goldenSubjects(): Subject[] {
  const goldenDir = repoPath('test', 'golden');
  const out: Subject[] = [];
  for (const name of fs.readdirSync(goldenDir)) {
    const truthFile = path.join(goldenDir, name, 'truth.json');
    if (!fs.existsSync(truthFile)) continue;
    const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8')) as { capture: string; ftpflow_options?: string[] };
    out.push({ file: path.join(goldenDir, name, truth.capture), options: truth.ftpflow_options ?? [] });
  }
  return out;
}

test('two threads write what one thread writes: every generated case and golden recording', async () => {
  const dir = tempDir('two-threads');
  try {
    const subjects: Subject[] = writeAllCases(dir).map((c) => ({ file: c.capturePath, options: c.options }));
    subjects.push(...goldenSubjects());
    assert.ok(subjects.length >= 50, `only ${subjects.length} captures`);
    for (const s of subjects) await assertSameOutput(s, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('two threads on an annotated pcapng (sections, interfaces, old ftpflow comments) write what one thread writes', async () => {
  const dir = tempDir('two-threads-pcapng');
  try {
    for (const s of goldenSubjects().slice(0, 4)) {
      const annotated = path.join(dir, 'annotated.pcapng');
      await annotate(s, annotated, 1);
      const r = await assertSameOutput({ file: annotated, options: s.options }, dir);
      assert.ok(r.counters.get('output.comments_replaced') > 0, 'the old comments were not seen');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a capture many times the decision ring: the ring wraps, the writer keeps up, the output is the same', async () => {
  const dir = tempDir('two-threads-ring');
  try {
    const seedFile = goldenSubjects().find((s) => s.file.includes('vsftpd-curl-pasv'))!.file;
    const seed = readSeedCapture(seedFile);
    assert.equal(seed.kind, 'ok');
    const model = buildSeedModel((seed as { frames: Parameters<typeof buildSeedModel>[0] }).frames, { controlPort: 21, mss: 1460 });
    assert.equal(model.kind, 'ok');
    const big = path.join(dir, 'replicated.pcap');
    const w = new PcapStreamWriter(big, 1);
    const made = replicate((model as { model: Parameters<typeof replicate>[0] }).model, { copies: 300, stretch: 20, copiesPerSecond: 50, controlPort: 21 }, w);
    w.close();
    assert.ok(made.packets > 20 * 1024, `only ${made.packets} packets`);
    const r = await assertSameOutput({ file: big, options: [] }, dir, 1024);
    assert.equal(r.counters.get('delay.released_by_span'), 0);
    assert.ok(r.counters.get('data.method.PASV') + r.counters.get('data.method.EPSV') >= 300, JSON.stringify(r.counters.snapshot()));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('two threads: a cut-short file gives the same frames and the same error line; bad input and output fail alike', async () => {
  const dir = tempDir('two-threads-errors');
  try {
    const s = goldenSubjects()[0]!;
    const bytes = fs.readFileSync(s.file);
    const cut = path.join(dir, 'cut.pcapng');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const r = await assertSameOutput({ file: cut, options: s.options }, dir);
    assert.match(r.readError ?? '', /truncated/);

    const notCapture = path.join(dir, 'not-a-capture.txt');
    fs.writeFileSync(notCapture, 'hello, this is not a capture\n'.repeat(10));
    for (const threads of [1, 2] as const) {
      await assert.rejects(annotate({ file: notCapture, options: [] }, path.join(dir, `x${threads}.pcapng`), threads),
        (err: unknown) => err instanceof FatalError && err.code === 'E_INPUT' && /not a pcap or pcapng file/.test(err.message));
      await assert.rejects(annotate(s, path.join(dir, 'no-such-dir', 'out.pcapng'), threads),
        (err: unknown) => err instanceof FatalError && err.code === 'E_OUTPUT');
    }
    // A write the OS refuses half-way (RLIMIT_FSIZE: EFBIG), in the writing thread: one line, exit 1, as with one thread.
    const big = path.join(dir, 'too-big.pcapng');
    for (const threads of ['1', '2']) {
      const run = spawnSync('bash', ['-c', 'ulimit -f 8 && exec "$@"', 'bash', process.execPath, CLI_PATH, 'annotate', s.file, '-o', big, '--threads', threads],
        { encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 1, `threads ${threads}: ${run.stderr}`);
      assert.equal(run.stderr, `ftpflow: ${big}: file too large\n`, `threads ${threads}`);
    }
    // A device as output gets one thread (it is opened once): /dev/full fails the same way.
    if (fs.existsSync('/dev/full')) {
      await assert.rejects(annotate(s, '/dev/full', 2),
        (err: unknown) => err instanceof FatalError && err.code === 'E_OUTPUT' && /no space left/i.test(err.message));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
