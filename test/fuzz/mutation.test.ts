/**
 * Mutation fuzz: seeded damage to the synthetic and golden captures (see mutate.ts and
 * subjects.ts), each mutant run through
 * `ftpflow annotate --json`. The annotator must never crash: exit 0, or exit 1 with exactly one
 * line on stderr when the file itself is damaged; no stack trace, no `pipeline.internal_error`.
 * It must write every frame it could read, unchanged. Every third mutant is also run with --threads 2, which
 * must exit, say, count and write exactly what one thread does.
 *
 * FTPFLOW_FUZZ_MUTANTS (default 300) sets the number of mutants, FTPFLOW_FUZZ_SEED the seed.
 * Failing mutants are kept in a folder named in the failure message, to replay by hand.
 */
import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliMissingReason, mapLimit, runAnnotate } from '../helpers/annotate-cli';
import { compareFrames } from '../helpers/capture-compare';
import { readCapture, readCaptureFile } from '../helpers/capture-file';
import { Prng, seedFrom } from '../fixtures/gen/prng';
import { tempDir } from '../fixtures/gen/generate';
import { mutate, MUTATION_KINDS, type Mutant } from './mutate';
import { fuzzSubjects, type Subject } from './subjects';

const TOTAL = Number(process.env.FTPFLOW_FUZZ_MUTANTS ?? 300);
const SEED = Number(process.env.FTPFLOW_FUZZ_SEED ?? 20240301);
const parallel = Math.max(1, Math.min(4, os.availableParallelism()));
const dir = tempDir('mutants');
const kept = path.join(dir, 'failing');

after(() => {
  if (!fs.existsSync(kept) || fs.readdirSync(kept).length === 0) fs.rmSync(dir, { recursive: true, force: true });
});

const STACK = /\n\s+at .+:\d+:\d+\)?\s*$|^(Type|Range|Reference|Syntax)Error\b/m;

/** Problems with one mutant's run, empty when it behaved. */
async function check(s: Subject, m: Mutant, n: number, options: string[]): Promise<string[]> {
  const safe = s.name.replace(/[^\w.-]+/g, '_');
  const input = path.join(dir, `${safe}.${n}.in`);
  const output = path.join(dir, `${safe}.${n}.out.pcapng`);
  fs.writeFileSync(input, m.bytes);
  const run = await runAnnotate(input, output, [...options, '--json'], 60_000);
  const problems: string[] = [];
  if (run.timedOut) problems.push('timed out');
  if (run.signal) problems.push(`killed by ${run.signal}`);
  if (run.code !== 0 && run.code !== 1) problems.push(`exit code ${run.code}`);
  if (STACK.test(run.stderr)) problems.push(`stack trace on stderr: ${run.stderr.slice(0, 400)}`);
  const errLines = run.stderr.trim() === '' ? 0 : run.stderr.trim().split('\n').length;
  if (run.code === 1 && errLines !== 1) problems.push(`exit 1 with ${errLines} stderr lines: ${JSON.stringify(run.stderr.slice(0, 300))}`);
  if (m.damage === 'none' && run.code !== 0) problems.push(`exit ${run.code} on a structurally valid file: ${run.stderr.trim()}`);
  try {
    const summary = JSON.parse(run.stdout) as { counters?: Record<string, number> };
    const internal = summary.counters?.['pipeline.internal_error'] ?? 0;
    if (internal > 0) problems.push(`pipeline.internal_error=${internal} (a bug caught by the firewall)`);
  } catch {
    if (run.code === 0) problems.push(`--json printed no JSON: ${JSON.stringify(run.stdout.slice(0, 200))}`);
  }

  const mine = readCapture(m.bytes);
  if (mine.packets.length > 0 || run.code === 0) {
    if (!fs.existsSync(output)) {
      problems.push(`no output file, though ${mine.packets.length} frames were readable`);
    } else {
      const out = readCaptureFile(output);
      if (out.error) problems.push(`output damaged: ${out.error}`);
      const n1 = mine.packets.length, n2 = out.packets.length;
      // A flipped header may be read differently by two honest readers; a cut may not.
      const mustMatchCount = m.damage !== 'flipped' || (run.code === 0 && mine.error === null);
      if (mustMatchCount && n1 !== n2) problems.push(`wrote ${n2} frames, ${n1} were readable`);
      if (!mustMatchCount && n2 > n1 && mine.error !== null && run.code === 1) problems.push(`wrote ${n2} frames from a file with ${n1} readable`);
      const k = Math.min(n1, n2);
      problems.push(...compareFrames(mine.packets.slice(0, k), out.packets.slice(0, k), 3));
    }
  }
  if (n % TWO_THREADS_EVERY === 0) problems.push(...await sameWithTwoThreads(input, output, run, options));
  if (problems.length) {
    fs.mkdirSync(kept, { recursive: true });
    fs.copyFileSync(input, path.join(kept, path.basename(input)));
  } else {
    fs.rmSync(input, { force: true });
  }
  fs.rmSync(output, { force: true });
  return problems.map(p => `mutant ${n} [${m.kind}: ${m.what}]: ${p}`);
}

/** Every this many mutants are also annotated with --threads 2: same exit, same stderr, same bytes, same counters. */
const TWO_THREADS_EVERY = 3;

async function sameWithTwoThreads(input: string, oneOutput: string, one: Awaited<ReturnType<typeof runAnnotate>>, options: string[]): Promise<string[]> {
  const output = `${oneOutput}.two-threads.pcapng`;
  const two = await runAnnotate(input, output, [...options, '--json', '--threads', '2'], 60_000);
  const problems: string[] = [];
  if (two.code !== one.code) problems.push(`--threads 2 exited ${two.code}, one thread ${one.code}`);
  if (two.stderr !== one.stderr) problems.push(`--threads 2 said ${JSON.stringify(two.stderr)}, one thread ${JSON.stringify(one.stderr)}`);
  const counters = (stdout: string): string => {
    try {
      const c = { ...(JSON.parse(stdout) as { counters?: Record<string, number> }).counters };
      delete c['rewrite.comment_ids_peak'];
      return JSON.stringify(c);
    } catch {
      return stdout;
    }
  };
  if (counters(two.stdout) !== counters(one.stdout)) problems.push('--threads 2 counted otherwise than one thread');
  const a = fs.existsSync(oneOutput) ? fs.readFileSync(oneOutput) : null;
  const b = fs.existsSync(output) ? fs.readFileSync(output) : null;
  if ((a === null) !== (b === null) || (a !== null && b !== null && !a.equals(b))) problems.push('--threads 2 wrote other bytes than one thread');
  fs.rmSync(output, { force: true });
  return problems;
}

// Mutants spread over every subject and kind: subject i gets mutants i, i + subjects, ...
const subjects = fuzzSubjects();
const plan = new Map<string, { n: number; kind: (typeof MUTATION_KINDS)[number]; seed: number }[]>();
{
  const rng = new Prng(SEED);
  for (let n = 0; n < TOTAL; n++) {
    const s = subjects[n % subjects.length]!;
    const kind = MUTATION_KINDS[(n + Math.floor(n / subjects.length)) % MUTATION_KINDS.length]!;
    const list = plan.get(s.name) ?? [];
    list.push({ n, kind, seed: (rng.int(0, 0x7fffffff) ^ seedFrom(s.name)) >>> 0 });
    plan.set(s.name, list);
  }
}

describe(`mutation fuzz (${TOTAL} mutants, seed ${SEED})`, { concurrency: parallel }, () => {
  for (const s of subjects) {
    const mine = plan.get(s.name);
    if (!mine) continue;
    it(`${s.name}: ${mine.map(x => x.kind).join(', ')}`, async () => {
      const missing = cliMissingReason();
      assert.equal(missing, null, missing ?? '');
      const capture = s.capture();
      const options = s.truth.ftpflow_options ?? [];
      const problems = (await mapLimit(mine, 1, async x => check(s, mutate(capture, s.truth, x.kind, x.seed), x.n, options))).flat();
      assert.deepEqual(problems, [], `failing mutants kept in ${kept}`);
    });
  }
});
