/**
 * Real FTP servers and clients for the live e2e test, in the namespaces of a NetnsPair: vsftpd and Debian's
 * pyftpdlib (through test/golden/pyftpd-server.py) in the server namespace, curl and lftp in the client
 * namespace. Every process is ours, bounded in time (timeout(1) for servers, a SIGKILL timer for clients)
 * and stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { inNs, type NetnsPair } from '../helpers/netns-pair';
import { repoPath } from '../helpers/paths';
import { run, type RunResult } from './wireshark-tools';

export const PYTHON = '/usr/bin/python3';
/** A server outliving its test is stopped by timeout(1) after this long. */
const SERVER_LIFETIME_S = 600;
const CLIENT_TIMEOUT_MS = 60_000;

/** Files served (name → size) and the file clients upload. Sizes are small: the test checks packets, not speed. */
export const SERVED_FILES: Readonly<Record<string, number>> = {
  'alpha.txt': 12_000, 'beta.bin': 30_000, 'gamma.bin': 20_000, 'big.bin': 4_000_000,
};
export const UPLOAD_FILE = 'up.txt';
const UPLOAD_SIZE = 8_000;

/** Deterministic bytes (xorshift32), different per seed. */
function contentOf(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    b[i] = 0x20 + (x % 95); // printable: LIST-like text and binary alike travel in TYPE I
  }
  return b;
}

export interface LabTree {
  work: string;
  /** Served root: pub/<file>, upload/ (writable by vsftpd's anonymous user). */
  root: string;
  upload: string;
  /** Client side: in/up.txt, out/ for downloads. */
  clientIn: string;
  clientOut: string;
}

/** Makes the served tree and the client folders under `work` (which must be world-readable for vsftpd). */
export function makeLabTree(work: string): LabTree {
  const t: LabTree = {
    work,
    root: path.join(work, 'root'),
    upload: path.join(work, 'root', 'upload'),
    clientIn: path.join(work, 'cli-in'),
    clientOut: path.join(work, 'cli-out'),
  };
  fs.chmodSync(work, 0o755);
  for (const d of [t.root, path.join(t.root, 'pub'), t.upload, t.clientIn, t.clientOut]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  let seed = 1;
  for (const [name, size] of Object.entries(SERVED_FILES)) {
    fs.writeFileSync(path.join(t.root, 'pub', name), contentOf(size, seed++), { mode: 0o644 });
  }
  fs.writeFileSync(path.join(t.clientIn, UPLOAD_FILE), contentOf(UPLOAD_SIZE, 99), { mode: 0o644 });
  // vsftpd's anonymous user (ftp) writes uploads; the served root itself stays root's (vsftpd insists).
  try {
    fs.chownSync(t.upload, ftpUid(), -1);
  } catch { /* no ftp user: vsftpd uploads will fail and say so */ }
  fs.chmodSync(t.upload, 0o777);
  return t;
}

function ftpUid(): number {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('ftp:'));
  return line ? Number(line.split(':')[2]) : -1;
}

export interface ServerHandle {
  name: string;
  port: number;
  child: ChildProcess;
  log: string;
  stop(): Promise<void>;
}

function spawnBounded(ns: string, cmd: string, args: readonly string[], logFile: string): ChildProcess {
  const [c, a] = inNs(ns, cmd, args);
  const out = fs.openSync(logFile, 'a');
  const child = spawn('timeout', ['-s', 'TERM', String(SERVER_LIFETIME_S), c, ...a], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return child;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM'); // timeout(1) passes it on to the server
  });
}

/** Polls `ss` in the namespace until something listens on `port` (bounded). */
async function waitListening(ns: string, port: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const [c, a] = inNs(ns, 'ss', ['-ltnH', `sport = :${port}`]);
    const r = await run(c, a, { timeoutMs: 5000 });
    if (/LISTEN/.test(r.stdout)) return true;
    await new Promise((r2) => setTimeout(r2, 100));
  }
  return false;
}

export interface VsftpdOptions {
  name: string;
  port: number;
  /** true: one IPv6 socket that also takes IPv4 (listen_ipv6); false: IPv4 on `address` only. */
  dualStack: boolean;
  address?: string;
  /** Active data connections from port 20 (vsftpd's default) or from any port. */
  portFrom20: boolean;
  pasvPorts: [number, number];
}

export async function startVsftpd(pair: NetnsPair, tree: LabTree, o: VsftpdOptions): Promise<ServerHandle> {
  const conf = path.join(tree.work, `${o.name}.conf`);
  const log = path.join(tree.work, `${o.name}.log`);
  fs.writeFileSync(conf, [
    o.dualStack ? 'listen=NO' : 'listen=YES',
    o.dualStack ? 'listen_ipv6=YES' : 'listen_ipv6=NO',
    ...(o.address ? [`listen_address=${o.address}`] : []),
    `listen_port=${o.port}`,
    'background=NO',
    'anonymous_enable=YES', 'local_enable=NO', 'no_anon_password=YES',
    `anon_root=${tree.root}`,
    'write_enable=YES', 'anon_upload_enable=YES', 'anon_other_write_enable=YES', 'anon_umask=022',
    'pasv_enable=YES', `pasv_min_port=${o.pasvPorts[0]}`, `pasv_max_port=${o.pasvPorts[1]}`,
    'port_enable=YES', `connect_from_port_20=${o.portFrom20 ? 'YES' : 'NO'}`,
    'seccomp_sandbox=NO', 'isolate=NO', 'isolate_network=NO',
    'secure_chroot_dir=/var/run/vsftpd/empty',
    `ftpd_banner=ftpflow live e2e ${o.name}`,
    '',
  ].join('\n'), { mode: 0o600 });
  fs.mkdirSync('/var/run/vsftpd/empty', { recursive: true });
  const child = spawnBounded(pair.server.ns, 'vsftpd', [conf], log);
  const handle: ServerHandle = { name: o.name, port: o.port, child, log, stop: stopper(child) };
  if (!(await waitListening(pair.server.ns, o.port, 10_000))) {
    await handle.stop();
    throw new Error(`${o.name} does not listen on ${o.port}: ${fs.readFileSync(log, 'utf8')}`);
  }
  return handle;
}

export interface PyftpdlibOptions {
  name: string;
  address: string;
  port: number;
  passivePorts: [number, number];
}

export async function startPyftpdlib(pair: NetnsPair, tree: LabTree, o: PyftpdlibOptions): Promise<ServerHandle> {
  const log = path.join(tree.work, `${o.name}.log`);
  const child = spawnBounded(pair.server.ns, PYTHON, [
    repoPath('test', 'golden', 'pyftpd-server.py'), '--address', o.address, '--port', String(o.port),
    '--root', tree.root, '--passive-ports', `${o.passivePorts[0]}-${o.passivePorts[1]}`,
    '--max-seconds', String(SERVER_LIFETIME_S),
  ], log);
  const handle: ServerHandle = { name: o.name, port: o.port, child, log, stop: stopper(child) };
  if (!(await waitListening(pair.server.ns, o.port, 10_000))) {
    await handle.stop();
    throw new Error(`${o.name} does not listen on ${o.port}: ${fs.readFileSync(log, 'utf8')}`);
  }
  return handle;
}

/** An FTP URL host part: IPv6 in brackets. */
export function urlHost(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** curl in the client namespace, failing on any FTP error; bounded. */
export function curl(pair: NetnsPair, args: readonly string[], timeoutMs = CLIENT_TIMEOUT_MS): Promise<RunResult> {
  const [c, a] = inNs(pair.client.ns, 'curl', ['--silent', '--show-error', '--fail', '--globoff',
    '--connect-timeout', '5', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args]);
  return run(c, a, { timeoutMs: timeoutMs + 5000 });
}

export interface LftpSession {
  host: string;
  passive: boolean;
  preferEpsv: boolean;
  /** lftp commands after `open`, e.g. ['ls pub', 'get pub/alpha.txt -o /x']. */
  commands: string[];
}

/** One lftp session (one control connection) in the client namespace, from a script file; bounded. */
export function lftp(pair: NetnsPair, tree: LabTree, name: string, s: LftpSession): Promise<RunResult> {
  const script = path.join(tree.work, `${name}.lftp`);
  fs.writeFileSync(script, [
    'set cmd:fail-exit yes', 'set cmd:interactive no',
    'set net:timeout 10', 'set net:max-retries 2', 'set net:reconnect-interval-base 1',
    'set net:connection-limit 1', 'set ftp:ssl-allow no', 'set ftp:sync-mode on',
    `set ftp:passive-mode ${s.passive ? 'on' : 'off'}`, `set ftp:prefer-epsv ${s.preferEpsv ? 'yes' : 'no'}`,
    'set xfer:clobber on',
    `open ftp://anonymous:e2e@${s.host}`,
    ...s.commands,
    'bye', '',
  ].join('\n'));
  const [c, a] = inNs(pair.client.ns, 'lftp', ['--norc', '-f', script]);
  return run(c, a, { timeoutMs: CLIENT_TIMEOUT_MS });
}
