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

test('measure splits out the system time, and counts disk reads in bytes', { skip: !haveTime && `${GNU_TIME} is not installed` }, () => {
  // Zeroing 6.5 GB of user buffer from /dev/zero is all kernel work: here ~0.16 s of system time, far above
  // GNU time's 0.01 s resolution (2 GB was too little: it once measured 0.00).
  const m = measure('dd', ['if=/dev/zero', 'of=/dev/null', 'bs=64k', 'count=100000'], { stdoutFile: null, timeoutSeconds: 60 });
  assert.equal(m.failure, null);
  assert.ok(m.sysSeconds > 0 && m.sysSeconds <= m.cpuSeconds, `sys ${m.sysSeconds} s of cpu ${m.cpuSeconds} s`);
  // /dev/zero is no disk: of the 6.5 GB read, none counts; what does (dd's own pages, if the page cache had
  // dropped them: 4 KiB once in CI) comes in whole 512-byte blocks.
  assert.ok(m.diskReadBytes % 512 === 0 && m.diskReadBytes < 64 << 20, `disk read ${m.diskReadBytes} bytes`);
});
