/**
 * The engine's fast path (FtpTracker.processDataFast, for packets of data connections already tracked)
 * must give exactly what the full path gives: the same connection for every frame, the same byte counts.
 * Checked on every generated case and every golden recording, against an engine driven only through
 * decodeFrame + FtpTracker.process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCaptureFile } from '../../../src/capture/file-reader';
import { parsePortList } from '../../../src/core/port-list';
import { decodeFrame } from '../../../src/decode/decode-frame';
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

/** Per frame: which connection (kind and ordinal); at the end: each data connection's byte counts. */
function run(file: string, opts: EngineOptions, fullPathOnly: boolean): { frames: string[]; bytes: string[]; fast: number } {
  const engine = new Engine(opts);
  let fast = 0;
  const viaFast = engine.tracker.processDataFast.bind(engine.tracker);
  engine.tracker.processDataFast = (ts, p) => {
    const c = viaFast(ts, p);
    if (c) fast++;
    return c;
  };
  const frames: string[] = [];
  const seen = new Set<Connection>();
  let n = 0;
  readCaptureFile(file, {
    onSection() {}, onInterface() {}, onOtherBlock() {},
    onPacket(p) {
      n++;
      let conn: Connection | null;
      if (fullPathOnly) {
        const d = decodeFrame(p.linkType, p.data);
        conn = d.kind === 'tcp' ? engine.tracker.process(n, p.tsNs, d) : null;
      } else {
        conn = engine.classify(n, p.tsNs, p.linkType, p.data);
      }
      if (conn) seen.add(conn);
      frames.push(conn ? `${conn.kind}#${conn.ordinal}` : '-');
    },
  });
  engine.finish();
  const bytes = [...seen].filter((c) => c.kind === 'data').map((c) => c.kind === 'data' ? `#${c.ordinal} ${c.toListener.bytes} ${c.toConnector.bytes}` : '');
  return { frames, bytes, fast };
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
      const full = run(c.file, opts, true);
      const withFast = run(c.file, opts, false);
      assert.deepEqual(withFast.frames, full.frames, c.file);
      assert.deepEqual(withFast.bytes, full.bytes, c.file);
      fastFrames += withFast.fast;
      allFrames += withFast.frames.length;
    }
    // Not a vacuous pass: the fast path must have taken a real share of the frames.
    assert.ok(fastFrames > allFrames / 10, `fast path took ${fastFrames} of ${allFrames} frames`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
