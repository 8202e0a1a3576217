import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counters } from '../../../src/core/counters';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type TcpPacket } from '../../../src/decode';
import { formatComment } from '../../../src/annotate/format';
import { parseIPv4 } from '../../../src/core/ip';
import { DEFAULT_TRACKER_LIMITS, FtpTracker, type TrackerLimits } from '../../../src/ftp/tracker';
import type { Connection } from '../../../src/ftp/connections';

/**
 * Drives the tracker with hand-built TCP segments: a tiny TCP "world" that keeps sequence numbers,
 * so each test reads as the conversation it is.
 */
class World {
  readonly counters = new Counters();
  readonly tracker: FtpTracker;
  private frame = 0;
  private t = 0;
  private readonly seqs = new Map<string, number>();
  readonly comments: string[] = [];

  constructor(opts: { ports?: number[]; detect?: boolean; limits?: Partial<TrackerLimits> } = {}) {
    this.tracker = new FtpTracker({
      controlPorts: new Set(opts.ports ?? [21]),
      detectControl: opts.detect ?? false,
      limits: { ...DEFAULT_TRACKER_LIMITS, ...opts.limits },
    }, this.counters);
  }

  /** Advances packet time. */
  wait(seconds: number): void {
    this.t += Math.round(seconds * 1e9);
  }

  send(src: string, dst: string, flags: number, text = ''): Connection | null {
    const [sip, sport] = split(src);
    const [dip, dport] = split(dst);
    const seq = this.seqs.get(src + '>' + dst) ?? 1000;
    const payload = Buffer.from(text, 'latin1');
    this.seqs.set(src + '>' + dst, (seq + payload.length + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0)) >>> 0);
    const pkt: TcpPacket = {
      kind: 'tcp', ipVersion: sip.includes(':') ? 6 : 4, src: sip, dst: dip, srcV4: v4(sip), dstV4: v4(dip), srcPort: sport, dstPort: dport,
      seq, ack: this.seqs.get(dst + '>' + src) ?? 0, flags: flags | (flags & TCP_SYN && !(flags & TCP_ACK) ? 0 : TCP_ACK),
      payload, missingBytes: 0,
    };
    this.t += 1_000_000;
    const conn = this.tracker.process(++this.frame, this.t, pkt);
    this.comments.push(conn ? formatComment(conn) : '');
    return conn;
  }

  connect(a: string, b: string): void {
    this.send(a, b, TCP_SYN);
    this.send(b, a, TCP_SYN | TCP_ACK);
    this.send(a, b, TCP_ACK);
  }

  close(a: string, b: string): void {
    this.send(a, b, TCP_FIN);
    this.send(b, a, TCP_FIN);
    this.send(a, b, TCP_ACK);
  }

  /** Client command and server reply on a control connection. */
  say(client: string, server: string, command: string, reply?: string): void {
    this.send(client, server, TCP_PSH, command + '\r\n');
    if (reply !== undefined) this.send(server, client, TCP_PSH, reply + '\r\n');
  }

  get frameNo(): number {
    return this.frame;
  }
}

function v4(ip: string): number {
  const b = parseIPv4(ip);
  return b ? Buffer.from(b).readUInt32BE(0) : -1;
}

function split(ep: string): [string, number] {
  const i = ep.lastIndexOf(':');
  const ip = ep.slice(0, i).replace(/^\[|\]$/g, '');
  return [ip, Number(ep.slice(i + 1))];
}

const C = '10.0.0.2:40000';
const S = '10.0.0.1:21';

function login(w: World, client = C, server = S): void {
  w.connect(client, server);
  w.send(server, client, TCP_PSH, '220 ready\r\n');
  w.say(client, server, 'USER anonymous', '331 ok');
  w.say(client, server, 'PASS secret', '230 in');
}

test('tracker: PASV, then a data connection opened before RETR gets cmd=RETR on every packet', () => {
  const w = new World();
  login(w);
  w.say(C, S, 'PASV', '227 Entering Passive Mode (10,0,0,1,19,137)');
  const setupFrame = w.frameNo;
  const data = w.send('10.0.0.2:40001', '10.0.0.1:5001', TCP_SYN);
  assert.equal(data?.kind, 'data');
  w.send('10.0.0.1:5001', '10.0.0.2:40001', TCP_SYN | TCP_ACK);
  w.say(C, S, 'RETR pub/file one.iso', '150 here');
  w.send('10.0.0.1:5001', '10.0.0.2:40001', TCP_PSH, 'DATA');
  // The comment the tracker knows now (final): the earlier packets get it through the label policy.
  assert.equal(formatComment(data!),
    `ftpflow role=data session=1 mode=passive method=PASV cmd=RETR arg="pub/file one.iso" dir=down control=10.0.0.2:40000->10.0.0.1:21 setup_frame=${setupFrame} confidence=exact`);
  assert.equal(w.counters.get('data.connections'), 1);
  assert.ok(w.comments[1]!.includes('user=anonymous') === false, 'the user is not known on the SYN-ACK yet');
  assert.ok(!w.comments.join('\n').includes('secret'), 'passwords never appear');
});

test('tracker: SIZE and CWD between PASV and RETR do not become the command', () => {
  const w = new World();
  login(w);
  w.say(C, S, 'EPSV', '229 Entering Extended Passive Mode (|||6000|)');
  w.say(C, S, 'SIZE /README', '213 12');
  w.say(C, S, 'CWD /', '250 ok');
  w.say(C, S, 'RETR /README', '150 ok');
  const data = w.send('10.0.0.2:40001', '10.0.0.1:6000', TCP_SYN);
  assert.match(formatComment(data!), / method=EPSV cmd=RETR arg=\/README /);
});

test('tracker: a 227 naming a private address still matches the control server address, flagged nat', () => {
  const w = new World();
  login(w);
  w.say(C, S, 'PASV', '227 Entering Passive Mode (192,168,7,7,19,137)');
  const data = w.send('10.0.0.2:40001', '10.0.0.1:5001', TCP_SYN);
  assert.match(formatComment(data!), /confidence=nat/);
  assert.equal(w.counters.get('data.nat'), 1);
});

test('tracker: 0,0,0,0 in the 227 matches the control server address', () => {
  const w = new World();
  login(w);
  w.say(C, S, 'PASV', '227 Entering Passive Mode (0,0,0,0,19,137)');
  assert.equal(w.send('10.0.0.2:40001', '10.0.0.1:5001', TCP_SYN)?.kind, 'data');
});

test('tracker: active data from an ephemeral server port (not 20), EPRT over IPv6', () => {
  const w = new World();
  const c6 = '[2001:db8::2]:40000', s6 = '[2001:db8::1]:21';
  login(w, c6, s6);
  w.say(c6, s6, 'EPRT |2|2001:db8::2|50000|', '200 ok');
  w.say(c6, s6, 'LIST', '150 ok');
  const data = w.send('[2001:db8::1]:55785', '[2001:db8::2]:50000', TCP_SYN);
  assert.match(formatComment(data!), /mode=active method=EPRT cmd=LIST dir=down control=\[2001:db8::2\]:40000->\[2001:db8::1\]:21 /);
});

test('tracker: PORT to a third host is linked and flagged fxp=1', () => {
  const w = new World();
  login(w);
  w.say(C, S, 'PORT 10,0,0,9,4,1', '200 ok');
  w.say(C, S, 'STOR x', '150 ok');
  const data = w.send('10.0.0.1:20', '10.0.0.9:1025', TCP_SYN);
  assert.match(formatComment(data!), /mode=active method=PORT cmd=STOR arg=x dir=up .* confidence=exact fxp=1$/);
});

test('tracker: a refused PORT is not expected any more', () => {
  const w = new World();
  login(w);
  w.say(C, S, 'PORT 10,0,0,2,4,1', '500 no');
  assert.equal(w.send('10.0.0.1:20', '10.0.0.2:1025', TCP_SYN), null);
  assert.equal(w.counters.get('ftp.setup.refused'), 1);
});

test('tracker: a stale PORT of one session does not capture the other session\'s data connection', () => {
  const w = new World();
  const C2 = '10.0.0.2:40002';
  login(w);
  login(w, C2);
  w.say(C, S, 'PORT 10,0,0,2,4,1', '200 ok');          // never used
  w.say(C2, S, 'PORT 10,0,0,2,4,2', '200 ok');
  w.say(C2, S, 'RETR b', '150 ok');
  const data = w.send('10.0.0.1:20', '10.0.0.2:1026', TCP_SYN);
  assert.match(formatComment(data!), /session=2 .*cmd=RETR arg=b/);
  assert.equal(w.send('10.0.0.1:20', '10.0.0.2:1027', TCP_SYN), null, 'an unannounced port is not data');
});

test('tracker: pipelined PASV and RETR in one segment', () => {
  const w = new World();
  login(w);
  w.send(C, S, TCP_PSH, 'PASV\r\nRETR a.txt\r\n');
  w.send(S, C, TCP_PSH, '227 Entering Passive Mode (10,0,0,1,19,137).\r\n150 ok\r\n');
  assert.match(formatComment(w.send('10.0.0.2:40001', '10.0.0.1:5001', TCP_SYN)!), /method=PASV cmd=RETR arg=a.txt/);
});

test('tracker: lower-case commands', () => {
  const w = new World();
  login(w);
  w.say(C, S, 'epsv', '229 ok (|||6001|)');
  w.say(C, S, 'nlst', '150 ok');
  assert.match(formatComment(w.send('10.0.0.2:40001', '10.0.0.1:6001', TCP_SYN)!), /method=EPSV cmd=NLST/);
});

test('tracker: EPSV ALL creates nothing, the EPSV after it works', () => {
  const w = new World();
  login(w);
  w.say(C, S, 'EPSV ALL', '200 ok');
  assert.equal(w.tracker.expectations.size, 0);
  w.say(C, S, 'EPSV', '229 ok (|||6002|)');
  assert.equal(w.tracker.expectations.size, 1);
  assert.equal(w.counters.get('ftp.epsv_all'), 1);
});

test('tracker: after AUTH TLS / 234 nothing inside is parsed, and the session is marked tls=1', () => {
  const w = new World();
  w.connect(C, S);
  w.send(S, C, TCP_PSH, '220 ready\r\n');
  w.say(C, S, 'AUTH TLS', '234 go');
  const body = Buffer.from('227 Entering Passive Mode (10,0,0,1,19,137)\r\n');
  w.send(S, C, TCP_PSH, Buffer.concat([Buffer.from([23, 3, 3, 0, body.length]), body]).toString('latin1'));
  assert.equal(w.tracker.expectations.size, 0);
  assert.match(w.comments.at(-1)!, /role=control session=1 .* tls=1/);
});

test('tracker: a control connection on port 2121 only with --control-ports', () => {
  const plain = new World();
  plain.connect('10.0.0.2:40000', '10.0.0.1:2121');
  assert.equal(plain.comments.filter(Boolean).length, 0);
  const w = new World({ ports: [21, 2121] });
  w.connect('10.0.0.2:40000', '10.0.0.1:2121');
  assert.equal(w.comments.filter(Boolean).length, 3);
});

test('tracker: --detect-control recognises a session on any port by its greeting, from the SYN on', () => {
  const w = new World({ detect: true });
  const c = '10.0.0.2:40000', s = '10.0.0.1:3333';
  w.connect(c, s);
  w.send(s, c, TCP_PSH, '220 (vsFTPd 3.0.3)\r\n');
  w.say(c, s, 'PASV', '227 ok (10,0,0,1,19,140)');
  assert.equal(w.send('10.0.0.2:40001', '10.0.0.1:5004', TCP_SYN)?.kind, 'data');
  assert.equal(w.counters.get('ftp.session.detected'), 1);
  // A mail server's 220 is not FTP.
  const m = new World({ detect: true });
  m.connect(c, '10.0.0.1:25');
  m.send('10.0.0.1:25', c, TCP_PSH, '220 mx.example.org ESMTP Postfix\r\n');
  assert.equal(m.counters.get('ftp.session.opened'), 0);
});

test('tracker: 500 PORT commands keep at most the per-session cap of expectations', () => {
  const w = new World();
  login(w);
  for (let i = 0; i < 500; i++) w.say(C, S, `PORT 10,0,0,2,${10 + (i >> 8)},${i & 255}`);
  assert.equal(w.tracker.expectations.size, DEFAULT_TRACKER_LIMITS.expectations.maxPerSession);
  assert.equal(w.counters.get('expect.evicted_session_cap'), 500 - DEFAULT_TRACKER_LIMITS.expectations.maxPerSession);
});

test('tracker: expectations expire after their time-to-live (packet time)', () => {
  const w = new World();
  login(w);
  w.say(C, S, 'PASV', '227 ok (10,0,0,1,19,137)');
  w.wait(301);
  w.say(C, S, 'NOOP', '200 ok'); // a packet to move the clock past a sweep
  assert.equal(w.send('10.0.0.2:40001', '10.0.0.1:5001', TCP_SYN), null);
  assert.equal(w.counters.get('expect.expired'), 1);
});

test('tracker: the session table cap evicts the oldest session', () => {
  const w = new World({ limits: { maxSessions: 3 } });
  for (let i = 0; i < 5; i++) w.connect(`10.0.0.2:${41000 + i}`, S);
  assert.equal(w.counters.get('ftp.session.evicted_cap'), 2);
  assert.equal(w.tracker.connectionCount, 3);
});

test('tracker: closed connections linger, then go; a new SYN on the same pair is a new session', () => {
  const w = new World();
  login(w);
  w.close(C, S);
  const first = w.comments.at(-1);
  w.connect(C, S);
  assert.notEqual(w.comments.at(-1), first);
  assert.match(w.comments.at(-1)!, /session=2/);
  assert.equal(w.counters.get('flow.reused'), 1);
  w.close(C, S);
  w.wait(31);
  w.send('10.0.0.9:1', '10.0.0.8:2', TCP_SYN); // unrelated packet moves the clock
  assert.equal(w.tracker.connectionCount, 0);
  assert.ok(w.counters.get('flow.evicted_closed') >= 1);
});

test('tracker: random bytes on port 21 from both sides never create a data expectation', () => {
  const w = new World();
  w.connect(C, S);
  let x = 12345;
  for (let i = 0; i < 300; i++) {
    const bytes = Array.from({ length: 1 + (i % 97) }, () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff);
    w.send(i % 2 ? C : S, i % 2 ? S : C, TCP_PSH, Buffer.from(bytes).toString('latin1'));
  }
  assert.equal(w.tracker.expectations.size, 0);
});

test('tracker: client-side-only capture: PASV with no reply seen, the next client→server connection is tied as inferred', () => {
  const w = new World();
  w.send(C, S, TCP_SYN);
  w.say(C, S, 'USER anonymous');
  w.say(C, S, 'PASV');
  w.say(C, S, 'RETR a.txt');
  assert.equal(w.send('10.0.0.2:40001', '10.0.0.1:21', TCP_SYN)?.kind, 'control', 'a control port is never data');
  const data = w.send('10.0.0.2:40002', '10.0.0.1:5001', TCP_SYN);
  assert.equal(formatComment(data!),
    'ftpflow role=data session=1 mode=passive method=PASV cmd=RETR arg=a.txt dir=down control=10.0.0.2:40000->10.0.0.1:21 confidence=inferred');
  assert.equal(w.send('10.0.0.2:40003', '10.0.0.1:5002', TCP_SYN), null, 'one setup, one connection');
  assert.equal(w.counters.get('data.inferred'), 1);
});

test('tracker: server-side-only capture: "200 PORT command successful", then the server\'s connection is tied as inferred', () => {
  const w = new World();
  w.send(S, C, TCP_SYN | TCP_ACK);
  w.send(S, C, TCP_PSH, '220 ready\r\n');
  w.send(S, C, TCP_PSH, '200 PORT command successful\r\n');
  const data = w.send('10.0.0.1:20', '10.0.0.2:1025', TCP_SYN);
  assert.match(formatComment(data!), /role=data session=1 mode=active method=PORT control=10.0.0.2:40000->10.0.0.1:21 confidence=inferred/);
});

test('tracker: with both directions captured nothing is ever inferred', () => {
  const w = new World();
  login(w);
  w.say(C, S, 'PASV');                       // reply lost in the capture
  assert.equal(w.send('10.0.0.2:40001', '10.0.0.1:5001', TCP_SYN), null);
  w.send(S, C, TCP_PSH, '200 PORT command successful\r\n');
  assert.equal(w.send('10.0.0.1:20', '10.0.0.2:1025', TCP_SYN), null);
  assert.equal(w.counters.get('data.inferred'), 0);
});

test('tracker: an inferable setup expires after the inference window', () => {
  const w = new World();
  w.send(C, S, TCP_SYN);
  w.say(C, S, 'PASV');
  w.wait(31);
  w.send('10.0.0.9:1', '10.0.0.8:2', TCP_SYN); // moves the clock past a sweep
  assert.equal(w.send('10.0.0.2:40002', '10.0.0.1:5001', TCP_SYN), null);
});
