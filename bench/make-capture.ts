/**
 * Builds the benchmark's big captures from a seed capture: ≥ 1 M packets and ≥ 5,000 FTP sessions
 * (bench/out/ftp-1x.pcap) and one twice that size (ftp-2x.pcap), each with a .json beside it saying
 * what it holds (packets, sessions, data connections) so the benchmark can check ftpflow's answer.
 *
 * The seed is `--seed FILE` (e.g. a golden capture), or one recorded here on loopback and kept in
 * bench/out/seed/ (see record-seed.ts). Files that already match the seed and options are reused.
 *
 * Time line: the seed's times are stretched (--stretch 200: loopback sessions of 4-18 ms last 1-4 s, as
 * over a WAN) and a copy starts every 1/--copies-per-second s (8: 32 sessions/s), so ~160 copies are
 * under way at once and the 1× file spans ~5 minutes of packet time. The 2× file has the same rate and twice the span: what stays in memory should
 * depend on the rate, not on the length of the file. (A file that packs everything into a few seconds
 * keeps every connection inside ftpflow's 30 s closed-connection linger.)
 *
 *   node dist/bench/make-capture.js [--seed FILE [--seed-control-port 21]] [--record]
 *        [--packets 1000000] [--min-sessions 5000] [--stretch 200] [--copies-per-second 8]
 *        [--mss 1460] [--force] [--out-dir bench/out]
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { repoPath } from '../test/helpers/paths';
import { PcapStreamWriter, readSeedCapture } from './capture-io';
import { recordSeed } from './record-seed';
import { replicate } from './replicate';
import { buildSeedModel, type SeedModel } from './seed-model';

/** Bump when the output for the same seed and options changes. */
const GENERATOR_VERSION = 2;
const OUTPUT_CONTROL_PORT = 21;

export interface MakeOptions {
  seed: string | null;
  seedControlPort: number;
  record: boolean;
  packets: number;
  minSessions: number;
  stretch: number;
  copiesPerSecond: number;
  mss: number;
  force: boolean;
  outDir: string;
}

export const DEFAULT_MAKE_OPTIONS: MakeOptions = {
  seed: null,
  seedControlPort: 21,
  record: false,
  packets: 1_000_000,
  minSessions: 5_000,
  stretch: 200,
  copiesPerSecond: 8,
  mss: 1460,
  force: false,
  outDir: repoPath('bench', 'out'),
};

/** What a built capture holds: written beside it as JSON and read back by the benchmark. */
export interface CaptureInfo {
  generator: number;
  file: string;
  scale: number;
  packets: number;
  bytes: number;
  copies: number;
  sessions: number;
  dataConnections: number;
  durationSeconds: number;
  gapUs: number;
  /** About how many copies (so sessions) are under way at once. */
  overlap: number;
  seed: {
    file: string; sha256: string; controlPort: number; packets: number; sessions: number; dataConnections: number;
    setups: number; skippedFrames: number; resegmented: number;
  };
  options: { packets: number; minSessions: number; stretch: number; copiesPerSecond: number; mss: number; controlPort: number };
}

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

interface SeedChoice { file: string; controlPort: number }

/** The seed to use: the one given, else the recorded one in bench/out/seed/ (recorded now if missing). */
async function chooseSeed(o: MakeOptions, log: (s: string) => void): Promise<SeedChoice> {
  if (o.seed) return { file: path.resolve(o.seed), controlPort: o.seedControlPort };
  const file = path.join(o.outDir, 'seed', 'seed-lo.pcapng');
  const about = path.join(o.outDir, 'seed', 'seed-lo.json');
  if (!o.record && fs.existsSync(file) && fs.existsSync(about)) {
    const meta = JSON.parse(fs.readFileSync(about, 'utf8')) as { controlPort: number };
    return { file, controlPort: meta.controlPort };
  }
  log('recording a seed: pyftpdlib on 127.0.0.1, curl from 127.0.0.2 (EPSV, PASV, PORT, EPRT), dumpcap on lo');
  const rec = await recordSeed(file);
  fs.writeFileSync(about, `${JSON.stringify({ controlPort: rec.controlPort, sessions: rec.sessions, transfers: rec.transfers }, null, 2)}\n`);
  return { file, controlPort: rec.controlPort };
}

function loadSeed(choice: SeedChoice, o: MakeOptions): SeedModel {
  const read = readSeedCapture(choice.file);
  if (read.kind === 'bad') throw new Error(read.reason);
  const built = buildSeedModel(read.frames, { controlPort: choice.controlPort, mss: o.mss });
  if (built.kind === 'bad') throw new Error(`${choice.file}: ${built.reason}`);
  const m = built.model;
  if (m.sessions === 0) throw new Error(`${choice.file}: no control connection on port ${choice.controlPort} (--seed-control-port?)`);
  return m;
}

function infoPath(pcap: string): string {
  return pcap.replace(/\.pcap$/, '.json');
}

function readInfo(pcap: string): CaptureInfo | null {
  try {
    if (!fs.existsSync(pcap)) return null;
    return JSON.parse(fs.readFileSync(infoPath(pcap), 'utf8')) as CaptureInfo;
  } catch {
    return null;
  }
}

/** Makes ftp-1x.pcap and ftp-2x.pcap (or the scales asked for) unless matching ones exist; returns what each holds. */
export async function ensureCaptures(
  o: MakeOptions, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`), scales: readonly number[] = [1, 2],
): Promise<CaptureInfo[]> {
  fs.mkdirSync(o.outDir, { recursive: true });
  const choice = await chooseSeed(o, log);
  const seedHash = sha256(choice.file);
  const wanted = {
    packets: o.packets, minSessions: o.minSessions, stretch: o.stretch, copiesPerSecond: o.copiesPerSecond, mss: o.mss,
    controlPort: OUTPUT_CONTROL_PORT,
  };
  let seed: SeedModel | null = null;
  const infos: CaptureInfo[] = [];
  for (const scale of scales) {
    const file = path.join(o.outDir, `ftp-${scale}x.pcap`);
    const old = readInfo(file);
    if (!o.force && old && old.generator === GENERATOR_VERSION && old.seed.sha256 === seedHash
      && JSON.stringify(old.options) === JSON.stringify(wanted) && fs.statSync(file).size === old.bytes) {
      infos.push(old);
      continue;
    }
    seed ??= loadSeed(choice, o);
    const copies = scale * Math.max(Math.ceil(o.packets / seed.packets.length), Math.ceil(o.minSessions / seed.sessions));
    log(`writing ${file}: ${copies} copies of ${seed.packets.length} packets (${seed.sessions} sessions, ${seed.dataConnections} data connections each)`);
    const started = Date.now();
    const tmp = `${file}.part`;
    const writer = new PcapStreamWriter(tmp, seed.linkType);
    const r = replicate(seed, { copies, stretch: o.stretch, copiesPerSecond: o.copiesPerSecond, controlPort: OUTPUT_CONTROL_PORT }, writer);
    writer.close();
    fs.renameSync(tmp, file);
    const info: CaptureInfo = {
      generator: GENERATOR_VERSION,
      file,
      scale,
      packets: writer.packets,
      bytes: fs.statSync(file).size,
      copies,
      sessions: copies * seed.sessions,
      dataConnections: copies * seed.dataConnections,
      durationSeconds: (r.lastUs - r.firstUs) / 1e6,
      gapUs: r.gapUs,
      overlap: Math.round(r.overlap * 10) / 10,
      seed: {
        file: choice.file, sha256: seedHash, controlPort: choice.controlPort, packets: seed.packets.length,
        sessions: seed.sessions, dataConnections: seed.dataConnections, setups: seed.setups,
        skippedFrames: seed.skipped, resegmented: seed.resegmented,
      },
      options: wanted,
    };
    fs.writeFileSync(infoPath(file), `${JSON.stringify(info, null, 2)}\n`);
    log(`  ${info.packets} packets, ${(info.bytes / 1e6).toFixed(0)} MB, ${info.sessions} sessions over ${info.durationSeconds.toFixed(0)} s `
      + `of packet time (~${info.overlap} copies at once), written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    infos.push(info);
  }
  return infos;
}

/** Command-line options shared with the benchmark. */
export const MAKE_ARG_SPEC = {
  seed: { type: 'string' },
  'seed-control-port': { type: 'string' },
  record: { type: 'boolean' },
  packets: { type: 'string' },
  'min-sessions': { type: 'string' },
  stretch: { type: 'string' },
  'copies-per-second': { type: 'string' },
  mss: { type: 'string' },
  force: { type: 'boolean' },
  'out-dir': { type: 'string' },
} as const;

export function makeOptionsFrom(values: Record<string, string | boolean | undefined>): MakeOptions {
  const num = (name: string, dflt: number, min: number): number => {
    const v = values[name];
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer ≥ ${min}, got ${String(v)}`);
    return n;
  };
  const d = DEFAULT_MAKE_OPTIONS;
  return {
    seed: typeof values.seed === 'string' ? values.seed : null,
    seedControlPort: num('seed-control-port', d.seedControlPort, 1),
    record: values.record === true,
    packets: num('packets', d.packets, 1),
    minSessions: num('min-sessions', d.minSessions, 0),
    stretch: num('stretch', d.stretch, 1),
    copiesPerSecond: num('copies-per-second', d.copiesPerSecond, 1),
    mss: num('mss', d.mss, 100),
    force: values.force === true,
    outDir: typeof values['out-dir'] === 'string' ? path.resolve(values['out-dir']) : d.outDir,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: MAKE_ARG_SPEC, strict: true });
  const infos = await ensureCaptures(makeOptionsFrom(values));
  for (const i of infos) {
    process.stdout.write(`${i.file}: ${i.packets} packets, ${i.sessions} sessions, ${i.dataConnections} data connections, ${(i.bytes / 1e6).toFixed(0)} MB\n`);
  }
  return 0;
}

if (require.main === module) {
  main().then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`make-capture: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
