import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BLOCK_EPB, OPT_COMMENT, OPT_CUSTOM_STR, SHB_USERAPPL, IF_NAME, encodeBlock, encodeCustomOption, encodeEpb,
  encodeEpbInto, encodeIdb, encodeIsb, encodeShb, encodeStringOption, epbSize, utf8OptionLength,
} from '../../../src/pcapng/encode';
import type { PcapngOption } from '../../../src/pcapng/model';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const utf8 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'utf8'));
const words = (s: string): string => s.replace(/\s+/g, '');

// The hand-checked 216-byte file of the pcapng research notes (tshark 4.0.17 reads it: comment
// "ftp-data s=1", ns precision, 1 packet).
const GOLDEN = {
  shb: '0a0d0d0a 28000000 4d3c2b1a 01000000 ffffffff ffffffff 04000400 66747078 00000000 28000000',
  idb: '01000000 2c000000 01000000 00000400 02000500 66747078 30000000 09000100 09000000 00000000 2c000000',
  epb: `06000000 50000000 00000000 fe9c9717 00002a36 0d000000 0d000000 00112233 44556677 8899aabb cc000000
        01000c00 6674702d 64617461 20733d31 ac0b0700 d97e0000 6b3d7600 00000000 50000000`,
  isb: `05000000 34000000 00000000 fe9c9717 01002a36 05000800 00000000 00000000 07000800 02000000 00000000
        00000000 34000000`,
};

describe('golden file from the research notes', () => {
  const shb = encodeShb([encodeStringOption(SHB_USERAPPL, 'ftpx')]);
  const idb = encodeIdb({ linkType: 1, snapLen: 262144, tsResol: 9, tsOffsetSec: 0n, options: [encodeStringOption(IF_NAME, 'ftpx0')] });
  const epb = encodeEpb(0, 1_700_000_000_000_000_000n, Uint8Array.from(Buffer.from('00112233445566778899aabbcc', 'hex')), 13,
    [encodeCustomOption(OPT_CUSTOM_STR, 32473, utf8('k=v'))], ['ftp-data s=1']);
  const isb = encodeIsb(0, 1_700_000_000_000_000_001n, { ifDrop: 0n, osDrop: 2n });

  test('each block, byte for byte', () => {
    assert.equal(hex(shb), words(GOLDEN.shb));
    assert.equal(hex(idb), words(GOLDEN.idb));
    assert.equal(hex(epb), words(GOLDEN.epb));
    assert.equal(hex(isb), words(GOLDEN.isb));
  });

  test('the whole file is 216 bytes', () => {
    const all = Buffer.concat([shb, idb, epb, isb]);
    assert.equal(all.length, 216);
    assert.equal(all.toString('hex'), words(GOLDEN.shb + GOLDEN.idb + GOLDEN.epb + GOLDEN.isb));
  });

  test('the same EPB when the comment is passed as an option instead of a comment string', () => {
    const asOptions = encodeEpb(0, 1_700_000_000_000_000_000n, Uint8Array.from(Buffer.from('00112233445566778899aabbcc', 'hex')), 13,
      [encodeStringOption(OPT_COMMENT, 'ftp-data s=1'), encodeCustomOption(OPT_CUSTOM_STR, 32473, utf8('k=v'))], []);
    assert.equal(hex(asOptions), words(GOLDEN.epb));
  });
});

describe('EPB layout', () => {
  const u32 = (b: Uint8Array, off: number) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32LE(off);

  const cases: { name: string; dataLen: number; options: PcapngOption[] | null; comments: string[]; size: number }[] = [
    { name: 'no options: no endofopt either', dataLen: 0, options: null, comments: [], size: 32 },
    { name: 'empty option list is no options', dataLen: 1, options: [], comments: [], size: 36 },
    { name: 'data padded to 4 (3 -> 4)', dataLen: 3, options: null, comments: [], size: 36 },
    { name: 'data already aligned', dataLen: 4, options: null, comments: [], size: 36 },
    { name: 'one empty comment', dataLen: 5, options: null, comments: [''], size: 40 + 4 + 4 },
    { name: 'comment of 4 bytes: no padding', dataLen: 60, options: null, comments: ['abcd'], size: 92 + 8 + 4 },
    { name: 'comment of 5 bytes: 3 padding', dataLen: 60, options: null, comments: ['abcde'], size: 92 + 12 + 4 },
    { name: 'two comments and an option', dataLen: 60, options: [{ code: 2, value: Uint8Array.of(1, 0, 0, 0) }], comments: ['a', 'bb'], size: 92 + 8 + 8 + 8 + 4 },
    { name: 'an endofopt in the options is not written twice', dataLen: 2, options: [{ code: 0, value: new Uint8Array(0) }, { code: 1, value: utf8('x') }], comments: [], size: 36 + 8 + 4 },
    { name: 'multi-byte UTF-8 counted in bytes', dataLen: 8, options: null, comments: ['é€😀'], size: 40 + 4 + 12 + 4 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const data = Uint8Array.from({ length: c.dataLen }, (_, i) => i + 1);
      const block = encodeEpb(7, 0x0102030405060708n, data, c.dataLen + 10, c.options, c.comments);
      assert.equal(block.length, c.size);
      assert.equal(epbSize(c.dataLen, c.options, c.comments), c.size);
      assert.equal(block.length % 4, 0);
      assert.equal(u32(block, 0), BLOCK_EPB);
      assert.equal(u32(block, 4), c.size);
      assert.equal(u32(block, c.size - 4), c.size);
      assert.equal(u32(block, 8), 7);
      assert.equal(u32(block, 12), 0x01020304); // timestamp high word first
      assert.equal(u32(block, 16), 0x05060708);
      assert.equal(u32(block, 20), c.dataLen);
      assert.equal(u32(block, 24), c.dataLen + 10);
      assert.equal(hex(block.subarray(28, 28 + c.dataLen)), hex(data));
    });
  }

  test('encodeEpbInto at an offset in a dirty buffer: padding is zeroed, bytes equal encodeEpb', () => {
    const buf = Buffer.alloc(400, 0xee);
    const data = utf8('xyz');
    const end = encodeEpbInto(buf, 12, 1, 99n, data, 3, [{ code: 2, value: Uint8Array.of(1, 0, 0, 0) }], ['hé']);
    const expected = encodeEpb(1, 99n, data, 3, [{ code: 2, value: Uint8Array.of(1, 0, 0, 0) }], ['hé']);
    assert.equal(end, 12 + expected.length);
    assert.equal(hex(buf.subarray(12, end)), hex(expected));
    assert.equal(buf[11], 0xee);
    assert.equal(buf[end], 0xee);
  });

  test('timestamps use all 64 bits', () => {
    const block = encodeEpb(0, 0xffffffff_fffffffen, new Uint8Array(0), 0, null, []);
    assert.equal(hex(block.subarray(12, 20)), 'fffffffffeffffff');
  });
});

describe('comment text', () => {
  const cases = [
    { name: 'ASCII', text: 'ftp-data session=S1', bytes: 19 },
    { name: 'exactly 65535 ASCII bytes', text: 'a'.repeat(65535), bytes: 65535 },
    { name: '70000 ASCII bytes: cut at 65535', text: 'a'.repeat(70000), bytes: 65535 },
    { name: '2-byte characters: cut before a split one (65534)', text: 'é'.repeat(40000), bytes: 65534 },
    { name: '3-byte characters fitting exactly (21845 x 3)', text: '€'.repeat(30000), bytes: 65535 },
    { name: '4-byte character straddling the limit', text: 'a'.repeat(65533) + '😀', bytes: 65533 },
    { name: '4-byte character ending at the limit', text: 'a'.repeat(65531) + '😀' + 'b', bytes: 65535 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(utf8OptionLength(c.text), c.bytes);
      const opt = encodeStringOption(OPT_COMMENT, c.text);
      assert.equal(opt.value.length, c.bytes);
      // The cut text is valid UTF-8 and a prefix of the original.
      const back = new TextDecoder('utf-8', { fatal: true }).decode(opt.value);
      assert.ok(c.text.startsWith(back));
      const block = encodeEpb(0, 0n, new Uint8Array(0), 0, null, [c.text]);
      assert.equal(block.length, 28 + 4 + ((c.bytes + 3) & ~3) + 4 + 4);
      assert.equal(Buffer.from(block.buffer, block.byteOffset).readUInt16LE(30), c.bytes);
      assert.equal(hex(block.subarray(32, 32 + c.bytes)), hex(opt.value));
    });
  }

  test('repeated texts come out the same (the encoded-text cache returns equal bytes)', () => {
    const first = encodeEpb(0, 1n, new Uint8Array(0), 0, null, ['same', 'sämë']);
    for (let i = 0; i < 3; i++) assert.equal(hex(encodeEpb(0, 1n, new Uint8Array(0), 0, null, ['same', 'sämë'])), hex(first));
    // Mutating a returned string option must not change later encodings.
    encodeStringOption(OPT_COMMENT, 'same').value.fill(0);
    assert.equal(hex(encodeEpb(0, 1n, new Uint8Array(0), 0, null, ['same', 'sämë'])), hex(first));
  });
});

describe('other blocks', () => {
  test('IDB: µs resolution writes no if_tsresol, no options means no endofopt', () => {
    assert.equal(hex(encodeIdb({ linkType: 113, snapLen: 65535, tsResol: 6, tsOffsetSec: 0n, options: [] })),
      words('01000000 14000000 7100 0000 ffff0000 14000000'));
  });

  test('IDB: if_tsresol and if_tsoffset come from the fields, not from the options list', () => {
    const idb = encodeIdb({
      linkType: 1, snapLen: 0, tsResol: 0x8a, tsOffsetSec: -2n,
      options: [{ code: 9, value: Uint8Array.of(6) }, { code: 14, value: new Uint8Array(8) }, { code: 2, value: utf8('lo') }],
    });
    assert.equal(hex(idb), words(`01000000 34000000 01000000 00000000
      02000200 6c6f0000  09000100 8a000000  0e000800 feffffff ffffffff  00000000 34000000`));
  });

  test('IDB: the link type keeps its low 16 bits', () => {
    assert.equal(hex(encodeIdb({ linkType: 0x10000 + 276, snapLen: 1, tsResol: 6, tsOffsetSec: 0n, options: [] })).slice(16, 24), '14010000');
  });

  test('SHB without options', () => {
    assert.equal(hex(encodeShb([])), words('0a0d0d0a 1c000000 4d3c2b1a 01000000 ffffffff ffffffff 1c000000'));
  });

  test('ISB: every statistic, in code order', () => {
    const isb = encodeIsb(3, 0x100000002n, { startTicks: 5n, endTicks: 0x700000008n, ifRecv: 10n, ifDrop: 11n, filterAccept: 12n, osDrop: 13n, usrDeliv: 14n });
    assert.equal(hex(isb), words(`05000000 70000000 03000000 01000000 02000000
      02000800 00000000 05000000  03000800 07000000 08000000
      04000800 0a000000 00000000  05000800 0b000000 00000000  06000800 0c000000 00000000
      07000800 0d000000 00000000  08000800 0e000000 00000000  00000000 70000000`));
  });

  test('encodeBlock pads the body to 4 bytes', () => {
    assert.equal(hex(encodeBlock(0xbad, Uint8Array.of(1, 2, 3, 4, 5))), words('ad0b0000 14000000 01020304 05000000 14000000'));
    assert.equal(hex(encodeBlock(4, new Uint8Array(0))), words('04000000 0c000000 0c000000'));
  });

  test('custom option: PEN little-endian, then the data', () => {
    const o = encodeCustomOption(2989, 0x01020304, Uint8Array.of(0xaa));
    assert.deepEqual([o.code, hex(o.value)], [2989, '04030201aa']);
  });
});
