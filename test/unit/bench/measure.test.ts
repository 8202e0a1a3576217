import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { GNU_TIME, measure } from '../../../bench/measure';

const haveTime = fs.existsSync(GNU_TIME);

test('measure reports wall time and peak RSS of a child that allocates', { skip: !haveTime && `${GNU_TIME} is not installed` }, () => {
  // A child that holds ~64 MB: its peak RSS must show it, the parent's must not matter.
  const m = measure(process.execPath, ['-e', 'const b = Buffer.alloc(64 << 20, 1); setTimeout(() => b.length, 50)'], { stdoutFile: null, timeoutSeconds: 30 });
  assert.equal(m.failure, null);
  assert.ok(m.seconds >= 0.05 && m.seconds < 30, `seconds ${m.seconds}`);
  assert.ok(m.peakRssKb > 64 * 1024, `peak RSS ${m.peakRssKb} kB`);
});

test('measure says what failed: an exit status, a missing program', { skip: !haveTime && `${GNU_TIME} is not installed` }, () => {
  const failed = measure('sh', ['-c', 'echo oops >&2; exit 3'], { stdoutFile: null, timeoutSeconds: 30 });
  assert.match(failed.failure ?? '', /exited 3: oops/);
  const missing = measure('/nonexistent/ftpflow-bench-tool', [], { stdoutFile: null, timeoutSeconds: 30 });
  assert.notEqual(missing.failure, null);
});
