/**
 * Records the benchmark's default seed: four real FTP sessions on loopback, one per way of setting up a
 * data connection (EPSV, PASV, PORT, EPRT), between curl bound to 127.0.0.2 and Debian's pyftpdlib on
 * 127.0.0.1, captured by dumpcap on lo. Every child is ours, bounded by timeout(1) and stopped by PID.
 * Needs root (or CAP_NET_RAW for dumpcap), /usr/bin/python3 with pyftpdlib, curl and dumpcap.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const SERVER_ADDR = '127.0.0.1';
const CLIENT_ADDR = '127.0.0.2';
const PYTHON = '/usr/bin/python3';
/** No child may outlive this, even if we die. */
const CHILD_LIFETIME_S = 120;
const CURL_MAX_TIME_S = 30;
const READY_WAIT_MS = 10_000;

/** Files served, with sizes chosen so a session is ~130 packets on a 1500-byte wire (issue: 1 M packets ≈ 6,900 sessions). */
const FILES: ReadonlyArray<[string, number]> = [['alpha.bin', 96_000], ['beta.bin', 128_000], ['gamma.txt', 64_000]];

export interface RecordedSeed {
  file: string;
  controlPort: number;
  sessions: number;
  transfers: number;
}

/** Deterministic file content (xorshift), so recordings differ only in timing, ports and sequence numbers. */
function fileBytes(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, SERVER_ADDR, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, test: () => boolean | Promise<boolean>, child: ChildProcess, log: string): Promise<void> {
  const until = Date.now() + READY_WAIT_MS;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited early: ${readTail(log)}`);
    if (await test()) return;
    await sleep(100);
  }
  throw new Error(`${what} not ready after ${READY_WAIT_MS / 1000} s: ${readTail(log)}`);
}

function readTail(file: string): string {
  try { return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | '); } catch { return '(no log)'; }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: SERVER_ADDR, port, localAddress: SERVER_ADDR });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Stops one of our children by PID: SIGTERM, then SIGKILL after 5 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

function startChild(cmd: string, args: string[], log: string): ChildProcess {
  const fd = fs.openSync(log, 'w');
  // timeout(1) bounds the child's life and passes our SIGTERM on to it.
  const child = spawn('timeout', ['-k', '5', String(CHILD_LIFETIME_S), cmd, ...args], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  return child;
}

export async function recordSeed(outFile: string): Promise<RecordedSeed> {
  for (const tool of ['dumpcap', 'curl', 'timeout', PYTHON]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`recording a seed needs ${tool}`);
  }
  if (spawnSync(PYTHON, ['-c', 'import pyftpdlib']).status !== 0) {
    throw new Error(`${PYTHON} lacks pyftpdlib (Debian: apt-get install python3-pyftpdlib)`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-bench-seed-'));
  const root = path.join(work, 'root');
  const got = path.join(work, 'got');
  fs.mkdirSync(root);
  fs.mkdirSync(got);
  FILES.forEach(([name, size], i) => fs.writeFileSync(path.join(root, name), fileBytes(size, i + 1)));
  const tmpCapture = path.join(work, 'seed.pcapng');
  const children: ChildProcess[] = [];
  try {
    const port = await freePort();
    const server = startChild(PYTHON, ['-m', 'pyftpdlib', '-i', SERVER_ADDR, '-p', String(port), '-d', root], path.join(work, 'server.log'));
    children.push(server);
    await waitFor('pyftpdlib', () => canConnect(port), server, path.join(work, 'server.log'));

    // Only our client address: nothing else on lo ends up in the seed.
    const dumpcapLog = path.join(work, 'dumpcap.log');
    const dumpcap = startChild('dumpcap', ['-q', '-i', 'lo', '-f', `tcp and host ${CLIENT_ADDR}`, '-w', tmpCapture], dumpcapLog);
    children.push(dumpcap);
    await waitFor('dumpcap', () => /Capturing on/.test(readTail(dumpcapLog)), dumpcap, dumpcapLog);
    await sleep(300);

    const url = (name: string): string => `ftp://${SERVER_ADDR}:${port}/${name}`;
    const sessions: string[][] = [
      [url(''), '-o', path.join(got, 'list1'), url('alpha.bin'), '-o', path.join(got, 'alpha.bin')],            // EPSV
      ['--disable-epsv', url('beta.bin'), '-o', path.join(got, 'beta.bin')],                                    // PASV
      ['-P', '-', '--disable-eprt', url('gamma.txt'), '-o', path.join(got, 'gamma.txt'), url(''), '-o', path.join(got, 'list2')], // PORT
      ['-P', '-', url('beta.bin'), '-o', path.join(got, 'beta2.bin')],                                          // EPRT
    ];
    for (const args of sessions) {
      const r = spawnSync('curl', ['-sS', '--interface', CLIENT_ADDR, '--max-time', String(CURL_MAX_TIME_S), ...args], {
        encoding: 'utf8', timeout: (CURL_MAX_TIME_S + 5) * 1000,
      });
      if (r.status !== 0) throw new Error(`curl ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.trim()}`);
    }
    for (const [name, copy] of [['alpha.bin', 'alpha.bin'], ['beta.bin', 'beta.bin'], ['gamma.txt', 'gamma.txt'], ['beta.bin', 'beta2.bin']] as const) {
      if (!fs.readFileSync(path.join(root, name)).equals(fs.readFileSync(path.join(got, copy)))) {
        throw new Error(`the transfer of ${name} came out different`);
      }
    }
    await sleep(500); // the last FIN/ACKs reach the capture
    await stop(dumpcap);
    await stop(server);
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.copyFileSync(tmpCapture, outFile);
    return { file: outFile, controlPort: port, sessions: sessions.length, transfers: 6 };
  } finally {
    for (const c of children) await stop(c);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
