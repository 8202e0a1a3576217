/**
 * The engine's fast path (FtpTracker.processFast: packets of data connections already tracked, bare ACKs
 * of control connections)
 * must give exactly what the full path gives: the same connection for every frame, the same byte counts.
 * Checked on every generated case and every golden recording, against an engine driven only through
 * decodeFrame + FtpTracker.process; and so must classifyAt, which reads a frame inside a reader's buffer by
 * offsets (whole frames and frames cut short, between junk bytes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCaptureFile } from '../../../src/capture/file-reader';
import { parsePortList } from '../../../src/core/port-list';
import { decodeFrame } from '../../../src/decode/decode-frame';
import { formatComment } from '../../../src/annotate/format';
import type { Connection } from '../../../src/ftp/connections';
import { Engine, type EngineOptions } from '../../../src/pipeline/engine';
import { tempDir, writeAllCases } from '../../fixtures/gen/generate';
import { repoPath } from '../../helpers/paths';

function engineOptions(cliOptions: readonly string[]): EngineOptions {
  const at = cliOptions.indexOf('--control-ports');
  const ports = parsePortList(at >= 0 ? cliOptions[at + 1]! : '21');
  if (typeof ports === 'string') throw new Error(ports);
  return { controlPorts: ports, detectControl: cliOptions.includes('--detect-control') };
}

/**
 * How each frame reaches the engine: through decodeFrame + process only ('full'), through classify with
 * the frame's own view ('view'), or through classifyAt with the frame inside a larger buffer, between
 * bytes that look like IPv4/TCP headers, so that a read past the frame's end would change the answer ('inside').
 */
type Route = 'full' | 'view' | 'inside';

const JUNK = 0x45;

function placeInside(data: Uint8Array, before: number): { buffer: Uint8Array; offset: number } {
  const buffer = new Uint8Array(before + data.length + 96).fill(JUNK);
  buffer.set(data, before);
  return { buffer, offset: before };
}

/**
 * Per frame: which connection (kind and ordinal) and that connection's final comment (so the state the
 * fast path keeps, reassembly included, shows); at the end: each data connection's byte counts, and the
 * tracker's counters (decode counters differ by route: the full route bypasses classify).
 */
function run(file: string, opts: EngineOptions, route: Route, cut = false): { frames: string[]; bytes: string[]; counters: string; fast: number } {
  const engine = new Engine(opts);
  let fast = 0;
  const viaFast = engine.tracker.processFast.bind(engine.tracker);
  engine.tracker.processFast = (frameNo, ts, p) => {
    const c = viaFast(frameNo, ts, p);
    if (c) fast++;
    return c;
  };
  const frameConns: (Connection | null)[] = [];
  const seen = new Set<Connection>();
  let n = 0;
  readCaptureFile(file, {
    onSection() {}, onInterface() {}, onOtherBlock() {},
    onPacket(p) {
      n++;
      let conn: Connection | null;
      // `cut`: every 7th frame loses its tail (a snaplen), the same way on every route.
      const data = cut && n % 7 === 0 ? p.data.subarray(0, (n * 13) % (p.data.length + 1)) : p.data;
      if (route === 'full') {
        const d = decodeFrame(p.linkType, data);
        conn = d.kind === 'tcp' ? engine.tracker.process(n, p.tsNs, d) : null;
      } else if (route === 'view') {
        conn = engine.classify(n, p.tsNs, p.linkType, data);
      } else {
        const { buffer, offset } = placeInside(data, 1 + (n % 5));
        conn = engine.classifyAt(n, p.tsNs, p.linkType, buffer, offset, data.length);
      }
      if (conn) seen.add(conn);
      frameConns.push(conn);
    },
  });
  engine.finish();
  const frames = frameConns.map((c) => (c ? `${c.kind}#${c.ordinal} ${formatComment(c)}` : '-'));
  const bytes = [...seen].filter((c) => c.kind === 'data').map((c) => c.kind === 'data' ? `#${c.ordinal} ${c.toListener.bytes} ${c.toConnector.bytes}` : '');
  const counters = JSON.stringify(Object.entries(engine.counters.snapshot()).filter(([k]) => !k.startsWith('decode.')));
  return { frames, bytes, counters, fast };
}

test('fast path and full path agree on every generated case and golden recording', () => {
  const dir = tempDir('fast-path');
  try {
    const captures = writeAllCases(dir).map((c) => ({ file: c.capturePath, options: c.options }));
    const goldenDir = repoPath('test', 'golden');
    for (const name of fs.readdirSync(goldenDir)) {
      const truthFile = path.join(goldenDir, name, 'truth.json');
      if (!fs.existsSync(truthFile)) continue;
      const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8')) as { capture: string; ftpflow_options?: string[] };
      captures.push({ file: path.join(goldenDir, name, truth.capture), options: truth.ftpflow_options ?? [] });
    }
    assert.ok(captures.length >= 50, `only ${captures.length} captures`);
    let fastFrames = 0;
    let allFrames = 0;
    for (const c of captures) {
      const opts = engineOptions(c.options);
      const full = run(c.file, opts, 'full');
      const withFast = run(c.file, opts, 'view');
      assert.deepEqual(withFast.frames, full.frames, c.file);
      assert.deepEqual(withFast.bytes, full.bytes, c.file);
      assert.equal(withFast.counters, full.counters, c.file);
      const inside = run(c.file, opts, 'inside');
      assert.deepEqual(inside.frames, full.frames, `${c.file} (frames inside a larger buffer)`);
      assert.deepEqual(inside.bytes, full.bytes, `${c.file} (frames inside a larger buffer)`);
      const cutFull = run(c.file, opts, 'full', true);
      const cutInside = run(c.file, opts, 'inside', true);
      assert.deepEqual(cutInside.frames, cutFull.frames, `${c.file} (cut frames inside a larger buffer)`);
      assert.deepEqual(cutInside.bytes, cutFull.bytes, `${c.file} (cut frames inside a larger buffer)`);
      fastFrames += withFast.fast;
      allFrames += withFast.frames.length;
    }
    // Not a vacuous pass: the fast path must have taken a real share of the frames.
    assert.ok(fastFrames > allFrames / 10, `fast path took ${fastFrames} of ${allFrames} frames`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
