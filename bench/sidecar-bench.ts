/**
 * Sidecar benchmark: 10 000 concurrent FTP control sessions held by the sidecar, each logged in with a
 * pending PASV announcement, fed as real frames into the daemon's own engine (SidecarCore), served on a
 * real Unix socket. Reports the resident memory and how long a new extcap client waits for the whole
 * snapshot (connect, Hello, every part decoded and verified).
 *
 *   npm run bench:sidecar     (node --expose-gc dist/bench/sidecar-bench.js [--sessions N] [--runs N] [--json])
 *
 * The snapshot time is measured by a separate Node process per run (connect → Hello → last part decoded), as
 * an extcap would see it; its start-up time is not counted. RSS is the sidecar process's, after a GC when
 * --expose-gc is given.
 *
 * Targets (issue 4): snapshot to a new client in under 1 s, RSS under 200 MB. Exit 1 when one is missed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openLog } from '../src/core/log-file';
import { SidecarCore } from '../src/sidecar/core';
import { SidecarServer } from '../src/sidecar/server';
import { Counters } from '../src/core/counters';
import { FrameClock, FtpControl } from '../test/unit/sidecar/frames';

const SNAPSHOT_TARGET_MS = 1000;
const RSS_TARGET_MB = 200;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isInteger(v) || v < 1 || v > 1_000_000) throw new Error(`${name} wants a whole number, 1-1000000`);
  return v;
}

/** The n-th client address: 10.x.y.z, distinct for up to 16 million sessions. */
function clientIp(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${(n & 255) || 1}`;
}

/** Runs a fresh Node process that connects as an extcap and times Hello → last snapshot part. */
function clientInChild(sock: string): Promise<{ ms: number; parts: number; sessions: number; expectations: number }> {
  const viewer = path.join(__dirname, '..', 'src', 'sidecar', 'viewer.js');
  const script = `
    const { fetchSnapshot } = require(${JSON.stringify(viewer)});
    const s = process.hrtime.bigint();
    fetchSnapshot({ kind: 'unix', path: ${JSON.stringify(sock)} }, 30000, 'extcap', 'ftpflow bench').then((r) => {
      const ms = Number(process.hrtime.bigint() - s) / 1e6;
      if (r.kind !== 'snapshot') { console.error(r.why); process.exit(1); }
      console.log(JSON.stringify({ ms, parts: r.parts, sessions: r.sessions.length, expectations: r.expectations.length }));
    });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`client: ${err.trim() || `exit ${code}`}`));
      resolve(JSON.parse(out) as { ms: number; parts: number; sessions: number; expectations: number });
    });
  });
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function main(): Promise<number> {
  const sessions = arg('--sessions', 10_000);
  const runs = arg('--runs', 5);
  const json = process.argv.includes('--json');
  const rssStart = process.memoryUsage().rss;

  const core = new SidecarCore({ controlPorts: new Set([21]), detectControl: false });
  const clock = new FrameClock();
  const t0 = process.hrtime.bigint();
  let frames = 0;
  for (let i = 0; i < sessions; i++) {
    const ctl = new FtpControl(clock, { ip: clientIp(i), port: 20000 + (i % 40000) }, { ip: '192.0.2.21', port: 21 });
    const all = [...ctl.open('220 bench FTP'), ...ctl.login(`user${i}`, 'bench-password'), ...ctl.pasv('192.0.2.21', 30000 + (i % 30000)),
      ctl.cmd(`RETR /data/file-${i}.bin`)];
    for (const f of all) core.feed(f.ts, f.linkType, f.data);
    frames += all.length;
  }
  const feedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (core.state.sessionCount !== sessions) throw new Error(`sidecar holds ${core.state.sessionCount} sessions, not ${sessions}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-bench-'));
  fs.chmodSync(dir, 0o700);
  const sock = path.join(dir, 'sidecar.sock');
  const server = new SidecarServer({ kind: 'unix', path: sock }, 0o600, {
    snapshotParts: () => core.state.snapshotParts(),
    reserveIds: (n) => core.ids.reserve(n),
    raiseIds: (n) => core.ids.raiseTo(n),
    subscribe: (l) => core.subscribe(l),
  }, openLog(null, 'message'), new Counters(), { software: 'ftpflow bench', instance: 'bench' });
  await server.listen();
  const times: number[] = [];
  let parts = 0;
  let got = { sessions: 0, expectations: 0 };
  try {
    for (let r = 0; r < runs; r++) {
      // The client is another process, as an extcap is: its decoded copy must not count in the sidecar's RSS.
      const res = await clientInChild(sock);
      times.push(res.ms);
      parts = res.parts;
      got = { sessions: res.sessions, expectations: res.expectations };
    }
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (got.sessions !== sessions || got.expectations !== sessions) throw new Error(`snapshot had ${JSON.stringify(got)}`);
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const rss = mem.rss;
  const sorted = [...times].sort((a, b) => a - b);
  const result = {
    sessions, frames, feedMs: Math.round(feedMs), snapshotParts: parts,
    snapshotMs: { first: Math.round(times[0]!), median: Math.round(sorted[Math.floor(sorted.length / 2)]!), max: Math.round(sorted.at(-1)!) },
    rssMB: mb(rss), rssAtStartMB: mb(rssStart), heapUsedMB: mb(mem.heapUsed), externalMB: mb(mem.external),
    targets: { snapshotMs: SNAPSHOT_TARGET_MS, rssMB: RSS_TARGET_MB },
    node: process.version,
  };
  const ok = result.snapshotMs.max < SNAPSHOT_TARGET_MS && result.rssMB < RSS_TARGET_MB;
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...result, ok })}\n`);
  } else {
    process.stdout.write([
      `sidecar bench: ${sessions} concurrent control sessions, each with a pending PASV (${frames} frames fed in ${result.feedMs} ms)`,
      `  snapshot to a new extcap: first ${result.snapshotMs.first} ms, median ${result.snapshotMs.median} ms, max ${result.snapshotMs.max} ms over ${runs} runs (${parts} parts); target < ${SNAPSHOT_TARGET_MS} ms`,
      `  sidecar RSS ${result.rssMB} MB (${result.rssAtStartMB} MB at start), heap used ${result.heapUsedMB} MB, external ${result.externalMB} MB; target < ${RSS_TARGET_MB} MB`,
      `  ${ok ? 'ok' : 'TARGET MISSED'}`,
      '',
    ].join('\n'));
  }
  return ok ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`sidecar bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
