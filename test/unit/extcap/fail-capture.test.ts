import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { failCapture, oneLine } from '../../../src/extcap/fail-capture';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-fifo-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function collectStderr(): { lines: string[]; writeStderr: (t: string) => Promise<void> } {
  const lines: string[] = [];
  return { lines, writeStderr: async (t) => void lines.push(t) };
}

describe('failCapture', { skip: process.platform === 'win32' ? 'POSIX FIFOs only' : false }, () => {
  it('writes one line, then opens and closes the FIFO once a reader (dumpcap) holds it', async () => {
    const fifo = path.join(dir, 'wireshark_extcap_ftpflow-lo123456');
    execFileSync('mkfifo', [fifo]);
    const stderr = collectStderr();
    const started = Date.now();
    // The reader arrives late, as dumpcap may: failCapture must wait for it, then give it EOF.
    const reader = new Promise<{ code: number | null; out: string }>((resolve) => {
      setTimeout(() => {
        const cat = spawn('cat', [fifo]);
        let out = '';
        cat.stdout.on('data', (d: Buffer) => (out += d.toString()));
        cat.on('close', (code) => resolve({ code, out }));
      }, 300);
    });
    const outcome = await failCapture(fifo, 'cannot open device lo:\npermission denied', { ...stderr, timeoutMs: 5000, pollMs: 20 });
    const { code, out } = await reader;
    assert.equal(outcome, 'closed');
    assert.ok(Date.now() - started >= 250, 'it waited for the reader');
    assert.deepEqual(stderr.lines, ['ftpflow: cannot open device lo: permission denied\n']);
    assert.deepEqual([code, out], [0, ''], 'the reader saw an empty stream and EOF');
  });

  it('gives up after its time limit when nobody ever reads', async () => {
    const fifo = path.join(dir, 'nobody-reads');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const outcome = await failCapture(fifo, 'x', { ...collectStderr(), timeoutMs: 200, pollMs: 20 });
    assert.equal(outcome, 'timed-out');
    assert.ok(Date.now() - started < 2000);
  });

  it('never creates a missing FIFO (Wireshark is gone)', async () => {
    const fifo = path.join(dir, 'gone');
    assert.equal(await failCapture(fifo, 'x', { ...collectStderr(), timeoutMs: 200 }), 'missing');
    assert.equal(fs.existsSync(fifo), false);
  });

  it('without a FIFO it only writes the line', async () => {
    const stderr = collectStderr();
    assert.equal(await failCapture(null, '--capture needs --fifo', stderr), 'no-fifo');
    assert.deepEqual(stderr.lines, ['ftpflow: --capture needs --fifo\n']);
  });
});

describe('oneLine', () => {
  it('joins lines and trims', () => assert.equal(oneLine('  a\r\n  b\n\nc  '), 'a b c'));
  it('stays under Wireshark\'s 1024-byte stderr buffer', () => {
    const long = oneLine('é'.repeat(2000));
    assert.ok(Buffer.byteLength(long) <= 1000);
    assert.ok(Buffer.byteLength(long) > 800);
  });
});
