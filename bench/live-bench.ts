/**
 * The live benchmark (`npm run bench:live`, needs root): real FTP traffic replayed onto a veth pair at fixed
 * packet rates, captured at the same time by the ftpflow extcap (libpcap, engine, delay line, pcapng into a
 * FIFO that this program reads) and by dumpcap (into a file), on the receiving end of the veth.
 *
 * Traffic: the seed bench/make-capture.ts records once (curl against Debian's pyftpdlib on loopback: EPSV,
 * PASV, PORT, EPRT) replicated with rewritten addresses and ports into bench/out/live/ftp-1x.pcap, many
 * sessions overlapping. bench/replay-sender.py sends its first N frames from the other namespace through an
 * AF_PACKET socket at each rate. The frames' destination MAC is not the receiver's, so the receiving stack
 * drops them after the capture taps: nothing answers, nothing is routed anywhere.
 *
 * Per rate it prints: frames the sender sent and the veth received; ftpflow's packets written, kernel drops
 * (ISB ifdrop), queue drops (ISB osdrop) and its bounded queue's high-water mark against its cap; dumpcap's
 * packets captured and dropped. Results also go to bench/out/live/results.json.
 *
 *   node dist/bench/live-bench.js [--rates 10000,50000,100000,150000] [--seconds 3] [--max-packets 600000]
 *        [--buffer-size 16] [--lookahead 1] [--keep]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { createNetnsPair, inNs, type NetnsPair } from '../test/helpers/netns-pair';
import { repoPath } from '../test/helpers/paths';
import { compiledRoot } from '../test/e2e/wireshark-tools';
import { DEFAULT_MAKE_OPTIONS, ensureCaptures } from './make-capture';
import { PcapngTallier, type PcapngTally } from './pcapng-tally';

const PYTHON = '/usr/bin/python3';
/** After the last frame: longer than the look-ahead plus a read time-out, so every frame has left ftpflow. */
const SETTLE_MS = 2500;
const READY_MS = 20_000;
const STOP_MS = 15_000;

interface Options {
  rates: number[];
  seconds: number;
  maxPackets: number;
  bufferSizeMiB: number;
  lookahead: number;
  /** Keep the work folder (extcap logs) instead of removing it. */
  keep: boolean;
}

interface SenderResult { frames: number; sent: number; errors: number; seconds: number; pps: number }

interface RateResult {
  rate: number;
  sender: SenderResult;
  /** rx_packets of the receiving veth during the run (what reached the capture taps). */
  arrived: number;
  ftpflow: {
    written: number;
    kernelDrop: number | null;
    queueDrop: number | null;
    ifRecv: number | null;
    dataPackets: number;
    dataWithoutCmd: number;
    queuePeakBytes: number | null;
    queueCapBytes: number | null;
    heldPeakFrames: number | null;
    heldCapFrames: number | null;
    backend: string | null;
    counters: Record<string, number>;
    error: string | null;
  };
  dumpcap: { captured: number | null; received: number | null; dropped: number | null };
  loadAverage: number;
  /** CPU used from the first frame sent to the end of the settle time, as a share of one core. */
  cpu: { seconds: number; extcap: number | null; dumpcap: number | null; reader: number };
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      rates: { type: 'string', default: '10000,50000,100000,150000' },
      seconds: { type: 'string', default: '3' },
      'max-packets': { type: 'string', default: '600000' },
      'buffer-size': { type: 'string', default: '16' },
      lookahead: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
    },
  });
  const rates = String(values.rates).split(',').map(Number);
  if (rates.some((r) => !Number.isInteger(r) || r < 100 || r > 1_000_000)) throw new Error(`bad --rates ${values.rates}`);
  const o = {
    rates,
    seconds: Number(values.seconds),
    maxPackets: Number(values['max-packets']),
    bufferSizeMiB: Number(values['buffer-size']),
    lookahead: Number(values.lookahead),
    keep: values.keep === true,
  };
  if (!(o.seconds > 0 && o.seconds <= 60)) throw new Error('--seconds must be in (0, 60]');
  if (!(Number.isInteger(o.maxPackets) && o.maxPackets > 0 && o.maxPackets <= 2_000_000)) throw new Error('--max-packets must be 1..2000000');
  return o;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Resolves when the child has exited; SIGKILL after `timeoutMs`. */
function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Runs the replay sender and parses its JSON line; bounded by `timeoutMs` (SIGKILL). */
function runSender(cmd: string, args: string[], timeoutMs: number): Promise<SenderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`sender failed (${code}): ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as SenderResult);
    });
  });
}

function rxPackets(ns: string, ifname: string): number {
  const r = spawnSync('ip', ['-n', ns, '-s', '-j', 'link', 'show', ifname], { encoding: 'utf8', timeout: 10_000 });
  const parsed = JSON.parse(r.stdout) as { stats64?: { rx?: { packets?: number } } }[];
  return parsed[0]?.stats64?.rx?.packets ?? 0;
}

/** CPU seconds (user + system) a process has used so far; null when it is gone. Linux clock ticks are 1/100 s. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function runRate(pair: NetnsPair, replay: string, o: Options, rate: number, count: number, work: string): Promise<RateResult> {
  const cap = pair.client;
  const fifo = path.join(work, `ftpflow-${rate}.fifo`);
  const log = path.join(work, `ftpflow-${rate}.log`);
  const dumpFile = path.join(work, `dumpcap-${rate}.pcapng`);
  spawnSync('mkfifo', [fifo]);

  // Reader of the extcap's FIFO: counts blocks as they come, like Wireshark's dumpcap would read them.
  const tallier = new PcapngTallier();
  const reader = fs.createReadStream(fifo, { highWaterMark: 1 << 20 });
  reader.on('data', (c) => tallier.push(c as Buffer));
  const readerDone = new Promise<void>((r) => { reader.once('close', () => r()); reader.once('error', () => r()); });

  const [ecmd, eargs] = inNs(cap.ns, repoPath('extcap', 'ftpflow'), ['--capture', '--extcap-interface', `ftpflow-${cap.ifname}`,
    '--fifo', fifo, '--log-file', log, '--log-level', 'info', '--buffer-size', String(o.bufferSizeMiB),
    '--lookahead', String(o.lookahead)]);
  const extcap = spawn(ecmd, eargs, { env: { ...process.env, FTPFLOW_DIST: compiledRoot() }, stdio: ['ignore', 'ignore', 'pipe'] });
  let extcapErr = '';
  extcap.stderr?.on('data', (d: Buffer) => (extcapErr += d.toString()));

  const [dcmd, dargs] = inNs(cap.ns, 'dumpcap', ['-i', cap.ifname, '-w', dumpFile]);
  const dumpcap = spawn(dcmd, dargs, { stdio: ['ignore', 'ignore', 'pipe'] });
  let dumpErr = '';
  dumpcap.stderr?.on('data', (d: Buffer) => (dumpErr += d.toString()));

  try {
    await waitFor('the extcap to capture', () => /capturing with/.test(readText(log)) || extcap.exitCode !== null, READY_MS);
    if (extcap.exitCode !== null) throw new Error(`the extcap ended: ${extcapErr}${readText(log)}`);
    await waitFor('dumpcap to capture', () => /Capturing on/.test(dumpErr), READY_MS);
    await sleep(500);

    const loadAverage = os.loadavg()[0] ?? 0;
    const rx0 = rxPackets(cap.ns, cap.ifname);
    const cpu0 = { extcap: cpuSeconds(extcap.pid), dumpcap: cpuSeconds(dumpcap.pid), reader: process.cpuUsage() };
    const t0 = Date.now();
    const [scmd, sargs] = inNs(pair.server.ns, PYTHON, [repoPath('bench', 'replay-sender.py'), '--iface', pair.server.ifname,
      '--pcap', replay, '--count', String(count), '--pps', String(rate), '--max-seconds', String(Math.ceil(count / rate) * 3 + 10)]);
    // Not spawnSync: this process reads the extcap's FIFO meanwhile, as Wireshark's dumpcap would.
    const sender = await runSender(scmd, sargs, Math.ceil(count / rate) * 3_000 + 60_000);
    await sleep(SETTLE_MS);
    const arrived = rxPackets(cap.ns, cap.ifname) - rx0;
    const wall = (Date.now() - t0) / 1000;
    const share = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : (b - a) / wall);
    const readerCpu = process.cpuUsage(cpu0.reader);
    const cpu = {
      seconds: wall,
      extcap: share(cpu0.extcap, cpuSeconds(extcap.pid)),
      dumpcap: share(cpu0.dumpcap, cpuSeconds(dumpcap.pid)),
      reader: (readerCpu.user + readerCpu.system) / 1e6 / wall,
    };

    extcap.kill('SIGTERM');
    await exited(extcap, STOP_MS);
    await Promise.race([readerDone, sleep(5000)]);
    dumpcap.kill('SIGINT');
    await exited(dumpcap, STOP_MS);

    return { rate, sender, arrived, ftpflow: ftpflowFigures(tallier.tally, readText(log), extcapErr), dumpcap: dumpcapFigures(dumpErr), loadAverage, cpu };
  } finally {
    if (extcap.exitCode === null) extcap.kill('SIGKILL');
    if (dumpcap.exitCode === null) dumpcap.kill('SIGKILL');
    reader.destroy();
    for (const f of [fifo, dumpFile]) fs.rmSync(f, { force: true });
  }
}

function ftpflowFigures(t: PcapngTally, log: string, stderr: string): RateResult['ftpflow'] {
  const peak = /queue peak (\d+)\/(\d+) bytes, (\d+)\/(\d+) frames/.exec(log);
  const counters = /stopped: .*; (\{.*\})\s*$/m.exec(log);
  const num = (v: bigint | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    written: t.packets,
    kernelDrop: num(t.lastIsb?.ifDrop),
    queueDrop: num(t.lastIsb?.osDrop),
    ifRecv: num(t.lastIsb?.ifRecv),
    dataPackets: t.dataPackets,
    dataWithoutCmd: t.dataWithoutCmd,
    queuePeakBytes: peak ? Number(peak[1]) : null,
    queueCapBytes: peak ? Number(peak[2]) : null,
    heldPeakFrames: peak ? Number(peak[3]) : null,
    heldCapFrames: peak ? Number(peak[4]) : null,
    backend: /capturing with (\w+)/.exec(log)?.[1] ?? null,
    counters: counters ? (JSON.parse(counters[1] as string) as Record<string, number>) : {},
    error: t.error ?? (stderr.trim() === '' ? null : stderr.trim()),
  };
}

function dumpcapFigures(stderr: string): RateResult['dumpcap'] {
  const captured = /Packets captured: (\d+)/.exec(stderr);
  const rd = /Packets received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(stderr);
  return { captured: captured ? Number(captured[1]) : null, received: rd ? Number(rd[1]) : null, dropped: rd ? Number(rd[2]) : null };
}

function printTable(results: RateResult[]): void {
  const head = ['rate/s', 'sent', 'achieved/s', 'arrived', 'ftpflow written', 'kernel drop', 'queue drop', 'missing',
    'data w/o cmd', 'queue peak / cap (MiB)', 'held peak / cap', 'ftpflow cpu', 'dumpcap captured', 'dumpcap drop', 'missing',
    'dumpcap cpu', 'load'];
  const mib = (b: number | null): string => (b === null ? '?' : (b / 1048576).toFixed(1));
  const pct = (v: number | null): string => (v === null ? '?' : `${Math.round(v * 100)}%`);
  const rows = results.map((r) => [
    r.rate, r.sender.sent, r.sender.pps, r.arrived,
    r.ftpflow.written, r.ftpflow.kernelDrop ?? '?', r.ftpflow.queueDrop ?? '?', r.arrived - r.ftpflow.written,
    `${r.ftpflow.dataWithoutCmd}/${r.ftpflow.dataPackets}`,
    `${mib(r.ftpflow.queuePeakBytes)} / ${mib(r.ftpflow.queueCapBytes)}`, `${r.ftpflow.heldPeakFrames ?? '?'} / ${r.ftpflow.heldCapFrames ?? '?'}`,
    pct(r.cpu.extcap),
    r.dumpcap.captured ?? '?', r.dumpcap.dropped ?? '?', r.dumpcap.captured === null ? '?' : r.arrived - r.dumpcap.captured,
    pct(r.cpu.dumpcap), r.loadAverage.toFixed(2),
  ].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i] as number)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    console.error('live-bench: needs root (network namespaces, live capture)');
    return 2;
  }
  const counts = o.rates.map((r) => Math.min(o.maxPackets, Math.round(r * o.seconds)));
  const need = Math.max(...counts);
  const outDir = repoPath('bench', 'out', 'live');
  const log = (s: string): void => void process.stderr.write(`live-bench: ${s}\n`);
  const [info] = await ensureCaptures({ ...DEFAULT_MAKE_OPTIONS, packets: need, minSessions: 1, outDir }, log, [1]);
  if (!info) throw new Error('no replay capture');
  log(`replaying ${info.file}: ${info.packets} packets, ${info.sessions} sessions, ${info.dataConnections} data connections`);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-live-bench-'));
  const pair = createNetnsPair({ tag: 'lb', subnet: 211, noIpv6: true });
  const results: RateResult[] = [];
  try {
    for (let i = 0; i < o.rates.length; i++) {
      const rate = o.rates[i] as number;
      log(`rate ${rate}/s: ${counts[i]} packets`);
      results.push(await runRate(pair, path.join(outDir, path.basename(info.file)), o, rate, counts[i] as number, work));
    }
  } finally {
    pair.remove();
    if (o.keep) log(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
  printTable(results);
  const file = path.join(outDir, 'results.json');
  fs.writeFileSync(file, `${JSON.stringify({ when: new Date().toISOString(), cpus: os.cpus().length, options: o, replay: info, results }, null, 2)}\n`);
  log(`results in ${file}`);
  return 0;
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(`live-bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
