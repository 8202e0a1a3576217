/**
 * The README's first command ends with `npx ftpflow annotate …`: npx runs package.json's `bin` file
 * directly, so the built file must be executable. tsc writes it 0644 and npm 11 no longer sets the mode of
 * the project's own bin, so `npm run build` (and `prepare`, which runs it) does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { repoPath } from '../../helpers/paths';

test('the ftpflow bin is built executable, with a node shebang', { skip: process.platform === 'win32' ? 'no mode bits' : false }, () => {
  const pkg = JSON.parse(fs.readFileSync(repoPath('package.json'), 'utf8')) as { bin: Record<string, string> };
  const bin = repoPath(pkg.bin['ftpflow']!);
  assert.ok((fs.statSync(bin).mode & 0o111) !== 0, `${bin} is not executable: npx ftpflow would fail with "Permission denied"`);
  assert.match(fs.readFileSync(bin, 'utf8').split('\n')[0]!, /^#!\/usr\/bin\/env node$/);
});
