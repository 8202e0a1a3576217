/**
 * Golden captures recorded from real FTP servers and clients (test/golden/record.sh), scored against
 * ground truth that ftpflow had no part in (test/golden/derive-truth.py: tshark fields + what the
 * recorder did). For every test/golden/<case>/truth.json: annotate the capture with the built CLI,
 * then score the output. A missing CLI is a failure, never a skip.
 * FTPFLOW_CLI=/path/to/main.js runs the cases against a build in another output folder (annotate-cli).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_PATH, cliMissingReason, runAnnotate } from '../helpers/annotate-cli';
import { repoPath } from '../helpers/paths';
import { scoreAnnotated } from '../helpers/truth-score';
import type { TruthFile } from '../helpers/truth-types';

const GOLDEN_DIR = repoPath('test', 'golden');
/** The cases record.sh makes; a folder that goes missing must not quietly shrink the suite. */
const MIN_CASES = 12;
const ANNOTATE_TIMEOUT_MS = 60_000;

interface GoldenCase {
  name: string;
  truthPath: string;
  capturePath: string;
  truth: TruthFile & { sha256?: string };
}

function goldenCases(): GoldenCase[] {
  return fs
    .readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(GOLDEN_DIR, e.name, 'truth.json')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const truthPath = path.join(GOLDEN_DIR, name, 'truth.json');
      const truth = JSON.parse(fs.readFileSync(truthPath, 'utf8')) as GoldenCase['truth'];
      return { name, truthPath, capturePath: path.join(GOLDEN_DIR, name, truth.capture), truth };
    });
}

const cases = goldenCases();

test('golden: every recorded case has its truth, and none is missing', () => {
  const planned = fs
    .readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(GOLDEN_DIR, e.name, 'plan.json')))
    .map((e) => e.name)
    .sort();
  assert.deepEqual(cases.map((c) => c.name), planned);
  assert.ok(cases.length >= MIN_CASES, `only ${cases.length} golden cases, expected at least ${MIN_CASES}`);
});

test('golden: the ftpflow CLI is built', () => {
  assert.equal(cliMissingReason(), null, `cannot score the golden cases against ${CLI_PATH}`);
});

for (const c of cases) {
  test(`golden ${c.name}: the truth describes this very capture`, () => {
    const sha = createHash('sha256').update(fs.readFileSync(c.capturePath)).digest('hex');
    // A re-recorded capture needs its truth derived again (derive-truth.py); frame numbers would differ.
    assert.equal(sha, c.truth.sha256, `${c.capturePath} changed since truth.json was derived`);
    assert.ok(c.truth.data_connections.length > 0);
  });

  test(`golden ${c.name}: every data connection annotated right, nothing else labelled data`, async () => {
    // Fail, never skip, when there is nothing to score.
    assert.equal(cliMissingReason(), null);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-golden-'));
    try {
      const out = path.join(tmp, 'out.pcapng');
      const run = await runAnnotate(c.capturePath, out, c.truth.ftpflow_options ?? [], ANNOTATE_TIMEOUT_MS);
      assert.equal(run.timedOut, false, `ftpflow annotate took longer than ${ANNOTATE_TIMEOUT_MS} ms`);
      assert.equal(run.code, 0, `ftpflow annotate exited ${run.code} (signal ${run.signal}): ${run.stderr}`);

      const score = scoreAnnotated(c.truthPath, out);
      assert.deepEqual(score.problems, [], `${c.name}: ${score.dataOk}/${score.dataTotal} data connections right`);
      assert.equal(score.dataTotal, c.truth.data_connections.length);
      assert.equal(score.dataOk, score.dataTotal);
      assert.equal(score.falsePositives, 0);
      assert.equal(score.ok, true);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
}
