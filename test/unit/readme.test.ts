import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { COUNTER_NAMES } from '../../src/core/counter-names';
import { OPTION_SPECS } from '../../src/extcap/options';
import { repoPath } from '../helpers/paths';

const readme = fs.readFileSync(repoPath('README.md'), 'utf8');

test('README documents every counter', () => {
  const missing = Object.keys(COUNTER_NAMES).filter((name) => !readme.includes('`' + name + '`'));
  assert.deepEqual(missing, []);
});

test('README documents every extcap option', () => {
  const missing = OPTION_SPECS.map((s) => s.call).filter((call) => !readme.includes('`' + call + '`'));
  assert.deepEqual(missing, []);
});

test('README carries exactly two set-up commands, and .ci/run runs the same test command', () => {
  const setup = readme.slice(readme.indexOf('## Set-up'), readme.indexOf('## Use'));
  const blocks = [...setup.matchAll(/```sh\n([^\n]+)\n```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 2);
  const ci = fs.readFileSync(repoPath('.ci/run'), 'utf8');
  assert.ok(ci.split('\n').includes(blocks[1]!), `.ci/run runs the README's test command: ${blocks[1]}`);
});
