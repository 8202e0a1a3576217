/**
 * Every synthetic case end to end: generate the capture and its truth, run
 * `ftpflow annotate IN -o OUT [ftpflow_options] --json`, score OUT against the truth (and expect
 * no `pipeline.internal_error` in the summary), and check that
 * every input frame comes out unchanged (bytes, length, timestamp, link type, old comments), in order.
 *
 * A second suite checks the generator itself against tshark: the captures read cleanly, checksums
 * are right, and every data connection in the truth is exactly one TCP stream.
 *
 * FTPFLOW_KEEP_OUT=1 keeps the temp folder (its path is printed) to look at failures in Wireshark.
 */
import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliMissingReason, runAnnotate } from '../helpers/annotate-cli';
import { compareFrames } from '../helpers/capture-compare';
import { readCaptureFile } from '../helpers/capture-file';
import { scoreAnnotated } from '../helpers/truth-score';
import { ALL_CASES } from '../fixtures/gen/cases/index';
import { tempDir, writeCase } from '../fixtures/gen/generate';

const dir = tempDir('synth');
const parallel = Math.max(1, Math.min(4, os.availableParallelism()));

after(() => {
  if (process.env.FTPFLOW_KEEP_OUT) process.stdout.write(`# synthetic captures kept in ${dir}\n`);
  else fs.rmSync(dir, { recursive: true, force: true });
});

describe('synthetic cases through ftpflow annotate', { concurrency: parallel }, () => {
  for (const def of ALL_CASES) {
    it(def.name, async () => {
      const missing = cliMissingReason();
      assert.equal(missing, null, missing ?? '');
      const w = writeCase(def, path.join(dir, 'annotate'));
      const out = path.join(dir, 'annotate', `${def.name}.out.pcapng`);
      const run = await runAnnotate(w.capturePath, out, [...w.options, '--json']);
      assert.equal(run.code, 0, `annotate exited ${run.code} (${run.signal ?? 'no signal'}):\n${run.stderr}`);
      const summary = JSON.parse(run.stdout) as { frames?: number; counters?: Record<string, number> };
      assert.equal(summary.counters?.['pipeline.internal_error'] ?? 0, 0, 'the per-packet firewall caught a bug');

      const score = scoreAnnotated(w.truthPath, out);
      assert.ok(score.ok, `${def.summary}\n${score.summary}\n  ${score.problems.join('\n  ')}\n  (input ${w.capturePath})`);

      const input = readCaptureFile(w.capturePath);
      const output = readCaptureFile(out);
      assert.equal(input.error, null);
      assert.equal(output.error, null, `output unreadable: ${output.error}`);
      assert.equal(output.packets.length, w.truth.totals.packets);
      assert.deepEqual(compareFrames(input.packets, output.packets), []);
    });
  }
});

const haveTshark = spawnSync('tshark', ['-v']).status === 0;

describe('the generator, checked by tshark', { concurrency: parallel, skip: haveTshark ? false : 'tshark not installed' }, () => {
  for (const def of ALL_CASES) {
    it(def.name, async () => {
      const w = writeCase(def, path.join(dir, 'tshark'));
      const { stdout: text } = await promisify(execFile)('tshark', [
        '-n', '-r', w.capturePath, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
        '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status',
        '-e', 'udp.checksum.status', '-e', '_ws.malformed',
      ], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const rows = text.trim().split('\n').map(l => l.split('\t'));
      assert.equal(rows.length, w.truth.totals.packets, 'tshark frame count');
      const bad = rows.filter(r => r[2] === '0' || r[3] === '0' || r[4] === '0' || (r[5] ?? '') !== '');
      assert.deepEqual(bad.map(r => r[0]), [], 'frames with a bad checksum or malformed');
      const streams = new Map<string, number[]>();
      for (const r of rows) if (r[1]) streams.set(r[1], [...(streams.get(r[1]) ?? []), Number(r[0])]);
      for (const dc of w.truth.data_connections) {
        const s = rows[dc.frames[0]! - 1]![1]!;
        assert.deepEqual(dc.frames, streams.get(s), `${dc.id}: truth frames are not tshark's tcp.stream ${s}`);
        assert.equal(String(dc.tcp_stream), s, `${dc.id}: tcp_stream`);
      }
      for (const cs of w.truth.control_sessions ?? []) {
        const s = rows[cs.first_frame! - 1]![1]!;
        assert.equal(streams.get(s)?.length, cs.n_frames, `${cs.id}: frame count of tcp.stream ${s}`);
      }
    });
  }
});
