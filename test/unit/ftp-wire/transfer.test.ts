import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { TRANSFER_VERBS, transferDirection } from '../../../src/ftp/wire';

describe('transferDirection', () => {
  const rows: [string, 'down' | 'up' | null][] = [
    ['RETR', 'down'], ['LIST', 'down'], ['NLST', 'down'], ['MLSD', 'down'],
    ['STOR', 'up'], ['STOU', 'up'], ['APPE', 'up'],
    ['retr', 'down'], ['Stor', 'up'],
    // Control-only commands, including those Wireshark wrongly reports as a data connection's command.
    ['MLST', null], ['SIZE', null], ['MDTM', null], ['REST', null], ['TYPE', null], ['PASV', null],
    ['RETRX', null], ['', null],
  ];
  for (const [verb, expected] of rows) {
    it(`${JSON.stringify(verb)} -> ${expected}`, () => {
      assert.equal(transferDirection(verb), expected);
    });
  }

  it('TRANSFER_VERBS is exactly the verbs with a direction', () => {
    assert.deepEqual([...TRANSFER_VERBS].sort(), ['APPE', 'LIST', 'MLSD', 'NLST', 'RETR', 'STOR', 'STOU']);
  });
});
