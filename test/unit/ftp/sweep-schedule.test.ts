import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counters } from '../../../src/core/counters';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type TcpPacket } from '../../../src/decode';
import { newTcp4Peek } from '../../../src/decode/tcp4-peek';
import { DEFAULT_TRACKER_LIMITS, FtpTracker, type TrackerLimits, type TrackerObserver, type TrackerOptions } from '../../../src/ftp/tracker';
import type { Connection } from '../../../src/ftp/connections';
import { Prng } from '../../fixtures/gen/prng';

/**
 * The tracker's sweep visits only the connections its schedule files as possibly due. These tests
 * run the same packets through it and through a tracker whose sweep visits every connection (the
 * plain scan the schedule replaces) and require the same story: which connection ends at which
 * frame, in which order, every other observer event, every classification and every counter.
 */

/** The reference: every sweep visits every connection, oldest first. */
class FullScanTracker extends FtpTracker {
  protected override sweepCandidates(): Connection[] {
    return [...this.byAge];
  }
}

interface Ep { ip: string; port: number }
interface Frame { ts: number; pkt: TcpPacket }

const ep = (ip: string, port: number): Ep => ({ ip, port });
const S = 1e9;

/**
 * A random but reproducible capture: FTP sessions (commands, PASV/PORT, holes in the control
 * stream, closes, resets, silence), data connections for what they announce (closed, reset or
 * left idle), detection candidates, and packet time that mostly creeps, sometimes jumps ahead past
 * every time-out, and sometimes goes back.
 */
function generate(seed: number, steps: number): Frame[] {
  const rng = new Prng(seed);
  const frames: Frame[] = [];
  let t = 1_700_000_000 * S + rng.int(0, 999_999_999);
  const next = new Map<string, number>();   // next sequence number, per direction "src>dst"
  const acked = new Map<string, number>();  // what the receiver of that direction acknowledges
  const lost = new Map<string, { seq: number; text: string }>(); // a segment the capture missed
  const dir = (a: Ep, b: Ep): string => `${a.ip}:${a.port}>${b.ip}:${b.port}`;

  function send(src: Ep, dst: Ep, flags: number, text = ''): void {
    const d = dir(src, dst);
    const seq = next.get(d) ?? rng.int(0, 0xffffffff);
    const payload = Buffer.from(text, 'latin1');
    const end = (seq + payload.length + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0;
    next.set(d, end);
    if (!lost.has(d)) acked.set(d, end);
    const back = acked.get(dir(dst, src));
    const ack = back !== undefined && !(flags & TCP_SYN && !(flags & TCP_ACK)) ? TCP_ACK : 0;
    t += rng.int(1, 2_000_000); // within one exchange: up to 2 ms
    frames.push({ ts: t, pkt: {
      kind: 'tcp', ipVersion: 4, src: src.ip, dst: dst.ip, srcV4: v4(src.ip), dstV4: v4(dst.ip),
      srcPort: src.port, dstPort: dst.port, seq, ack: back ?? 0, flags: flags | ack, payload, missingBytes: 0,
    } });
  }
  /** A segment the capture misses: what follows waits behind the hole. */
  function lose(src: Ep, dst: Ep, text: string): void {
    const d = dir(src, dst);
    const seq = next.get(d);
    if (seq === undefined || lost.has(d)) return;
    lost.set(d, { seq, text });
    next.set(d, (seq + text.length) >>> 0);
  }
  /** The missed segment, retransmitted: the hole fills. */
  function refill(src: Ep, dst: Ep): void {
    const d = dir(src, dst);
    const gap = lost.get(d);
    if (!gap) return;
    lost.delete(d);
    const after = next.get(d)!;
    next.set(d, gap.seq);
    send(src, dst, TCP_PSH, gap.text);
    next.set(d, after);
    acked.set(d, after);
  }
  const connect = (a: Ep, b: Ep): void => { send(a, b, TCP_SYN); send(b, a, TCP_SYN | TCP_ACK); send(a, b, TCP_ACK); };
  const close = (a: Ep, b: Ep): void => { send(a, b, TCP_FIN); send(b, a, TCP_FIN); send(a, b, TCP_ACK); };

  interface Session { client: Ep; server: Ep }
  const sessions: Session[] = [];
  const announced: { connector: Ep; listener: Ep }[] = [];
  const data: { a: Ep; b: Ep }[] = [];
  const candidates: { a: Ep; b: Ep }[] = [];
  let port = 20_000;

  for (let step = 0; step < steps; step++) {
    const r = rng.next();
    if (r < 0.80) t += rng.int(1, 50) * 1e6;         // creep
    else if (r < 0.94) t += rng.int(200, 3000) * 1e6;   // a pause
    else if (r < 0.98) t += rng.int(3, 40) * S;                // past some time-outs
    else t -= rng.int(100, 5000) * 1e6;                 // time goes back

    const a = rng.next();
    if (a < 0.08 || sessions.length === 0) {
      const s = { client: ep(`10.0.${rng.int(0, 3)}.${rng.int(1, 50)}`, port++), server: ep(`10.1.0.${rng.int(1, 4)}`, 21) };
      sessions.push(s);
      connect(s.client, s.server);
      send(s.server, s.client, TCP_PSH, '220 ready\r\n');
    } else if (a < 0.40) {
      const s = rng.pick(sessions);
      const what = rng.next();
      if (what < 0.3) {
        const p = rng.int(1025, 65000);
        send(s.client, s.server, TCP_PSH, 'PASV\r\n');
        send(s.server, s.client, TCP_PSH, `227 Entering Passive Mode (${s.server.ip.replaceAll('.', ',')},${p >> 8},${p & 255})\r\n`);
        announced.push({ connector: ep(s.client.ip, port++), listener: ep(s.server.ip, p) });
      } else if (what < 0.55) {
        const p = rng.int(1025, 65000);
        send(s.client, s.server, TCP_PSH, `PORT ${s.client.ip.replaceAll('.', ',')},${p >> 8},${p & 255}\r\n`);
        send(s.server, s.client, TCP_PSH, '200 PORT command successful\r\n');
        announced.push({ connector: ep(s.server.ip, 20), listener: ep(s.client.ip, p) });
      } else if (what < 0.7) {
        send(s.client, s.server, TCP_PSH, `RETR f${step}\r\n`);
        send(s.server, s.client, TCP_PSH, '150 here it comes\r\n');
      } else if (what < 0.85) {
        // A hole in one direction: later lines wait (until an ACK, a refill or the hole time-out).
        const [from, to] = rng.chance(0.5) ? [s.client, s.server] : [s.server, s.client];
        lose(from, to, from === s.client ? 'NOOP\r\n' : '200 ok\r\n');
        send(from, to, TCP_PSH, from === s.client ? 'PASV\r\n' : '227 Entering Passive Mode (10,9,9,9,4,1)\r\n');
      } else {
        const [from, to] = rng.chance(0.5) ? [s.client, s.server] : [s.server, s.client];
        refill(from, to);
      }
    } else if (a < 0.52 && announced.length > 0) {
      const x = announced.splice(rng.int(0, announced.length - 1), 1)[0]!;
      connect(x.connector, x.listener);
      data.push({ a: x.connector, b: x.listener });
    } else if (a < 0.80 && data.length > 0) {
      const d = rng.pick(data);
      for (let i = rng.int(1, 6); i > 0; i--) {
        const [from, to] = rng.chance(0.8) ? [d.b, d.a] : [d.a, d.b];
        send(from, to, TCP_ACK, 'x'.repeat(rng.int(0, 40)));
      }
    } else if (a < 0.87 && data.length > 0) {
      const d = data.splice(rng.int(0, data.length - 1), 1)[0]!;
      if (rng.chance(0.8)) close(d.a, d.b);
      else if (rng.chance(0.5)) send(d.a, d.b, TCP_RST);
      else send(d.a, d.b, TCP_FIN); // half closed, then silence
    } else if (a < 0.91) {
      const s = rng.pick(sessions);
      if (rng.chance(0.6)) close(s.client, s.server);
      else send(s.server, s.client, TCP_RST);
      if (rng.chance(0.3)) connect(s.client, s.server); // the same pair again, while the old one lingers
    } else if (a < 0.97) {
      // --detect-control candidates: a SYN on any port, later FTP, something else, or nothing.
      const c = { a: ep(`10.2.0.${rng.int(1, 9)}`, port++), b: ep(`10.3.0.${rng.int(1, 3)}`, rng.int(2000, 2100)) };
      send(c.a, c.b, TCP_SYN);
      candidates.push(c);
    } else if (candidates.length > 0) {
      const c = candidates.splice(rng.int(0, candidates.length - 1), 1)[0]!;
      send(c.b, c.a, TCP_PSH, rng.chance(0.5) ? '220 FTP here\r\n' : 'SSH-2.0-x\r\n');
    }
  }
  return frames;
}

function v4(ip: string): number {
  return ip.split('.').reduce((n, b) => n * 256 + Number(b), 0);
}

/** Small limits, so that a few thousand packets hit every time-out and cap many times. */
function limits(sweepEveryNs: number): TrackerLimits {
  return {
    ...DEFAULT_TRACKER_LIMITS,
    maxConnections: 24,
    maxSessions: 18,
    controlIdleNs: 45 * S,
    dataIdleNs: 12 * S,
    candidateIdleNs: 6 * S,
    closedLingerNs: 4 * S,
    sweepEveryNs,
    reassembly: { ...DEFAULT_TRACKER_LIMITS.reassembly, holeTimeoutNs: 7 * S },
    expectations: { ...DEFAULT_TRACKER_LIMITS.expectations, ttlNs: 20 * S },
  };
}

/**
 * Feeds the frames the way the engine does (data packets try the fast path first) and writes down
 * everything observable, each line with the frame it happened at.
 */
function run(Tracker: typeof FtpTracker, frames: Frame[], options: TrackerOptions): { log: string[]; counters: Record<string, number> } {
  const log: string[] = [];
  let frameNo = 0;
  const at = (what: string): void => { log.push(`${frameNo} ${what}`); };
  const observer: TrackerObserver = {
    onSessionOpened: (s) => at(`session ${s.key}`),
    onAnnounce: (s, setup) => at(`announce ${s.key} ${setup.method} ${setup.announced?.port}`),
    onTransfer: (s, setup) => at(`transfer ${s.key} ${setup.transfer?.verb} ${setup.transfer?.replyCode}`),
    onDataConnection: (c) => at(`data ${c.ordinal}`),
    onDataClosed: (c) => at(`data-closed ${c.ordinal}`),
    onConnectionEnd: (c) => at(`end ${c.kind} ${c.ordinal}`),
  };
  const counters = new Counters();
  const tracker = new Tracker(options, counters, observer);
  const peek = newTcp4Peek();
  for (const { ts, pkt } of frames) {
    frameNo++;
    let conn: Connection | null = null;
    if ((pkt.flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0) {
      Object.assign(peek, {
        srcV4: pkt.srcV4, dstV4: pkt.dstV4, srcPort: pkt.srcPort, dstPort: pkt.dstPort, seq: pkt.seq, ack: pkt.ack, flags: pkt.flags,
        payloadLen: pkt.payload.length, frame: pkt.payload, payloadAt: 0,
      });
      conn = tracker.processFast(frameNo, ts, peek);
    }
    conn ??= tracker.process(frameNo, ts, pkt);
    if (conn) at(`is ${conn.kind} ${conn.ordinal}`);
  }
  frameNo++;
  tracker.finish();
  return { log, counters: counters.snapshot() };
}

/** "line N: <scheduled> vs <reference>" where the two logs first differ, or null. */
function firstDifference(a: string[], b: string[]): string | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `first difference at log line ${i}: ${a[i] ?? '(end)'} vs ${b[i] ?? '(end)'}`;
  }
  return null;
}

describe('tracker sweep schedule', () => {
  it('ends every connection at the same frame, in the same order, with the same counters as a scan of every connection', () => {
    const totals = new Counters();
    for (let seed = 1; seed <= 24; seed++) {
      const frames = generate(seed, 2500);
      const sweepEveryNs = [S, S, 300_000_000, 2_500_000_000, 7 * S][seed % 5]!;
      const options: TrackerOptions = { controlPorts: new Set([21]), detectControl: seed % 2 === 0, limits: limits(sweepEveryNs) };
      const scheduled = run(FtpTracker, frames, options);
      const reference = run(FullScanTracker, frames, options);
      assert.equal(firstDifference(scheduled.log, reference.log), null, `seed ${seed}`);
      assert.deepEqual(scheduled.counters, reference.counters, `seed ${seed}`);
      for (const [name, n] of Object.entries(scheduled.counters)) totals.inc(name as never, n);
    }
    // The captures exercise every way a sweep acts, and the caps.
    for (const name of ['flow.evicted_idle', 'flow.evicted_closed', 'flow.evicted_cap', 'ftp.session.evicted_cap',
      'reassembly.gap_skipped', 'expect.expired', 'flow.reused', 'data.connections', 'ftp.session.detected'] as const) {
      assert.ok(totals.get(name) > 20, `${name}: ${totals.get(name)}`);
    }
  });
});
