/**
 * Ports come out of the parsers as small integers (V8 Smis), also after text with a huge number went through
 * them. Once one huge number has been parsed, V8 builds the number lists as double arrays and the port
 * arithmetic yields heap doubles; a single endpoint stored with a double port changes the shape of every
 * endpoint, and V8 throws away the optimised code of everything that handles connections (on the benchmark
 * file: 15 hot functions deoptimised and compiled again). Checked with V8's own %IsSmi in a child process.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { dataPort } from '../../../src/ftp/wire/endpoint-forms';

const wire = path.resolve(__dirname, '../../../src/ftp/wire');

test('dataPort: 1..65535 as an integer, anything else null', () => {
  for (const [n, want] of [[1, 1], [21, 21], [65535, 65535], [1031.0, 1031], [0, null], [65536, null], [-1, null], [1.5, null], [NaN, null], [Infinity, null]] as const) {
    assert.equal(dataPort(n), want, String(n));
  }
});

test('parsed ports stay small integers after a huge number was parsed', () => {
  const script = `
    const pas = require(${JSON.stringify(path.join(wire, 'passive.js'))});
    const act = require(${JSON.stringify(path.join(wire, 'active.js'))});
    let doubles = 0, parsed = 0;
    for (let i = 0; i < 20000; i++) {
      const reply = i % 100 === 50 ? '213 99999999999' : '227 Entering Passive Mode (10,0,0,1,' + (i % 200) + ',' + (i % 250) + ')';
      for (const r of [pas.parsePasvReply(reply), act.parsePortArg('10,0,0,1,' + (i % 200) + ',' + ((i * 7) % 250)), act.parseEprtArg('|1|10.0.0.1|' + (1024 + i) + '|')]) {
        if (r === null) continue;
        parsed++;
        if (!%IsSmi(r.port)) doubles++;
      }
    }
    console.log(JSON.stringify({ parsed, doubles }));
  `;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const { parsed, doubles } = JSON.parse(r.stdout) as { parsed: number; doubles: number };
  assert.ok(parsed > 50_000, `only ${parsed} endpoints parsed`);
  assert.equal(doubles, 0, `${doubles} of ${parsed} ports were heap doubles`);
});
