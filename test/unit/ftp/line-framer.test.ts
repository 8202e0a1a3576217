import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counters } from '../../../src/core/counters';
import { LineFramer, MAX_LINE_BYTES } from '../../../src/ftp/line-framer';

function framer(stripTelnet = false) {
  const lines: string[] = [];
  const events: string[] = [];
  const counters = new Counters();
  const f = new LineFramer({
    onLine: (l, frame) => { lines.push(`${l}@${frame}`); events.push('line'); },
    onTlsDetected: () => { events.push('tls'); f.startTls(); },
    onClearTextResumed: () => events.push('clear'),
  }, counters, stripTelnet);
  return { f, lines, events, counters };
}

const feed = (f: LineFramer, s: string | Buffer, frame = 1) => f.onBytes(typeof s === 'string' ? Buffer.from(s, 'latin1') : s, frame);

test('framer: CRLF and bare LF both end a line; the frame is the one carrying the LF', () => {
  const { f, lines } = framer();
  feed(f, 'USER anon', 1);
  feed(f, 'ymous\r\nPASS x\nPA', 2);
  feed(f, 'SV\r\n', 3);
  assert.deepEqual(lines, ['USER anonymous@2', 'PASS x@2', 'PASV@3']);
});

test('framer: a CR split from its LF is still removed', () => {
  const { f, lines } = framer();
  feed(f, '227 ok\r', 1);
  feed(f, '\n', 2);
  assert.deepEqual(lines, ['227 ok@2']);
});

test('framer: an over-long line is dropped up to its LF, and counted once', () => {
  const { f, lines, counters } = framer();
  feed(f, 'X'.repeat(MAX_LINE_BYTES + 10));
  feed(f, 'Y'.repeat(100) + '\r\nNOOP\r\n');
  assert.deepEqual(lines, ['NOOP@1']);
  assert.equal(counters.get('ftp.line.too_long'), 1);
});

test('framer: a line of exactly the cap is kept', () => {
  const { f, lines } = framer();
  feed(f, 'Z'.repeat(MAX_LINE_BYTES) + '\r\n');
  assert.equal(lines.length, 1);
});

test('framer: a gap throws the partial line away', () => {
  const { f, lines, counters } = framer();
  feed(f, '227 Entering Passive Mode (10,0');
  f.onGap(7);
  feed(f, 'PASV\r\n');
  assert.deepEqual(lines, ['PASV@1']);
  assert.equal(counters.get('ftp.line.gap_discarded'), 1);
});

test('framer: Telnet IAC sequences around ABOR are stripped on the client side', () => {
  const { f, lines } = framer(true);
  feed(f, Buffer.from([0xff, 0xf4, 0xff, 0xf2, ...Buffer.from('ABOR\r\n')]));
  feed(f, Buffer.from([0xff, 0xfb, 0x01, ...Buffer.from('NOOP\r\n')]));
  assert.deepEqual(lines, ['ABOR@1', 'NOOP@1']);
});

test('framer: UTF-8 file names survive', () => {
  const { f, lines } = framer();
  feed(f, Buffer.from('RETR résumé ☃.txt\r\n', 'utf8'));
  assert.deepEqual(lines, ['RETR résumé ☃.txt@1']);
});

test('framer: TLS records are skipped whole, and clear text after them is parsed again (CCC)', () => {
  const { f, lines, events } = framer();
  f.startTls();
  const body = Buffer.from('227 Entering Passive Mode (1,2,3,4,5,6)\r\n'); // inside a record: must not be parsed
  const record = Buffer.concat([Buffer.from([23, 3, 3, 0, body.length]), body]);
  feed(f, record.subarray(0, 3));
  feed(f, Buffer.concat([record.subarray(3), Buffer.from('200 CCC ok\r\n')]));
  assert.deepEqual(lines, ['200 CCC ok@1']);
  assert.deepEqual(events, ['clear', 'line']);
});

test('framer: a TLS ClientHello where a line should start switches to TLS mode', () => {
  const { f, lines, events } = framer();
  feed(f, Buffer.from([22, 3, 1, 0, 4, 1, 2, 3, 4]));
  feed(f, Buffer.from([23, 3, 3, 0, 2, 0x0a, 0x0a]));
  assert.deepEqual(events, ['tls']);
  assert.deepEqual(lines, []);
});
