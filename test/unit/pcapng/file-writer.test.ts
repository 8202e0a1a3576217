import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { FatalError } from '../../../src/core/errors';
import { PcapngChunkEncoder } from '../../../src/pcapng/chunk-encoder';
import {
  encodeBlock, encodeCustomOption, encodeIdb, encodeIsb, encodeShb, encodeStringOption, EPB_FLAGS, IF_NAME, SHB_USERAPPL,
} from '../../../src/pcapng/encode';
import { PcapngFileWriter } from '../../../src/pcapng/file-writer';
import type { InterfaceDesc, PcapngOption } from '../../../src/pcapng/model';
import { assertNsNear, collect, frame, hex, makeTempDir, runTool, utf8, withoutNs } from '../capture/capture-builders';

const tmp = makeTempDir();
after(() => tmp.remove());

interface Sent {
  ifaceId: number;
  tsTicks: bigint;
  data: Uint8Array;
  origLen: number;
  options: PcapngOption[] | null;
  comments: string[];
}

const T = 1_700_000_000_000_000_000n;
const flags = (v: number): PcapngOption => ({ code: EPB_FLAGS, value: Uint8Array.of(v, 0, 0, 0) });

/** Packets of assorted sizes and options; one is bigger than a 1 MiB chunk. */
function assortedPackets(): Sent[] {
  const out: Sent[] = [];
  for (let i = 0; i < 3000; i++) {
    const big = i === 1777;
    out.push({
      ifaceId: i % 2,
      tsTicks: T + BigInt(i) * 1_000_123n,
      data: frame(i, big ? 2 * 1024 * 1024 + 1 : 40 + ((i * 37) % 1460)),
      origLen: big ? 3 * 1024 * 1024 : 1514,
      options: i % 5 === 0 ? [flags(1 + (i % 2)), encodeCustomOption(2988, 32473, utf8(`n=${i}`))] : null,
      comments: i % 3 === 0 ? [`ftp-data session=S${i % 7} cmd=RETR`] : i % 3 === 1 ? [] : ['ctrl', `ünï ${i}`],
    });
  }
  return out;
}

const ifaces: InterfaceDesc[] = [
  { linkType: 1, snapLen: 262144, tsResol: 9, tsOffsetSec: 0n, options: [encodeStringOption(IF_NAME, 'eth0')] },
  { linkType: 113, snapLen: 65535, tsResol: 9, tsOffsetSec: 0n, options: [encodeStringOption(IF_NAME, 'any')] },
];

describe('PcapngFileWriter round trip through readCaptureFile', () => {
  test('sections, interfaces, 3000 packets across many chunks, an oversized packet, other blocks', () => {
    const file = tmp.file('roundtrip.pcapng');
    const sent = assortedPackets();
    const w = new PcapngFileWriter(file);
    w.writeBlock(encodeShb([encodeStringOption(SHB_USERAPPL, 'ftpflow test')]));
    for (const i of ifaces) w.writeBlock(encodeIdb(i));
    for (const p of sent.slice(0, 1500)) w.writeEpb(p.ifaceId, p.tsTicks, p.data, p.origLen, p.options, p.comments);
    w.writeBlock(encodeIsb(0, T, { ifRecv: 1500n, osDrop: 0n }));
    for (const p of sent.slice(1500)) w.writeEpb(p.ifaceId, p.tsTicks, p.data, p.origLen, p.options, p.comments);
    const custom = encodeBlock(0xbad, Uint8Array.of(0xd9, 0x7e, 0, 0, 1, 2, 3));
    w.writeBlock(custom);
    w.close();
    w.close(); // twice is harmless

    const size = fs.statSync(file).size;
    assert.ok(size > 3 * 1024 * 1024, `${size} bytes: several chunks`);
    assert.equal(w.bytesWritten, size);

    const got = collect(file);
    assert.deepEqual(got.result, { packets: 3000, format: 'pcapng', error: null });
    assert.deepEqual(got.sections, [{ section: 0, options: [{ code: SHB_USERAPPL, value: hex(utf8('ftpflow test')) }] }]);
    assert.deepEqual(got.interfaces.map((i) => i.iface), ifaces);
    assert.deepEqual(got.order.filter((t) => t !== 'P'), ['S0', 'I0.0', 'I0.1', 'B5', 'B2989']);
    assert.equal(got.order.indexOf('B5'), 3 + 1500);
    assert.deepEqual(got.others.map((o) => hex(o.body)), [hex(encodeIsb(0, T, { ifRecv: 1500n, osDrop: 0n }).subarray(8, -4)), hex(custom.subarray(8, -4))]);
    got.packets.forEach((p, i) => {
      const s = sent[i]!;
      const expectedOptions = [
        ...s.comments.map((c) => ({ code: 1, value: hex(utf8(c)) })),
        ...(s.options ?? []).map((o) => ({ code: o.code, value: hex(o.value) })),
      ];
      assert.deepEqual(withoutNs(p), {
        section: 0, ifaceId: s.ifaceId, linkType: ifaces[s.ifaceId]!.linkType, tsTicks: s.tsTicks,
        data: hex(s.data), origLen: s.origLen, options: expectedOptions.length ? expectedOptions : null,
      }, `packet ${i}`);
      assertNsNear(p.tsNs, s.tsTicks, `packet ${i}`);
    });
  });
});

describe('PcapngChunkEncoder', () => {
  /** Splits a byte run into block lengths; fails if it does not end exactly on a block boundary. */
  function blockLengths(bytes: Uint8Array): number[] {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out: number[] = [];
    let off = 0;
    while (off < b.length) {
      const len = b.readUInt32LE(off + 4);
      assert.equal(b.readUInt32LE(off + len - 4), len);
      out.push(len);
      off += len;
    }
    assert.equal(off, b.length);
    return out;
  }

  function encodeAll(enc: PcapngChunkEncoder): void {
    enc.writeBlock(encodeShb([]));
    enc.writeBlock(encodeIdb(ifaces[0]!));
    for (let i = 0; i < 40; i++) enc.writeEpb(0, BigInt(i), frame(i, 30 + i * 3), 200, null, i % 2 ? ['c'] : []);
    enc.writeBlock(encodeBlock(0xbad, new Uint8Array(600))); // bigger than a chunk
    enc.writeEpb(0, 99n, frame(99, 900), 900, null, ['big']); // bigger than a chunk
    enc.writeEpb(0, 100n, frame(100, 10), 10, null, []);
    enc.flush();
  }

  test('every hand-over holds whole blocks; reuse and hand-over modes produce the same bytes', () => {
    const reused: string[] = [];
    const reuseArrays = new Set<ArrayBufferLike>();
    encodeAll(new PcapngChunkEncoder((b) => { reused.push(hex(b)); blockLengths(b); if (b.length <= 256) reuseArrays.add(b.buffer); }, { chunkBytes: 256 }));
    const kept: Uint8Array[] = [];
    encodeAll(new PcapngChunkEncoder((b) => { kept.push(b); blockLengths(b); }, { chunkBytes: 256, handOver: true }));
    // Hand-over arrays are the sink's: later encoding must not overwrite them.
    assert.equal(kept.map(hex).join(''), reused.join(''));
    assert.equal(new Set(kept.map((k) => k.buffer)).size, kept.length);
    assert.equal(reuseArrays.size, 1, 'reuse mode writes into one chunk');
    assert.ok(reused.length > 10);
    const lengths = blockLengths(Buffer.from(reused.join(''), 'hex'));
    assert.equal(lengths.length, 2 + 40 + 3);
  });

  test('pendingBytes counts what the sink has not had yet', () => {
    const calls: number[] = [];
    const enc = new PcapngChunkEncoder((b) => calls.push(b.length), { chunkBytes: 100 });
    enc.writeBlock(encodeShb([]));
    assert.deepEqual([enc.pendingBytes, calls], [28, []]);
    enc.writeEpb(0, 0n, new Uint8Array(40), 40, null, []); // 72 bytes: 28 + 72 = 100 fits exactly
    assert.deepEqual([enc.pendingBytes, calls], [100, []]);
    enc.writeEpb(0, 0n, new Uint8Array(0), 0, null, []);
    assert.deepEqual([enc.pendingBytes, calls], [32, [100]]);
    enc.flush();
    enc.flush();
    assert.deepEqual([enc.pendingBytes, calls], [0, [100, 32]]);
  });
});

describe('output errors', () => {
  const cases = [
    { name: 'folder does not exist', path: () => tmp.file('no/such/dir/out.pcapng'), reason: 'no such file or directory' },
    { name: 'path is a folder', path: () => tmp.dir, reason: 'illegal operation on a directory' },
  ];
  for (const c of cases) {
    test(`open: ${c.name}`, () => {
      const p = c.path();
      assert.throws(() => new PcapngFileWriter(p), (err: unknown) => {
        assert.ok(err instanceof FatalError);
        assert.equal(err.code, 'E_OUTPUT');
        assert.equal(err.message, `${p}: ${c.reason}`);
        return true;
      });
    });
  }

  test('write: a full device', () => {
    const w = new PcapngFileWriter('/dev/full');
    w.writeBlock(encodeShb([])); // still in the chunk
    assert.throws(() => w.close(), (err: unknown) => err instanceof FatalError && err.code === 'E_OUTPUT' && err.message === '/dev/full: no space left on device');
  });

  test('writing after close is a bug, not silently lost data', () => {
    const w = new PcapngFileWriter(tmp.file('closed.pcapng'));
    w.close();
    assert.throws(() => w.writeEpb(0, 0n, new Uint8Array(1), 1, null, []), /written after close/);
    assert.throws(() => w.writeBlock(encodeShb([])), /written after close/);
  });
});

describe('Wireshark reads what we write', () => {
  const file = tmp.file('for-tshark.pcapng');
  const comments = [
    ['ftp-data session=S1 cmd=RETR file=a.bin'],
    [],
    ['first of two', 'second of two'],
    ['ünïcödé ✓ 😀'],
  ];
  const w = new PcapngFileWriter(file);
  w.writeBlock(encodeShb([encodeStringOption(SHB_USERAPPL, 'ftpflow-test')]));
  w.writeBlock(encodeIdb(ifaces[0]!));
  comments.forEach((c, i) => w.writeEpb(0, T + 123_456_789n + BigInt(i), frame(i, 60), 60, null, c));
  w.writeBlock(encodeIsb(0, T + 1_000_000_000n, { ifRecv: 4n, ifDrop: 0n, osDrop: 1n }));
  w.close();

  test('tshark: comments per frame and nanosecond times', () => {
    const out = runTool('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.comment']);
    assert.deepEqual(out.trimEnd().split('\n'), [
      '1700000000.123456789\tftp-data session=S1 cmd=RETR file=a.bin',
      '1700000000.123456790\t',
      '1700000000.123456791\tfirst of two,second of two',
      '1700000000.123456792\tünïcödé ✓ 😀',
    ]);
  });

  test('tshark filters on the comment', () => {
    const out = runTool('tshark', ['-r', file, '-Y', 'frame.comment contains "session=S1"', '-T', 'fields', '-e', 'frame.number']);
    assert.equal(out.trim(), '1');
  });

  test('capinfos: packet count, nanosecond precision, application, interface statistics', () => {
    const out = runTool('capinfos', [file]);
    assert.match(out, /Number of packets:\s+4\n/);
    assert.match(out, /File timestamp precision:\s+nanoseconds \(9\)/);
    assert.match(out, /Capture application:\s+ftpflow-test/);
    assert.match(out, /Encapsulation = Ethernet \(1 - ether\)/);
    assert.match(out, /Number of stat entries = 1/);
  });
});

describe('write-behind writer with gaps', () => {
  const idb: InterfaceDesc = { linkType: 1, snapLen: 65535, tsResol: 9, tsOffsetSec: 0n, options: [] };

  test('the same file as the synchronous writer, with gaps filled out of order, across many chunks and writes', async () => {
    // ~12 MB: several 2 MiB chunks, a pause() on the way; every 7th frame goes through a gap.
    const frames = Array.from({ length: 9000 }, (_, i) => ({ ticks: T + BigInt(i), data: frame(i, 200 + (i * 37) % 1300), comments: i % 3 === 0 ? [`c${i}`] : [] }));
    const syncFile = tmp.file('sync.pcapng');
    const sync = new PcapngFileWriter(syncFile);
    sync.writeBlock(encodeShb([]));
    sync.writeBlock(encodeIdb(idb));
    for (const f of frames) sync.writeEpb(0, f.ticks, f.data, f.data.length, null, f.comments);
    sync.close();

    const behindFile = tmp.file('behind.pcapng');
    const w = new PcapngFileWriter(behindFile, { writeBehind: true });
    w.writeBlock(encodeShb([]));
    w.writeBlock(encodeIdb(idb));
    const open: { gap: ReturnType<PcapngFileWriter['openGap']>; i: number }[] = [];
    for (const [i, f] of frames.entries()) {
      if (i % 7 === 0) open.push({ gap: w.openGap(), i });
      else w.writeEpb(0, f.ticks, f.data, f.data.length, null, f.comments);
      // Fill gaps late and newest first: the output must still be in frame order.
      if (open.length === 5 || i === frames.length - 1) {
        for (const g of open.reverse()) w.fillGap(g.gap, 0, frames[g.i]!.ticks, frames[g.i]!.data, frames[g.i]!.data.length, null, frames[g.i]!.comments);
        open.length = 0;
      }
      const wait = w.pause();
      if (wait) await wait;
    }
    await w.closeAsync();
    assert.equal(fs.readFileSync(behindFile).equals(fs.readFileSync(syncFile)), true);
    assert.equal(w.bytesWritten, fs.statSync(syncFile).size);
  });

  test('a gap never filled is a bug: closeAsync says so', async () => {
    const w = new PcapngFileWriter(tmp.file('unfilled.pcapng'), { writeBehind: true });
    w.writeBlock(encodeShb([]));
    w.openGap();
    w.writeBlock(encodeIdb(idb));
    await assert.rejects(w.closeAsync(), /output gap never filled/);
  });

  test('a full device: one FatalError, from pause() or closeAsync()', async () => {
    const w = new PcapngFileWriter('/dev/full', { writeBehind: true });
    w.writeBlock(encodeShb([]));
    await assert.rejects(w.closeAsync(), (err: unknown) => err instanceof FatalError && err.code === 'E_OUTPUT' && err.message === '/dev/full: no space left on device');
  });
});
