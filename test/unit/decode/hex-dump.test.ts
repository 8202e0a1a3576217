import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex, fromHexDump } from './hex-dump';

// The test frames are only as good as this reader: it must refuse a dump that was copied wrong.
describe('fromHexDump', () => {
  it('reads the hex columns and ignores the ASCII column, even when it looks like hex', () => {
    const got = fromHexDump(`
0000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f   ab cd ef 01 23 45
0010  61 62                                             ab
`);
    assert.deepEqual([...got], [...Array.from({ length: 16 }, (_, i) => i), 0x61, 0x62]);
  });

  const refused: Array<[string, string]> = [
    ['a dropped line', '0000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n0020  00'],
    ['a short line in the middle', '0000  00 01\n0002  02'],
    ['a line that is not a dump', '0000  00 01\nhello'],
    ['nothing', '\n\n'],
  ];
  for (const [name, dump] of refused) it(`refuses ${name}`, () => assert.throws(() => fromHexDump(dump)));
});

describe('fromHex', () => {
  it('reads hex with any whitespace', () => assert.deepEqual([...fromHex('0a 0B\n0c')], [10, 11, 12]));
  it('refuses an odd digit count', () => assert.throws(() => fromHex('abc')));
});
