/**
 * The sidecar end to end, with real peers: pyftpdlib (test/e2e/sidecar-ftpd.py) in one network namespace,
 * curl, `ftpflow sidecar` and TShark on `ftpflow-<veth>` (installed by install/install.sh into a temporary
 * HOME) in the other.
 *
 * The hard case the sidecar exists for: curl logs in and sends PASV *before* the capture starts. To make a real
 * client wait between PASV and its data connection, an nftables rule in the client namespace drops curl's SYNs
 * to the passive port range; TShark starts; the rule goes; curl's SYN retransmission connects. Then:
 * - with the sidecar, every packet of that data connection carries its full comment with `source=sidecar`;
 * - without it (sidecar=off), the same data connection is unannotated;
 * - the transfer log holds what curl reported (bytes, name, reply code), and the password is nowhere;
 * - the sidecar killed mid-capture: the capture goes on and writes every packet; restarted, the extcap
 *   reconnects and a later session carries the restarted sidecar's number.
 *
 * Needs root and the tools below (nftables among them); skips with the reason, or fails under
 * FTPFLOW_REQUIRE_E2E=1.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createNetnsPair, inNs, type NetnsPair } from '../helpers/netns-pair';
import { repoPath } from '../helpers/paths';
import { fetchSnapshot, type FetchedSnapshot } from '../../src/sidecar/viewer';
import { LiveTshark } from './tshark-live';
import { compiledRoot, missingTools, REQUIRE_E2E, run, temporaryHome, type RunResult } from './wireshark-tools';

const PYTHON = '/usr/bin/python3';

function whatIsMissing(): string | null {
  const tools = missingTools(['tshark', 'ip', 'nft', 'curl', 'timeout']);
  if (tools !== null) return tools;
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, nftables, live capture)';
  if (spawnSync(PYTHON, ['-c', 'import pyftpdlib'], { stdio: 'ignore' }).status !== 0) return `${PYTHON} lacks pyftpdlib (Debian: python3-pyftpdlib)`;
  return null;
}

const missing = whatIsMissing();
const skip = missing !== null && !REQUIRE_E2E ? missing : false;
if (missing !== null && !REQUIRE_E2E) console.log(`# sidecar e2e skipped: ${missing}`);

const FTP_PORT = 2121;
const PASV_RANGE: [number, number] = [41000, 41019];
const USER = 'alice';
/** Distinctive, URL-safe: searched for in everything ftpflow writes. */
const PASSWORD = 'Zebra-s3cret-8841';
const FILES: Record<string, number> = { 'held.bin': 300_000, 'before.bin': 50_000, 'during.bin': 70_000, 'after.bin': 90_000 };
/** Longer than the look-ahead (1 s) plus the delay line's tick: every frame has left before the stop. */
const SETTLE_MS = 2500;
const WAIT_MS = 20_000;

function contentOf(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

async function until<T>(what: string, ms: number, probe: () => T | null | undefined | false | Promise<T | null | undefined | false>): Promise<T> {
  const end = Date.now() + ms;
  for (let i = 0; i < 10_000; i++) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out (${ms} ms) waiting for ${what}`);
}

interface FrameRow {
  no: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  len: number;
  /** Relative sequence number (the first payload byte is 1). */
  seq: number;
  syn: boolean;
  comment: string;
}

async function readFrames(file: string): Promise<FrameRow[]> {
  const r = await run('tshark', ['-r', file, '-Y', 'tcp', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f',
    '-e', 'frame.number', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport', '-e', 'tcp.len',
    '-e', 'tcp.flags.syn', '-e', 'tcp.seq', '-e', 'frame.comment'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const [no, src, sport, dst, dport, len, syn, seq, comment] = l.split('\t');
    return {
      no: Number(no), src: src ?? '', sport: Number(sport), dst: dst ?? '', dport: Number(dport), len: Number(len),
      seq: Number(seq), syn: syn === '1' || syn === 'True', comment: comment ?? '',
    };
  });
}

const inPasvRange = (p: number) => p >= PASV_RANGE[0] && p <= PASV_RANGE[1];

/** The frames of the data connection that carried `file`'s bytes to the client port of... found by its size. */
function dataConnections(frames: FrameRow[]): Map<string, FrameRow[]> {
  const byConn = new Map<string, FrameRow[]>();
  for (const f of frames) {
    if (!inPasvRange(f.sport) && !inPasvRange(f.dport)) continue;
    const key = inPasvRange(f.sport) ? `${f.dst}:${f.dport}` : `${f.src}:${f.sport}`;
    const list = byConn.get(key) ?? [];
    list.push(f);
    byConn.set(key, list);
  }
  return byConn;
}

/**
 * Whether the server-to-client segments cover every byte 1..size exactly once or more (retransmissions under
 * load repeat segments; a lost frame would leave a hole): the capture wrote every byte of the transfer.
 */
function coversExactly(list: FrameRow[], size: number): boolean {
  const spans = list.filter((f) => inPasvRange(f.sport) && f.len > 0).map((f) => [f.seq, f.seq + f.len] as const).sort((x, y) => x[0] - y[0]);
  let next = 1;
  for (const [from, to] of spans) {
    if (from > next) return false;
    next = Math.max(next, to);
  }
  return next === size + 1;
}

/** The one data connection that carried exactly `size` bytes to the client, every one of them captured. */
function connectionOfSize(frames: FrameRow[], size: number): FrameRow[] {
  const found = [...dataConnections(frames).values()].filter((list) => coversExactly(list, size));
  assert.equal(found.length, 1, `one data connection with all ${size} bytes (found ${found.length})`);
  return found[0]!;
}

interface TransferLine {
  session: number;
  'id.orig_p': number;
  [k: string]: unknown;
}

describe('sidecar: sessions that began before the capture, over real FTP', { skip, timeout: 300_000 }, () => {
  if (missing !== null && REQUIRE_E2E) {
    it('has the tools it needs (FTPFLOW_REQUIRE_E2E=1)', () => assert.fail(missing));
    return;
  }
  if (skip) return;

  const dist = compiledRoot();
  const home = temporaryHome('sidecar');
  const env: NodeJS.ProcessEnv = { ...home.env, FTPFLOW_DIST: dist };
  delete env.FTPFLOW_CAPTURE_BACKEND;
  delete env.FTPFLOW_SIDECAR_SOCKET;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-sidecar-e2e-'));
  const runDir = path.join(work, 'run');
  const sock = path.join(runDir, 'sidecar.sock');
  const transferLog = path.join(work, 'transfers.jsonl');
  const sidecarErr = path.join(work, 'sidecar.stderr');
  let pair: NetnsPair;
  let server: ChildProcess | null = null;
  let sidecar: ChildProcess | null = null;
  let install: RunResult;
  const extcapLogs: string[] = [];
  const outputs: string[] = [];

  const nsRun = (cmd: string, args: string[], timeoutMs = 30_000) => {
    const [c, a] = inNs(pair.client.ns, cmd, args);
    return run(c, a, { env, timeoutMs });
  };

  async function startSidecar(): Promise<void> {
    const [c, a] = inNs(pair.client.ns, process.execPath, [path.join(dist, 'src', 'cli', 'main.js'), 'sidecar',
      '--interface', pair.client.ifname, '--control-ports', String(FTP_PORT), '--listen', sock, '--log', transferLog, '--log-level', 'info']);
    const err = fs.openSync(sidecarErr, 'a');
    const child = spawn(c, a, { env, stdio: ['ignore', 'ignore', err] });
    fs.closeSync(err);
    sidecar = child;
    const started = fs.readFileSync(sidecarErr, 'utf8').split('serving').length;
    await until('the sidecar to serve', WAIT_MS, () => {
      if (child.exitCode !== null) throw new Error(`sidecar exited: ${fs.readFileSync(sidecarErr, 'utf8')}`);
      return fs.readFileSync(sidecarErr, 'utf8').split('serving').length > started;
    });
  }

  function killSidecar(): Promise<void> {
    const child = sidecar;
    sidecar = null;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  const snapshot = (): Promise<FetchedSnapshot> => fetchSnapshot({ kind: 'unix', path: sock }, 5000).then((r) => {
    if (r.kind !== 'snapshot') throw new Error(r.why);
    return r;
  });

  /** Drops curl's SYNs to the passive range (output hook: they never reach any capture). Returns the release. */
  async function holdDataSyns(): Promise<() => Promise<void>> {
    const rules = path.join(work, 'hold.nft');
    fs.writeFileSync(rules, [
      'table inet ftpflow_sidecar_e2e {',
      '  chain out {',
      '    type filter hook output priority 0; policy accept;',
      `    ip daddr ${pair.server.ipv4} tcp dport ${PASV_RANGE[0]}-${PASV_RANGE[1]} tcp flags & (syn | ack) == syn drop`,
      '  }',
      '}',
      '',
    ].join('\n'));
    const r = await nsRun('nft', ['-f', rules]);
    assert.equal(r.code, 0, `nft: ${r.stderr}`);
    return async () => {
      const d = await nsRun('nft', ['delete', 'table', 'inet', 'ftpflow_sidecar_e2e']);
      assert.equal(d.code, 0, `nft delete: ${d.stderr}`);
    };
  }

  /** curl downloads `file` in PASV; resolves with what curl reports: bytes, last reply code, control port. */
  function curlGet(file: string): Promise<{ bytes: number; code: number; port: number; r: RunResult }> {
    const out = path.join(work, `got-${file}`);
    return nsRun('curl', ['--silent', '--show-error', '--fail', '--disable-epsv', '--max-time', '60', '-o', out,
      '-w', '%{size_download} %{response_code} %{local_port}', `ftp://${USER}:${PASSWORD}@${pair.server.ipv4}:${FTP_PORT}/${file}`], 70_000)
      .then((r) => {
        const [bytes, code, port] = r.stdout.trim().split(' ').map(Number);
        assert.equal(r.code, 0, `curl ${file}: ${r.stderr}`);
        assert.ok(fs.readFileSync(out).equals(contentOf(FILES[file]!, Object.keys(FILES).indexOf(file) + 1)), `${file} arrived intact`);
        return { bytes: bytes!, code: code!, port: port!, r };
      });
  }

  function startCapture(tag: string, prefs: Record<string, string>): LiveTshark {
    const logFile = path.join(work, `extcap-${tag}.log`);
    const out = path.join(work, `${tag}.pcapng`);
    extcapLogs.push(logFile);
    outputs.push(out);
    return new LiveTshark({
      ns: pair.client.ns, iface: `ftpflow-${pair.client.ifname}`, out, env, logFile, maxSeconds: 120,
      prefs: { controlports: String(FTP_PORT), ...prefs },
    });
  }

  async function transferRecord(port: number, after = 0): Promise<TransferLine> {
    return until(`the transfer log line of control port ${port}`, WAIT_MS, () => {
      const lines = fs.existsSync(transferLog) ? fs.readFileSync(transferLog, 'utf8').split('\n').filter((l) => l !== '') : [];
      return lines.slice(after).map((l) => JSON.parse(l) as TransferLine).find((l) => l['id.orig_p'] === port);
    });
  }

  before(async () => {
    install = await run(repoPath('install', 'install.sh'), [], { env, cwd: os.tmpdir(), timeoutMs: 60_000 });
    pair = createNetnsPair({ tag: 'sc', subnet: 221 });
    const root = path.join(work, 'root');
    fs.mkdirSync(root, { recursive: true });
    fs.mkdirSync(runDir, { mode: 0o750 });
    Object.entries(FILES).forEach(([name, size], i) => fs.writeFileSync(path.join(root, name), contentOf(size, i + 1)));
    const [c, a] = inNs(pair.server.ns, PYTHON, [repoPath('test', 'e2e', 'sidecar-ftpd.py'), '--address', pair.server.ipv4,
      '--port', String(FTP_PORT), '--root', root, '--user', USER, '--password', PASSWORD,
      '--passive-ports', `${PASV_RANGE[0]}-${PASV_RANGE[1]}`, '--max-seconds', '600']);
    const srv = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
    server = srv;
    let said = '';
    srv.stdout?.on('data', (d: Buffer) => (said += d.toString()));
    srv.stderr?.on('data', (d: Buffer) => (said += d.toString()));
    await until('the FTP server', WAIT_MS, () => said.includes('listening'));
    await startSidecar();
  });

  after(async () => {
    await killSidecar();
    server?.kill('SIGTERM');
    pair?.remove();
    home.remove();
    if (process.env.FTPFLOW_KEEP_E2E_WORK === '1') console.log(`# sidecar e2e: kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  });

  it('install.sh installs the extcap into the temporary HOME', () => {
    assert.equal(install.code, 0, install.stderr + install.stdout);
  });

  /** The held-back download, captured with the given sidecar setting. */
  async function heldDownload(tag: string, sidecarPref: string) {
    const release = await holdDataSyns();
    const got = curlGet('held.bin');
    // curl has logged in and its PASV was answered: the sidecar has the announcement.
    const before = await until('the PASV announcement in the sidecar', WAIT_MS, async () => {
      const s = await snapshot();
      const e = s.expectations.find((x) => s.sessions.some((ss) => ss.id === x.sessionId && ss.user === USER && ss.dataConnections === 0));
      return e ? { s, e, session: s.sessions.find((ss) => ss.id === e.sessionId)! } : null;
    });
    const tshark = startCapture(tag, { sidecar: sidecarPref });
    assert.ok(await tshark.waitReady(WAIT_MS), `tshark not capturing: ${tshark.stderrText} ${tshark.logText()}`);
    if (sidecarPref !== 'off') await until('the extcap to take the snapshot', WAIT_MS, () => /sidecar connected at/.test(tshark.logText()));
    await release();
    const curl = await got;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const stop = await tshark.stop('SIGTERM', 15_000);
    assert.equal(stop.timedOut, false);
    const frames = await readFrames(tshark.o.out);
    return { curl, before, frames, log: tshark.logText() };
  }

  it('PASV before the capture: with the sidecar, every packet of the data connection carries the full comment and source=sidecar', async () => {
    const { curl, before, frames, log } = await heldDownload('with', sock);
    assert.deepEqual([curl.bytes, curl.code], [FILES['held.bin'], 226]);
    assert.equal(before.session.client.port, curl.port, 'the announcement belongs to this curl');
    const data = connectionOfSize(frames, FILES['held.bin']!);
    assert.ok(data.some((f) => f.syn), 'the retransmitted SYN is in the capture');
    const want = `ftpflow role=data session=${before.session.id} mode=passive method=PASV cmd=RETR arg=held.bin dir=down ` +
      `control=${pair.client.ipv4}:${curl.port}->${pair.server.ipv4}:${FTP_PORT} confidence=exact source=sidecar`;
    for (const f of data) assert.equal(f.comment, want, `frame ${f.no}`);
    // The control connection's later packets carry the same session number, and the user from the sidecar.
    const control = frames.filter((f) => f.sport === curl.port || f.dport === curl.port);
    assert.ok(control.length > 0);
    for (const f of control) assert.match(f.comment, new RegExp(`^ftpflow role=control session=${before.session.id} .* user=${USER}$`), `frame ${f.no}`);
    assert.match(log, /sidecar connected at .*: \d+ sessions, \d+ pending data connections imported/);

    const rec = await transferRecord(curl.port);
    assert.deepEqual({
      session: rec.session, user: rec.user, command: rec.command, arg: rec.arg, reply_code: rec.reply_code,
      bytes_to_client: rec.bytes_to_client, bytes_to_server: rec.bytes_to_server, status: rec.status,
      passive: rec['data_channel.passive'], orig_h: rec['id.orig_h'], resp_h: rec['id.resp_h'], resp_p: rec['id.resp_p'],
      data_orig_h: rec['data_channel.orig_h'], data_resp_h: rec['data_channel.resp_h'], mode: rec.mode, method: rec.method,
    }, {
      session: before.session.id, user: USER, command: 'RETR', arg: 'held.bin', reply_code: curl.code,
      bytes_to_client: curl.bytes, bytes_to_server: 0, status: 'complete',
      passive: true, orig_h: pair.client.ipv4, resp_h: pair.server.ipv4, resp_p: FTP_PORT,
      data_orig_h: pair.client.ipv4, data_resp_h: pair.server.ipv4, mode: 'passive', method: 'PASV',
    });
    assert.ok(inPasvRange(rec['data_channel.resp_p'] as number));
    assert.equal(rec['data_channel.resp_p'], before.e.announced.port);
  });

  it('the same download captured with sidecar=off leaves the data connection unannotated', async () => {
    const { curl, frames, log } = await heldDownload('without', 'off');
    assert.deepEqual([curl.bytes, curl.code], [FILES['held.bin'], 226]);
    const data = connectionOfSize(frames, FILES['held.bin']!);
    assert.ok(data.length > 3);
    for (const f of data) assert.equal(f.comment, '', `frame ${f.no} has no comment without the sidecar`);
    assert.doesNotMatch(log, /sidecar connected/);
  });

  it('sidecar killed mid-capture: the capture goes on and writes every packet; restarted, the extcap reconnects and a later session gets its number', async () => {
    const tshark = startCapture('restart', { sidecar: sock });
    assert.ok(await tshark.waitReady(WAIT_MS), `tshark not capturing: ${tshark.stderrText} ${tshark.logText()}`);
    await until('the extcap to take the snapshot', WAIT_MS, () => /sidecar connected at/.test(tshark.logText()));
    const a = await curlGet('before.bin');
    await killSidecar();
    await until('the extcap to notice', WAIT_MS, () => /sidecar lost/.test(tshark.logText()));
    const b = await curlGet('during.bin');
    const linesBefore = fs.readFileSync(transferLog, 'utf8').split('\n').filter((l) => l !== '').length;
    await startSidecar();
    await until('the extcap to reconnect', WAIT_MS, () => /sidecar reconnected at/.test(tshark.logText()));
    const c = await curlGet('after.bin');
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const stop = await tshark.stop('SIGTERM', 15_000);
    assert.equal(stop.timedOut, false);
    const frames = await readFrames(tshark.o.out);

    const sessionOf = (port: number, file: string): number => {
      const data = connectionOfSize(frames, FILES[file]!); // every payload byte was written
      const ids = new Set(data.map((f) => /session=(\d+)/.exec(f.comment)?.[1]));
      assert.equal(ids.size, 1, `${file}: one session number on every data packet`);
      const id = Number([...ids][0]);
      for (const f of data) assert.match(f.comment, new RegExp(`^ftpflow role=data session=${id} mode=passive method=PASV cmd=RETR arg=${file.replace('.', '\\.')} dir=down control=${pair.client.ipv4.replace(/\./g, '\\.')}:${port}->`));
      return id;
    };
    const idA = sessionOf(a.port, 'before.bin');
    const idB = sessionOf(b.port, 'during.bin');
    const idC = sessionOf(c.port, 'after.bin');
    assert.equal(new Set([idA, idB, idC]).size, 3, `distinct numbers ${idA}, ${idB}, ${idC}`);
    const recC = await transferRecord(c.port, linesBefore);
    assert.equal(idC, recC.session, 'the later session shows the restarted sidecar\'s number');
    assert.equal(recC.bytes_to_client, c.bytes);
    assert.ok(idC > idB, 'the restarted sidecar numbers after what the capture showed');
    assert.equal(frames.filter((f) => f.comment === '' && (inPasvRange(f.sport) || inPasvRange(f.dport))).length, 0);
  });

  it('the password appears nowhere: transfer log, logs, comments, `ftpflow sessions`', async () => {
    const sessions = await nsRun(process.execPath, [path.join(dist, 'src', 'cli', 'main.js'), 'sessions', '--sidecar', sock, '--json']);
    assert.equal(sessions.code, 0, sessions.stderr);
    assert.match(sessions.stdout, /"user": "alice"/);
    const table = await nsRun(process.execPath, [path.join(dist, 'src', 'cli', 'main.js'), 'sessions', '--sidecar', sock]);
    assert.match(table.stdout, /^SESSION +CLIENT +SERVER +USER/);
    const texts: [string, string][] = [
      ['transfer log', fs.readFileSync(transferLog, 'utf8')],
      ['sidecar stderr', fs.readFileSync(sidecarErr, 'utf8')],
      ['sessions --json', sessions.stdout],
      ['sessions table', table.stdout],
      ...extcapLogs.map((f): [string, string] => [f, fs.readFileSync(f, 'utf8')]),
    ];
    for (const out of outputs) {
      const c = await run('tshark', ['-r', out, '-T', 'fields', '-e', 'frame.comment'], { timeoutMs: 60_000 });
      texts.push([`comments of ${out}`, c.stdout]);
    }
    assert.ok(fs.readFileSync(transferLog, 'utf8').length > 0);
    for (const [what, text] of texts) assert.ok(!text.includes(PASSWORD), `${what} holds the password`);
  });
});
