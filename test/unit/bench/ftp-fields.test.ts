import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePortMap, replicaAddress } from '../../../bench/replicate';
import { ftpFields, type SeedModel } from '../../../bench/seed-model';

const ip = (s: string): number => s.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
const text = (a: number): string => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;

/** What ftpFields finds, as [kind, the text it covers, address, port]. */
function found(line: string): Array<[string, string, string | null, number | null]> {
  return ftpFields(line, () => 0, () => 0).map((f) => [
    f.kind, line.slice(f.start, f.end), 'addr' in f ? text(f.addr) : null, 'port' in f ? f.port : null,
  ]);
}

test('ftpFields finds the numbers of PORT, EPRT, 227 and 229 lines, as servers and clients write them', () => {
  const cases: Array<[string, Array<[string, string, string | null, number | null]>]> = [
    ['PORT 127,0,0,2,160,5\r\n', [['commas', '127,0,0,2,160,5', '127.0.0.2', 40965]]],
    ['227 Entering Passive Mode (192,168,1,20,195,80).\r\n', [['commas', '192,168,1,20,195,80', '192.168.1.20', 50000]]],
    // vsftpd and pyftpdlib word it differently; some servers drop the parentheses.
    ['227 Entering passive mode (127,0,0,1,223,9).\r\n', [['commas', '127,0,0,1,223,9', '127.0.0.1', 57097]]],
    ['227 =10,200,1,1,156,64\r\n', [['commas', '10,200,1,1,156,64', '10.200.1.1', 40000]]],
    ['EPRT |1|127.0.0.2|40123|\r\n', [['dotted', '127.0.0.2', '127.0.0.2', null], ['decimal', '40123', null, 40123]]],
    ['229 Entering Extended Passive Mode (|||6446|)\r\n', [['decimal', '6446', null, 6446]]],
    ['229 Entering extended passive mode (!!!48907!)\r\n', [['decimal', '48907', null, 48907]]],
    // Several lines in one segment: both found, offsets into the whole payload.
    ['200 Type set to: Binary.\r\n227 Entering passive mode (127,0,0,1,1,2).\r\n', [['commas', '127,0,0,1,1,2', '127.0.0.1', 258]]],
  ];
  for (const [line, want] of cases) assert.deepEqual(found(line), want, line);
});

test('ftpFields leaves alone what it must not rewrite', () => {
  for (const line of [
    'PORT 300,0,0,1,4,1\r\n',                      // an octet over 255
    'EPRT |2|fd00:200::2|40123|\r\n',              // IPv6: no IPv4 address to map
    '229 Entering Extended Passive Mode (|||70000|)\r\n', // port over 65535
    '150 Opening BINARY mode data connection for alpha.bin (96000 bytes).\r\n',
    'RETR 1,2,3,4,5,6\r\n',                         // a file name that looks like numbers
    '213 128000\r\n',
  ]) {
    assert.deepEqual(found(line), [], line);
  }
});

test('replicaAddress numbers copies through 10.0.0.0/8 without .0 or .255 hosts', () => {
  const cases: Array<[number, string]> = [
    [0, '10.1.0.1'], [1, '10.1.0.2'], [253, '10.1.0.254'], [254, '10.1.1.1'],
    [254 * 256 - 1, '10.1.255.254'], [254 * 256, '10.2.0.1'], [255 * 254 * 256 - 1, '10.255.255.254'],
  ];
  for (const [n, want] of cases) assert.equal(text(replicaAddress(n)), want, String(n));
  assert.throws(() => replicaAddress(255 * 254 * 256), RangeError);
});

test('makePortMap: the control port becomes 21, port 20 stays, every other port moves and stays distinct', () => {
  const ports = [34341, 37458, 48907, 20, 40965, 1024, 65535];
  const seed = { ports, controlPort: 34341 } as unknown as SeedModel;
  const map = makePortMap(seed, 21);
  for (const copy of [0, 1, 2, 5000, 65535]) {
    const mapped = ports.map((_, i) => map(i, copy));
    assert.equal(mapped[0], 21);
    assert.equal(mapped[3], 20);
    assert.equal(new Set(mapped).size, ports.length, `copy ${copy}: ${mapped.join(',')}`);
    for (const p of mapped.slice(1)) assert.ok(p === 20 || (p >= 1024 && p <= 65535), `copy ${copy}: port ${p}`);
  }
  // The same seed port differs from one copy to the next (distinct client ports per copy).
  assert.notEqual(map(1, 0), map(1, 1));
  assert.equal(ip('10.1.0.1'), replicaAddress(0));
});
