/**
 * The live extcap end to end, as a user runs it headless: install/install.sh into a temporary HOME, then the
 * real TShark captures on `ftpflow-<veth>` inside a network namespace while real servers (vsftpd on 21 and on
 * 2121 dual-stack, pyftpdlib on 2221 over IPv4 and IPv6) in a second namespace serve real clients (curl, lftp)
 * in PASV, EPSV, PORT and EPRT. Client and server have distinct addresses, so a direction mix-up shows.
 *
 * What must hold: every frame of every data connection carries the comment an independent derivation (TShark's
 * own fields, test/e2e/ftp-truth.ts) says it should; the Lua plugin's `ftpflow.session == N` selects exactly one
 * session; the file holds the same packets in the same order as a dumpcap capturing beside it (so frame
 * numbers, and setup_frame, are capture order); stopping TShark mid-transfer leaves no process and no error;
 * a bad filter and an unknown device end at once with one clear line.
 *
 * Needs root (namespaces, capture) and the tools below; skips with the reason, or fails under
 * FTPFLOW_REQUIRE_E2E=1.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readCaptureFile } from '../helpers/capture-file';
import { createNetnsPair, inNs, type NetnsPair } from '../helpers/netns-pair';
import { repoPath } from '../helpers/paths';
import {
  curl, lftp, makeLabTree, PYTHON, startPyftpdlib, startVsftpd, UPLOAD_FILE, urlHost, type LabTree, type ServerHandle,
} from './ftp-lab';
import { deriveTruth, endpointText, parseComment, readFrames, type DataTruth, type FrameRow, type Truth } from './ftp-truth';
import { waitAllGone } from './process-tree';
import { LiveTshark, unusualTsharkLines } from './tshark-live';
import { compiledRoot, missingTools, REQUIRE_E2E, run, temporaryHome } from './wireshark-tools';

function whatIsMissing(): string | null {
  const tools = missingTools(['tshark', 'dumpcap', 'ip', 'ss', 'tc', 'timeout', 'vsftpd', 'curl', 'lftp', 'mkfifo']);
  if (tools !== null) return tools;
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, live capture)';
  if (spawnSync(PYTHON, ['-c', 'import pyftpdlib'], { stdio: 'ignore' }).status !== 0) return `${PYTHON} lacks pyftpdlib (Debian: python3-pyftpdlib)`;
  return null;
}

const missing = whatIsMissing();
const skip = missing !== null && !REQUIRE_E2E ? missing : false;
if (missing !== null && !REQUIRE_E2E) console.log(`# live-capture e2e skipped: ${missing}`);

const CONTROL_PORTS = [21, 2121, 2221];
const PLUGIN = repoPath('wireshark', 'ftpflow.lua');
/** Longer than the delay line's look-ahead (1 s) plus its wall-clock tick: every frame has left before the stop. */
const SETTLE_MS = 2500;
const READY_MS = 30_000;
const STOP_MS = 15_000;

describe('live capture: TShark, the ftpflow extcap, real FTP servers and clients in network namespaces', { skip, timeout: 300_000 }, () => {
  if (missing !== null && REQUIRE_E2E) {
    it('has the tools it needs (FTPFLOW_REQUIRE_E2E=1)', () => assert.fail(missing));
    return;
  }
  if (skip) return;

  const dist = compiledRoot();
  const home = temporaryHome('live');
  const env: NodeJS.ProcessEnv = { ...home.env, FTPFLOW_DIST: dist };
  delete env.FTPFLOW_CAPTURE_BACKEND;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-live-'));
  let pair: NetnsPair;
  let tree: LabTree;
  const servers: ServerHandle[] = [];
  let iface = '';
  let install: Awaited<ReturnType<typeof run>>;

  before(async () => {
    install = await run(repoPath('install', 'install.sh'), [], { env, cwd: os.tmpdir(), timeoutMs: 60_000 });
    pair = createNetnsPair({ tag: 'le', subnet: 210 });
    iface = `ftpflow-${pair.client.ifname}`;
    tree = makeLabTree(work);
    const S = pair.server;
    servers.push(await startVsftpd(pair, tree, { name: 'vsftpd-21', port: 21, dualStack: false, address: S.ipv4, portFrom20: true, pasvPorts: [40000, 40099] }));
    servers.push(await startVsftpd(pair, tree, { name: 'vsftpd-2121', port: 2121, dualStack: true, portFrom20: false, pasvPorts: [40100, 40199] }));
    servers.push(await startPyftpdlib(pair, tree, { name: 'pyftpdlib-v4', address: S.ipv4, port: 2221, passivePorts: [41000, 41099] }));
    servers.push(await startPyftpdlib(pair, tree, { name: 'pyftpdlib-v6', address: S.ipv6, port: 2221, passivePorts: [41100, 41199] }));
  });

  after(async () => {
    for (const s of servers) await s.stop();
    pair?.remove();
    home.remove();
    // FTPFLOW_KEEP_E2E_WORK=1 keeps the captures and logs for a look after a failure.
    if (process.env.FTPFLOW_KEEP_E2E_WORK === '1') console.log(`# live-capture e2e: kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  });

  it('install.sh installs into the temporary HOME; tshark -D there lists ftpflow-lo and ftpflow-<veth>', async () => {
    assert.equal(install.code, 0, install.stderr + install.stdout);
    const [cmd, args] = inNs(pair.client.ns, 'tshark', ['-D']);
    const r = await run(cmd, args, { env, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\d+\. ftpflow-lo \(FTP sessions on lo/m);
    assert.match(r.stdout, new RegExp(`^\\d+\\. ${iface} \\(FTP sessions on ${pair.client.ifname}`, 'm'));
  });

  describe('one capture of PASV, EPSV, PORT and EPRT over IPv4 and IPv6 by curl and lftp', () => {
    const out = path.join(work, 'out.pcapng');
    const ref = path.join(work, 'ref.pcapng');
    const mainLog = path.join(work, 'extcap-main.log');
    const logText = (): string => (fs.existsSync(mainLog) ? fs.readFileSync(mainLog, 'utf8') : '');
    let stop: Awaited<ReturnType<LiveTshark['stop']>>;
    let tshark: LiveTshark | undefined;
    let frames: FrameRow[] = [];
    let truth: Truth;
    const sessionOf = new Map<number, number>(); // control tcp.stream -> ftpflow session id
    const downloads: [got: string, want: string][] = [];

    before(async () => {
      const C = pair.client.ifname;
      const [dcmd, dargs] = inNs(pair.client.ns, 'dumpcap', ['-q', '-i', C, '-a', 'duration:240', '-w', ref]);
      const reference = spawn(dcmd, dargs, { stdio: ['ignore', 'ignore', 'pipe'] });
      let refErr = '';
      reference.stderr.on('data', (d: Buffer) => (refErr += d.toString()));
      const refClosed = new Promise((r) => reference.once('close', r));
      try {
        for (let i = 0; i < 200 && !/Capturing on/.test(refErr); i++) await new Promise((r) => setTimeout(r, 50));
        assert.match(refErr, /Capturing on/, 'the reference dumpcap did not start');

        const live = new LiveTshark({
          ns: pair.client.ns, iface, out, env, logFile: mainLog, maxSeconds: 240,
          prefs: { controlports: CONTROL_PORTS.join(',') },
        });
        tshark = live;
        assert.ok(await live.waitReady(READY_MS), `tshark not capturing: ${live.stderrText} ${live.logText()}`);
        await runAllClients(pair, tree, downloads);
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        stop = await live.stop('SIGTERM', STOP_MS);
      } finally {
        // On a failure above: TShark goes too (its extcap runs in the namespace, which the cleanup empties).
        if (tshark && tshark.child.exitCode === null && tshark.child.signalCode === null) await tshark.stop('SIGKILL', 5000);
        reference.kill('SIGINT');
        await Promise.race([refClosed, new Promise((r) => setTimeout(r, 10_000))]);
      }
      frames = await readFrames(out, CONTROL_PORTS);
      truth = deriveTruth(frames, CONTROL_PORTS);
      for (const c of truth.controls) {
        const ids = new Set(c.frames.map((no) => parseComment(frames[no - 1]?.comments[0] ?? '')?.get('session')));
        if (ids.size === 1) {
          const id = [...ids][0];
          if (id !== undefined) sessionOf.set(c.stream, Number(id));
        }
      }
    });

    it('TShark stopped cleanly: exit 0, only its usual lines on stderr, the extcap said it stopped', () => {
      assert.equal(stop.timedOut, false, 'tshark did not exit');
      assert.equal(stop.code, 0, stop.stderr);
      assert.deepEqual(unusualTsharkLines(stop.stderr), []);
      assert.match(logText(), /stopped: \d+ frames classified/);
    });

    it('the extcap captured through libpcap (the patched cap binding), not the dumpcap fallback', () => {
      assert.match(logText(), /capturing with libpcap, link type 1/,
        'the cap binding cannot be loaded from the compiled tree, or is not patched: ' + logText());
    });

    it('every transfer completed (the files arrived intact)', () => {
      assert.ok(downloads.length >= 8);
      for (const [got, want] of downloads) assert.ok(fs.readFileSync(got).equals(fs.readFileSync(want)), `${got} differs from ${want}`);
      for (const up of ['c5-up.txt', 'l8-up.txt', 'l9-up.txt']) {
        assert.ok(fs.readFileSync(path.join(tree.upload, up)).equals(fs.readFileSync(path.join(tree.clientIn, UPLOAD_FILE))), up);
      }
    });

    it('the independent derivation explains every TCP stream, and the traffic covers every method and family', (t) => {
      t.diagnostic(`${frames.length} frames, ${truth.controls.length} control connections, ${truth.data.length} data connections `
        + `(${truth.data.reduce((n, d) => n + d.frames.length, 0)} frames): `
        + ['PASV', 'EPSV', 'PORT', 'EPRT'].map((m) => `${m} ${truth.data.filter((d) => d.method === m).length}`).join(', '));
      assert.deepEqual(truth.problems, []);
      assert.equal(truth.controls.length, 12, 'twelve client runs, one control connection each');
      const seen = new Set(truth.data.map((d) => `${d.method}/IPv${d.family}`));
      assert.deepEqual([...seen].sort(), ['EPRT/IPv4', 'EPRT/IPv6', 'EPSV/IPv4', 'EPSV/IPv6', 'PASV/IPv4', 'PORT/IPv4']);
      assert.deepEqual(new Set(truth.controls.map((c) => c.server.port)), new Set(CONTROL_PORTS));
      const cmds = new Set(truth.data.map((d) => d.command?.verb));
      for (const verb of ['RETR', 'STOR', 'LIST']) assert.ok(cmds.has(verb), verb);
      assert.ok(truth.data.every((d) => d.command !== null), 'every data connection has its transfer command');
      assert.equal(truth.data.length, 18, 'data connections: curl 9, lftp 8, ftplib 1');
    });

    it('every frame of every control connection says role=control, its session and its control pair', () => {
      assert.equal(sessionOf.size, truth.controls.length, 'one session id per control connection');
      assert.equal(new Set(sessionOf.values()).size, truth.controls.length, 'distinct session ids');
      for (const c of truth.controls) {
        for (const no of c.frames) {
          const f = frames[no - 1] as FrameRow;
          assert.equal(f.comments.length, 1, `frame ${no}: ${f.comments.length} comments`);
          const kv = parseComment(f.comments[0] as string);
          assert.ok(kv, `frame ${no}: ${f.comments[0]}`);
          assert.equal(kv.get('role'), 'control', `frame ${no}`);
          assert.equal(kv.get('session'), String(sessionOf.get(c.stream)), `frame ${no}`);
          assert.equal(kv.get('control'), `${endpointText(c.client)}->${endpointText(c.server)}`, `frame ${no}`);
        }
      }
    });

    it('every frame of every data connection carries the one right role=data comment', () => {
      let checked = 0;
      for (const d of truth.data) {
        const texts = new Set(d.frames.map((no) => (frames[no - 1] as FrameRow).comments.join(' | ')));
        assert.equal(texts.size, 1, `tcp stream ${d.stream}: ${texts.size} different comments: ${[...texts].join(' || ')}`);
        const text = [...texts][0] as string;
        assert.deepEqual(commentProblems(text, d, sessionOf), [], `tcp stream ${d.stream} (${d.method} ${d.command?.verb}): ${text}`);
        checked += d.frames.length;
      }
      assert.ok(checked > 100, `${checked} data frames`);
    });

    it('frames outside FTP connections carry no ftpflow comment', () => {
      const ftpFrames = new Set([...truth.controls.flatMap((c) => c.frames), ...truth.data.flatMap((d) => d.frames)]);
      const stray = frames.filter((f) => !ftpFrames.has(f.no) && f.comments.length > 0).map((f) => `${f.no}: ${f.comments.join(' | ')}`);
      assert.deepEqual(stray, []);
    });

    it("a data connection opened before its command (curl's) carries that command from its SYN on", () => {
      const early = truth.data.filter((d) => d.command !== null && d.synFrame < d.command.frame);
      assert.ok(early.length >= 4, `${early.length} data connections opened before their command`);
      for (const d of early) {
        const kv = parseComment((frames[d.synFrame - 1] as FrameRow).comments[0] ?? '');
        assert.equal(kv?.get('cmd'), d.command?.verb, `SYN frame ${d.synFrame} of tcp stream ${d.stream}`);
      }
      assert.ok(early.some((d) => d.command?.verb === 'RETR'));
      // The ftplib session's RETR came ≥ 0.4 s after its SYN: in another capture batch than the SYN.
      const times = readCaptureFile(out).packets.map((p) => p.tsNs);
      const gapMs = (d: DataTruth): number => Number((times[(d.command?.frame ?? 0) - 1] ?? 0n) - (times[d.synFrame - 1] ?? 0n)) / 1e6;
      assert.ok(early.some((d) => gapMs(d) >= SLOW_RETR_PAUSE_S * 1000), early.map(gapMs).join(', '));
    });

    it('ftpflow.session == N (plugin installed in the temporary HOME) selects exactly that session\'s frames', async () => {
      for (const c of truth.controls) {
        const n = sessionOf.get(c.stream) as number;
        const want = [...c.frames, ...truth.data.filter((d) => d.control === c).flatMap((d) => d.frames)].sort((a, b) => a - b);
        const r = await run('tshark', ['-r', out, '-Y', `ftpflow.session == ${n}`, '-T', 'fields', '-e', 'frame.number'], { env, timeoutMs: 60_000 });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.stdout.split('\n').filter((l) => l !== '').map(Number), want, `session ${n}`);
      }
    });

    it('the same through -X lua_script: with a HOME that has no plugin, and a combined filter', async () => {
      const bare = temporaryHome('live-bare');
      try {
        const d = truth.data.find((x) => x.mode === 'active' && x.family === 6) as DataTruth;
        const n = sessionOf.get(d.control.stream) as number;
        const filter = `ftpflow.session == ${n} && ftpflow.mode == "active" && ftpflow.method == "EPRT"`;
        const want = truth.data.filter((x) => x.control === d.control && x.method === 'EPRT').flatMap((x) => x.frames).sort((a, b) => a - b);
        const r = await run('tshark', ['-X', `lua_script:${PLUGIN}`, '-r', out, '-Y', filter, '-T', 'fields', '-e', 'frame.number'],
          { env: bare.env, timeoutMs: 60_000 });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.stdout.split('\n').filter((l) => l !== '').map(Number), want);
      } finally {
        bare.remove();
      }
    });

    it('frame numbers are capture order: the same TCP packets, same bytes, same order and times as dumpcap beside it', () => {
      const mine = readCaptureFile(out);
      const theirs = readCaptureFile(ref);
      assert.equal(mine.error, null);
      assert.equal(theirs.error, null);
      // Only TCP: neighbour and MLD packets repeat byte for byte, so they cannot anchor a comparison.
      const a = mine.packets.filter((p) => isTcp(p.data));
      const b = theirs.packets.filter((p) => isTcp(p.data));
      assert.equal(a.length, b.length, 'every TCP packet dumpcap saw, ftpflow saw');
      // Two packet sockets may see packets that crossed the veth at the same instant (one sent, one received,
      // stamped on different CPUs) in either order. So a packet may only trade places with packets less than
      // 1 ms from it; anything else out of place is a reordering by ftpflow.
      const WINDOW = 1_000_000n;
      const near = (p: bigint, q: bigint) => (p > q ? p - q : q - p) < WINDOW;
      const pending = [...b];
      for (let i = 0; i < a.length; i++) {
        const x = a[i] as (typeof a)[number];
        let k = 0;
        while (k < pending.length && !Buffer.from(x.data).equals(Buffer.from((pending[k] as (typeof b)[number]).data))) {
          assert.ok(near((pending[k] as (typeof b)[number]).tsNs, x.tsNs), `TCP packet ${i + 1} is out of capture order`);
          k++;
        }
        assert.ok(k < pending.length, `TCP packet ${i + 1} is not in the reference capture`);
        const y = pending.splice(k, 1)[0] as (typeof b)[number];
        // Each packet socket stamps its own copy (µs apart); a stamp taken on arrival in user space would be far off.
        assert.ok(near(x.tsNs, y.tsNs), `TCP packet ${i + 1}: time ${x.tsNs} vs ${y.tsNs}`);
      }
      // (Times are not checked to rise: on a veth the kernel stamps the two directions at different points, and
      // dumpcap's own file steps back by a few µs now and then too.)
      // setup_frame is ftpflow's own frame count; in the file it must point at the 227/229 reply or PORT/EPRT.
      for (const d of truth.data) {
        const kv = parseComment((frames[d.frames[0] as number - 1] as FrameRow).comments[0] ?? '');
        assert.equal(kv?.get('setup_frame'), String(d.setupFrame), `tcp stream ${d.stream}`);
      }
    });
  });

  describe('stopping TShark while a transfer runs', () => {
    // A token bucket on the server's veth keeps one 4 MB download flowing for ~8 s (curl's --limit-rate
    // does not: the server fills the socket buffers in one burst).
    const tc = (verb: string, ...rest: string[]) => {
      const [cmd, args] = inNs(pair.server.ns, 'tc', ['qdisc', verb, 'dev', pair.server.ifname, 'root', ...rest]);
      return run(cmd, args, { timeoutMs: 10_000 });
    };
    before(async () => assert.equal((await tc('replace', 'tbf', 'rate', '4mbit', 'burst', '16kb', 'limit', '200kb')).code, 0));
    after(async () => void (await tc('del')));

    for (const [signal, backend] of [['SIGTERM', 'libpcap'], ['SIGINT', 'dumpcap']] as const) {
      it(`${signal} (extcap on ${backend}): TShark exits 0 at once, nothing on stderr, no process left`, async () => {
        const out = path.join(work, `stop-${signal}.pcapng`);
        const logFile = path.join(work, `extcap-stop-${signal}.log`);
        const tshark = new LiveTshark({
          ns: pair.client.ns, iface, out, logFile, maxSeconds: 120, prefs: { controlports: CONTROL_PORTS.join(',') },
          env: { ...env, FTPFLOW_CAPTURE_BACKEND: backend },
        });
        const [ccmd, cargs] = inNs(pair.client.ns, 'curl', ['--silent', '--max-time', '30',
          `ftp://${urlHost(pair.server.ipv4, 2121)}/pub/big.bin`, '-o', path.join(tree.clientOut, `stop-${signal}.bin`)]);
        let client: ReturnType<typeof spawn> | null = null;
        try {
          assert.ok(await tshark.waitReady(READY_MS), `tshark not capturing: ${tshark.stderrText} ${tshark.logText()}`);
          client = spawn(ccmd, cargs, { stdio: 'ignore' });
          await new Promise((r) => setTimeout(r, 2000));
          assert.equal(client.exitCode, null, 'the transfer is still running when TShark is stopped');
          const launched = tshark.noteLaunched();
          const stop = await tshark.stop(signal, STOP_MS);
          assert.equal(stop.timedOut, false, 'tshark did not exit');
          assert.equal(stop.code, 0, stop.stderr);
          assert.ok(stop.ms < 5000, `tshark took ${stop.ms} ms to stop`);
          assert.deepEqual(unusualTsharkLines(stop.stderr), []);

          const extcap = launched.filter((p) => /main\.js extcap --capture/.test(p.cmdline));
          assert.equal(extcap.length, 1, launched.map((p) => p.cmdline).join('\n'));
          if (backend === 'dumpcap') assert.ok(launched.some((p) => /^dumpcap -i \S+ -s/.test(p.cmdline.replace(/^\S*\//, ''))), 'the extcap\'s own dumpcap');
          const left = await waitAllGone([...tshark.launched.values()], 5000);
          assert.deepEqual(left.map((p) => `${p.pid} ${p.cmdline}`), []);

          const log = tshark.logText();
          assert.match(log, new RegExp(`capturing with ${backend}`));
          assert.match(log, /stopping: (SIGTERM|SIGINT|SIGPIPE|FIFO closed)/);
          assert.match(log, /stopped: \d+ frames classified/);
          const file = readCaptureFile(out);
          assert.equal(file.error, null);
          assert.ok(file.packets.some((p) => p.comments.some((c) => c.includes('role=data') && c.includes('cmd=RETR'))), 'data frames captured');
        } finally {
          if (client && client.exitCode === null) client.kill('SIGKILL');
          if (tshark.child.exitCode === null) await tshark.stop('SIGKILL', 5000);
        }
      });
    }
  });

  describe('captures that cannot start end at once with one clear line', () => {
    it('a bad capture filter: "Error by extcap pipe: ftpflow: capture filter … is not valid", exit ≠ 0, no hang', async () => {
      const r = await run('tshark', ['-i', 'ftpflow-lo', '-f', 'this is not a filter', '-a', 'duration:60', '-w', path.join(work, 'bad-filter.pcapng')],
        { env, cwd: work, timeoutMs: 60_000 });
      assert.equal(r.timedOut, false);
      assert.notEqual(r.code, 0);
      assert.ok(r.ms < 15_000, `${r.ms} ms`);
      const lines = unusualTsharkLines(r.stderr);
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0] ?? '', /^tshark: Error by extcap pipe: ftpflow: capture filter ".*this is not a filter.*" is not valid: syntax error/);
    });

    it('an unknown ftpflow device through TShark: it names the device, exit ≠ 0, no hang', async () => {
      const r = await run('tshark', ['-i', 'ftpflow-doesnotexist0', '-a', 'duration:60', '-w', path.join(work, 'bad-device.pcapng')],
        { env, cwd: work, timeoutMs: 60_000 });
      assert.equal(r.timedOut, false);
      assert.notEqual(r.code, 0);
      assert.ok(r.ms < 15_000, `${r.ms} ms`);
      const lines = unusualTsharkLines(r.stderr);
      assert.match(lines[0] ?? '', /^tshark: There is no device named "ftpflow-doesnotexist0"\.$/);
      assert.deepEqual(lines.slice(1), ['(No such device exists)']);
    });

    it('an unknown device given to the extcap itself: one line on stderr, the FIFO opened and closed, exit 1', async () => {
      const fifo = path.join(work, 'unknown-device.fifo');
      assert.equal((await run('mkfifo', [fifo])).code, 0);
      const reader = run('cat', [fifo], { timeoutMs: 20_000 });
      const r = await run(repoPath('extcap', 'ftpflow'), ['--capture', '--extcap-interface', 'ftpflow-doesnotexist0', '--fifo', fifo],
        { env, timeoutMs: 20_000 });
      const cat = await reader;
      assert.equal(r.code, 1);
      assert.ok(r.ms < 5000, `${r.ms} ms`);
      assert.match(r.stderr, /^ftpflow: .*doesnotexist0.*\n$/);
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
      assert.deepEqual([cat.code, cat.stdout, cat.timedOut], [0, '', false]);
    });
  });
});

/** Ethernet + IPv4/IPv6 + TCP (no extension headers on this traffic). */
function isTcp(data: Uint8Array): boolean {
  const type = ((data[12] ?? 0) << 8) | (data[13] ?? 0);
  return (type === 0x0800 && data[23] === 6) || (type === 0x86dd && data[20] === 6);
}

/** What is wrong with a data connection's comment, compared with the derivation; [] when right. */
function commentProblems(text: string, d: DataTruth, sessionOf: ReadonlyMap<number, number>): string[] {
  const kv = parseComment(text);
  if (!kv) return [`not one ftpflow comment: ${text}`];
  const want: Record<string, string> = {
    role: 'data',
    session: String(sessionOf.get(d.control.stream)),
    mode: d.mode,
    method: d.method,
    cmd: d.command?.verb ?? '(none)',
    control: `${endpointText(d.control.client)}->${endpointText(d.control.server)}`,
    setup_frame: String(d.setupFrame),
    confidence: 'exact',
  };
  if (d.command && d.command.arg !== '' && d.command.verb !== 'LIST') want.arg = d.command.arg;
  const problems: string[] = [];
  for (const [k, v] of Object.entries(want)) if (kv.get(k) !== v) problems.push(`${k}=${kv.get(k)} (want ${v})`);
  return problems;
}

/**
 * The twelve client runs, one control connection each, in this order. `downloads` collects (received, served)
 * pairs for the intact-files check.
 */
async function runAllClients(pair: NetnsPair, tree: LabTree, downloads: [string, string][]): Promise<void> {
  const S4 = pair.server.ipv4;
  const S6 = pair.server.ipv6;
  const o = (name: string): string => path.join(tree.clientOut, name);
  const served = (name: string): string => path.join(tree.root, 'pub', name);
  const must = async (what: string, p: Promise<Awaited<ReturnType<typeof run>>>): Promise<void> => {
    const r = await p;
    assert.equal(r.code, 0, `${what}: ${r.stderr}${r.stdout}`);
  };
  const url = (host: string, port: number, p: string): string => `ftp://${urlHost(host, port)}/${p}`;

  // curl: PASV (LIST + RETR on one control connection; curl connects before it sends the command), PORT from port 20.
  await must('curl PASV', curl(pair, ['--disable-epsv', url(S4, 21, 'pub/'), '-o', o('c1-list'), url(S4, 21, 'pub/alpha.txt'), '-o', o('c1-alpha.txt')]));
  downloads.push([o('c1-alpha.txt'), served('alpha.txt')]);
  await must('curl PORT', curl(pair, ['-P', '-', '--disable-eprt', url(S4, 21, 'pub/beta.bin'), '-o', o('c2-beta.bin')]));
  downloads.push([o('c2-beta.bin'), served('beta.bin')]);
  // curl against pyftpdlib on 2221: EPSV and EPRT over IPv4.
  await must('curl EPSV v4', curl(pair, [url(S4, 2221, 'pub/gamma.bin'), '-o', o('c3-gamma.bin')]));
  downloads.push([o('c3-gamma.bin'), served('gamma.bin')]);
  await must('curl EPRT v4', curl(pair, ['-P', '-', url(S4, 2221, 'pub/alpha.txt'), '-o', o('c4-alpha.txt')]));
  downloads.push([o('c4-alpha.txt'), served('alpha.txt')]);
  // curl upload (STOR) to the dual-stack vsftpd over IPv4, EPSV.
  await must('curl STOR', curl(pair, ['-T', path.join(tree.clientIn, UPLOAD_FILE), url(S4, 2121, 'upload/c5-up.txt')]));
  // curl over IPv6: EPSV (vsftpd) and EPRT (pyftpdlib, RETR + LIST).
  await must('curl EPSV v6', curl(pair, [url(S6, 2121, 'pub/beta.bin'), '-o', o('c6-beta.bin')]));
  downloads.push([o('c6-beta.bin'), served('beta.bin')]);
  await must('curl EPRT v6', curl(pair, ['-P', '-', url(S6, 2221, 'pub/gamma.bin'), '-o', o('c7-gamma.bin'), url(S6, 2221, 'pub/'), '-o', o('c7-list')]));
  downloads.push([o('c7-gamma.bin'), served('gamma.bin')]);

  // lftp: PASV and PORT over IPv4, EPSV and EPRT over IPv6 (lftp picks the extended forms itself on IPv6).
  await must('lftp PASV v4', lftp(pair, tree, 'l8', { host: urlHost(S4, 2221), passive: true, preferEpsv: false,
    commands: ['ls pub', `get pub/alpha.txt -o ${o('l8-alpha.txt')}`, `put ${path.join(tree.clientIn, UPLOAD_FILE)} -o upload/l8-up.txt`] }));
  downloads.push([o('l8-alpha.txt'), served('alpha.txt')]);
  await must('lftp PORT v4', lftp(pair, tree, 'l9', { host: urlHost(S4, 2121), passive: false, preferEpsv: false,
    commands: [`get pub/beta.bin -o ${o('l9-beta.bin')}`, `put ${path.join(tree.clientIn, UPLOAD_FILE)} -o upload/l9-up.txt`] }));
  downloads.push([o('l9-beta.bin'), served('beta.bin')]);
  await must('lftp EPSV v6', lftp(pair, tree, 'l10', { host: urlHost(S6, 2221), passive: true, preferEpsv: true,
    commands: [`get pub/gamma.bin -o ${o('l10-gamma.bin')}`] }));
  downloads.push([o('l10-gamma.bin'), served('gamma.bin')]);
  await must('lftp EPRT v6', lftp(pair, tree, 'l11', { host: urlHost(S6, 2121), passive: false, preferEpsv: false,
    commands: ['ls pub', `get pub/alpha.txt -o ${o('l11-alpha.txt')}`] }));
  downloads.push([o('l11-alpha.txt'), served('alpha.txt')]);

  // Python's ftplib, pausing between the data connection and RETR: the SYN and the command arrive in different
  // capture batches, so only the delay line's look-ahead can give the SYN its cmd=RETR.
  const [pcmd, pargs] = inNs(pair.client.ns, PYTHON, ['-c', SLOW_RETR_CLIENT, S4, '21', 'gamma.bin', o('p12-gamma.bin'), String(SLOW_RETR_PAUSE_S)]);
  await must('python ftplib slow RETR', run(pcmd, pargs, { timeoutMs: 30_000 }));
  downloads.push([o('p12-gamma.bin'), served('gamma.bin')]);
}

/** Seconds between the data connection's SYN and RETR in the ftplib session: well under the 1 s look-ahead. */
const SLOW_RETR_PAUSE_S = 0.4;
const SLOW_RETR_CLIENT = `
import ftplib, socket, sys, time
host, port, name, out, pause = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
ftp = ftplib.FTP(timeout=10)
ftp.connect(host, port)
ftp.login()
ftp.cwd('pub')
ftp.voidcmd('TYPE I')
data = socket.create_connection(ftplib.parse227(ftp.sendcmd('PASV')), timeout=10)
time.sleep(pause)
ftp.sendcmd('RETR ' + name)
chunks = []
while True:
    chunk = data.recv(65536)
    if not chunk:
        break
    chunks.append(chunk)
data.close()
ftp.voidresp()
ftp.quit()
open(out, 'wb').write(b''.join(chunks))
`;
