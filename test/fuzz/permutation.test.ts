/**
 * Permutation fuzz: every synthetic case (and every recorded golden case, test/golden/*\/truth.json)
 * is annotated once as is, then again after its control connections were re-split, reordered and
 * duplicated (permute.ts). The comments on every untouched frame that either run calls role=data
 * must be the same, frame-number values translated; when the unpermuted run scores ok, the
 * permuted one must score ok against the translated truth.
 *
 * FTPFLOW_FUZZ_ROUNDS (default 5) permutations per case; FTPFLOW_FUZZ_SEED changes them all;
 * FTPFLOW_PERMUTE_CORPUS=DIR adds every DIR/*.truth.json (capture beside it, e.g. /work/shared/captures/zeek).
 */
import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliMissingReason, runAnnotate } from '../helpers/annotate-cli';
import { readCaptureFile } from '../helpers/capture-file';
import { parseFtpflowComment, scoreAnnotated, scorePackets } from '../helpers/truth-score';
import { seedFrom } from '../fixtures/gen/prng';
import { tempDir } from '../fixtures/gen/generate';
import { compareAfterPermutation, permuteCapture } from './permute';
import { fuzzSubjects } from './subjects';

const ROUNDS = Number(process.env.FTPFLOW_FUZZ_ROUNDS ?? 5);
const SEED = Number(process.env.FTPFLOW_FUZZ_SEED ?? 0);
const parallel = Math.max(1, Math.min(4, os.availableParallelism()));
const dir = tempDir('permute');
const kept = path.join(dir, 'failing');

after(() => {
  if (!fs.existsSync(kept) || fs.readdirSync(kept).length === 0) fs.rmSync(dir, { recursive: true, force: true });
});

const subjects = fuzzSubjects();

function commentsOf(file: string): (Record<string, string> | null)[] {
  return readCaptureFile(file).packets.map(p => parseFtpflowComment(p.comments));
}

describe(`permutation fuzz (${ROUNDS} rounds per case)`, { concurrency: parallel }, () => {
  for (const s of subjects) {
    it(s.name, async () => {
      const missing = cliMissingReason();
      assert.equal(missing, null, missing ?? '');
      const safe = s.name.replace(/[^\w.-]+/g, '_');
      const options = s.truth.ftpflow_options ?? [];
      const original = s.capture();
      const inBase = path.join(dir, `${safe}.base.in`);
      const outBase = path.join(dir, `${safe}.base.out.pcapng`);
      fs.writeFileSync(inBase, original);
      const base = await runAnnotate(inBase, outBase, options);
      assert.equal(base.code, 0, `unpermuted run exited ${base.code}: ${base.stderr}`);
      const baseComments = commentsOf(outBase);
      const baseScore = scorePackets(s.truth, readCaptureFile(outBase).packets.map(p => p.comments));

      const problems: string[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const seed = (seedFrom(s.name, r) ^ SEED) >>> 0;
        const p = permuteCapture(original, s.truth, { seed });
        assert.equal(p.kind, 'ok', p.kind === 'bad' ? p.why : '');
        if (p.kind !== 'ok') return;
        const inP = path.join(dir, `${safe}.${r}.in`);
        const outP = path.join(dir, `${safe}.${r}.out.pcapng`);
        const truthP = path.join(dir, `${safe}.${r}.truth.json`);
        fs.writeFileSync(inP, p.capture);
        fs.writeFileSync(truthP, JSON.stringify(p.truth, null, 1));
        const run = await runAnnotate(inP, outP, options);
        const found: string[] = [];
        if (run.code !== 0) found.push(`exit ${run.code}: ${run.stderr.trim()}`);
        else {
          found.push(...compareAfterPermutation(p, baseComments, commentsOf(outP)));
          if (baseScore.ok) {
            const sc = scoreAnnotated(truthP, outP);
            if (!sc.ok) found.push(...sc.problems.map(x => `score: ${x}`));
          }
        }
        if (found.length) {
          fs.mkdirSync(kept, { recursive: true });
          for (const f of [inP, truthP]) fs.copyFileSync(f, path.join(kept, path.basename(f)));
          problems.push(`round ${r} (${p.describe}; kept as ${path.join(kept, path.basename(inP))}):\n    ${found.slice(0, 8).join('\n    ')}`);
        }
        for (const f of [inP, outP, truthP]) fs.rmSync(f, { force: true });
      }
      const note = baseScore.ok ? '' : `\n(the unpermuted run itself fails the truth: ${baseScore.summary}; only compared)`;
      assert.deepEqual(problems, [], `${s.name}: comments changed under permutation${note}`);
    });
  }
});
