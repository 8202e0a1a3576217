/**
 * Rare events late in a run must not throw away V8's compiled engine code. Each case runs in a child node
 * with --allow-natives-syntax: a function is compiled (TurboFan) while only the common path has run, then
 * the rare event happens, and the function must still be compiled. A control case shows the same check
 * does catch the problem on this V8 (an `[]` literal), so a pass is not a blind spot of the check.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

const dist = path.resolve(__dirname, '../../../src');
const req = (rel: string): string => `require(${JSON.stringify(path.join(dist, rel))})`;

/** Runs `body` in a child node; `stillCompiled(f)` there is true when f kept its TurboFan code. */
function runChild(body: string): { before: boolean; after: boolean } {
  const script = `
    const stillCompiled = (f) => (%GetOptimizationStatus(f) & 16) !== 0;
    const compile = (f, warm) => { %PrepareFunctionForOptimization(f); for (let i = 0; i < 200; i++) warm(); %OptimizeFunctionOnNextCall(f); warm(); };
    ${body}
  `;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { before: boolean; after: boolean };
}

const listCase = (make: string): string => `
  const { emptyList } = ${req('core/empty-list.js')};
  class Holder { constructor() { this.items = ${make}; } }
  const build = () => new Holder();
  // Made before compilation, so V8 still tracks it back to its allocation site (as a session from the
  // start of a capture is); its list gets its first object only once the builder is compiled.
  let early = null;
  %PrepareFunctionForOptimization(build); // feedback first: V8 ties no site to arrays made before it
  for (let i = 0; i < 200; i++) early = build();
  %OptimizeFunctionOnNextCall(build);
  build();
  const before = stillCompiled(build);
  early.items.push({ rare: true });
  build();
  console.log(JSON.stringify({ before, after: stillCompiled(build) }));
`;

test('control: the first object pushed into an array from an [] literal deoptimises code that inlined the literal', () => {
  const r = runChild(listCase('[]'));
  assert.ok(r.before, 'the builder was not compiled');
  assert.equal(r.after, false, 'this V8 no longer deoptimises here: the check below proves nothing');
});

test('emptyList(): the first object pushed does not deoptimise code that builds such lists', () => {
  const r = runChild(listCase('emptyList()'));
  assert.ok(r.before, 'the builder was not compiled');
  assert.ok(r.after, 'deoptimised by the first push');
});

test('Fifo: compacting after many shifts does not deoptimise code that reads the queue', () => {
  const r = runChild(`
    const { Fifo } = ${req('core/fifo.js')};
    const watched = new Fifo();
    watched.push(1);
    const busy = new Fifo();
    busy.push(0);
    busy.shift(); // the first shift of a run comes early: only the compaction is late
    const look = () => watched.peek() + watched.size;
    compile(look, look);
    const before = stillCompiled(look);
    for (let i = 0; i < 4000; i++) busy.push(i);
    for (let i = 0; i < 3000; i++) busy.shift();
    look();
    console.log(JSON.stringify({ before, after: stillCompiled(look) }));
  `);
  assert.ok(r.before, 'the reader was not compiled');
  assert.ok(r.after, 'deoptimised by the compaction');
});

test('DirectionReassembler: releasing a direction with nothing queued does not deoptimise code that reads one', () => {
  const r = runChild(`
    const { DirectionReassembler } = ${req('reassembly/direction.js')};
    const sink = { onBytes() {}, onGap() {} };
    const counters = { inc() {}, max() {} };
    const limits = { maxQueuedBytesPerDirection: 1 << 16, maxQueuedBytesTotal: 1 << 20, holeTimeoutNs: 1 };
    const budget = { queuedBytes: 0 };
    const watched = new DirectionReassembler(sink, limits, budget, counters);
    const look = () => (watched.holeOpen ? 1 : 0) + watched.pendingBytes;
    compile(look, look);
    const before = stillCompiled(look);
    new DirectionReassembler(sink, limits, budget, counters).release();
    look();
    console.log(JSON.stringify({ before, after: stillCompiled(look) }));
  `);
  assert.ok(r.before, 'the reader was not compiled');
  assert.ok(r.after, 'deoptimised by release()');
});
