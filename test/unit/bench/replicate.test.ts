import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { PcapStreamWriter, readSeedCapture, type SeedFrame } from '../../../bench/capture-io';
import { sumWords } from '../../../bench/checksum';
import { replicate } from '../../../bench/replicate';
import { buildSeedModel, type SeedModel } from '../../../bench/seed-model';

const CLIENT = [127, 0, 0, 2];
const SERVER = [127, 0, 0, 1];
const CONTROL_PORT = 34341;
const CLIENT_PORT = 37458;
const PASV_PORT = 200 * 256 + 10; // the port the 227 line announces
const DATA_CLIENT_PORT = 45578;
const ACK = 0x10;
const PSH = 0x08;
const SYN = 0x02;

/** An Ethernet/IPv4/TCP frame (checksums left zero: the seed's are never trusted). */
function frame(src: number[], sport: number, dst: number[], dport: number, seq: number, ack: number, flags: number, payload: Uint8Array, opts: number[] = []): Uint8Array {
  const tcpLen = 20 + opts.length;
  const f = new Uint8Array(14 + 20 + tcpLen + payload.length);
  const dv = new DataView(f.buffer);
  dv.setUint16(12, 0x0800);
  f[14] = 0x45;
  dv.setUint16(16, 20 + tcpLen + payload.length);
  f[22] = 64;
  f[23] = 6;
  f.set(src, 26);
  f.set(dst, 30);
  dv.setUint16(34, sport);
  dv.setUint16(36, dport);
  dv.setUint32(38, seq);
  dv.setUint32(42, ack);
  f[46] = (tcpLen / 4) << 4;
  f[47] = flags;
  dv.setUint16(48, 65535);
  f.set(opts, 54);
  f.set(payload, 34 + tcpLen);
  return f;
}

const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** A passive transfer, as lo captures it: SYN with lo's MSS, a 227 reply, a 4,000-byte segment in one frame. */
function seedFrames(): SeedFrame[] {
  const reply = ascii(`227 Entering passive mode (127,0,0,1,200,10).\r\n`);
  const retr = ascii('RETR beta.bin\r\n');
  const data = new Uint8Array(4000).map((_, i) => i & 0xff);
  const mss65495 = [2, 4, 0xff, 0xd7];
  const frames: Array<Uint8Array> = [
    frame(CLIENT, CLIENT_PORT, SERVER, CONTROL_PORT, 1000, 0, SYN, new Uint8Array(0), mss65495),
    frame(SERVER, CONTROL_PORT, CLIENT, CLIENT_PORT, 5000, 1001, SYN | ACK, new Uint8Array(0), mss65495),
    frame(SERVER, CONTROL_PORT, CLIENT, CLIENT_PORT, 5001, 1001, PSH | ACK, reply),
    frame(CLIENT, CLIENT_PORT, SERVER, CONTROL_PORT, 1001, 5001 + reply.length, PSH | ACK, retr),
    frame(CLIENT, DATA_CLIENT_PORT, SERVER, PASV_PORT, 7000, 0, SYN, new Uint8Array(0)),
    frame(SERVER, PASV_PORT, CLIENT, DATA_CLIENT_PORT, 9000, 7001, PSH | ACK, data),
    frame(SERVER, CONTROL_PORT, CLIENT, CLIENT_PORT, 5001 + reply.length, 1001 + retr.length, PSH | ACK, ascii('226 Transfer complete.\r\n')),
  ];
  return frames.map((data, i) => ({ tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n, linkType: 1, data }));
}

function model(): SeedModel {
  const r = buildSeedModel(seedFrames(), { controlPort: CONTROL_PORT, mss: 1460 });
  assert.equal(r.kind, 'ok', r.kind === 'bad' ? r.reason : '');
  return (r as { model: SeedModel }).model;
}

function writeCopies(file: string, copies: number): void {
  const w = new PcapStreamWriter(file, 1);
  replicate(model(), { copies, stretch: 10, copiesPerSecond: 100, controlPort: 21 }, w);
  w.close();
}

interface Pkt { src: string; dst: string; sport: number; dport: number; seq: number; ack: number; payload: string; frame: Uint8Array }

function parse(f: Uint8Array): Pkt {
  const dv = new DataView(f.buffer, f.byteOffset, f.length);
  const ipText = (o: number): string => [...f.subarray(o, o + 4)].join('.');
  const thl = (f[46]! >> 4) * 4;
  return {
    src: ipText(26), dst: ipText(30), sport: dv.getUint16(34), dport: dv.getUint16(36), seq: dv.getUint32(38), ack: dv.getUint32(42),
    payload: Buffer.from(f.subarray(34 + thl, 14 + dv.getUint16(16))).toString('latin1'), frame: f,
  };
}

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-bench-test-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

function tmpFile(name: string): string {
  return path.join(TMP, name);
}

test('the seed model cuts lo-sized segments to the wire MSS and counts sessions and data connections', () => {
  const m = model();
  // 4,000 payload bytes at MSS 1460 (no options): 1460 + 1460 + 1080.
  assert.equal(m.packets.length, 7 - 1 + 3);
  assert.equal(m.resegmented, 1);
  assert.deepEqual(m.packets.slice(5, 8).map((p) => p.frame.length - p.payOff), [1460, 1460, 1080]);
  assert.deepEqual(m.packets.slice(5, 8).map((p) => p.seq), [9000, 10460, 11920]);
  assert.equal(m.sessions, 1);
  assert.equal(m.dataConnections, 1);
  assert.equal(m.setups, 1);
  // The SYN's loopback MSS (65495) announces the wire MSS instead.
  const syn = m.packets[0]!.frame;
  assert.equal((syn[56]! << 8) | syn[57]!, 1460);
});

test('each copy gets its own addresses and ports, and its 227 line names its own data port', () => {
  const file = tmpFile('copies.pcap');
  writeCopies(file, 3);
  const r = readSeedCapture(file);
  assert.equal(r.kind, 'ok');
  const pkts = (r as { frames: SeedFrame[] }).frames.map((f) => parse(f.data));
  assert.equal(pkts.length, 3 * 9);
  const replies = pkts.filter((p) => p.payload.startsWith('227 '));
  assert.equal(replies.length, 3);
  const seenClients = new Set<string>();
  for (const reply of replies) {
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply.payload)!;
    const announced = `${m[1]}.${m[2]}.${m[3]}.${m[4]}`;
    const port = Number(m[5]) * 256 + Number(m[6]);
    assert.equal(announced, reply.src, 'the 227 address is the server of this copy');
    assert.equal(reply.sport, 21, 'the control port is 21');
    assert.match(reply.src, /^10\./);
    seenClients.add(`${reply.dst}:${reply.dport}`);
    // This copy's data connection uses exactly the announced port, between this copy's hosts.
    const data = pkts.filter((p) => p.src === reply.src && p.sport === port);
    assert.equal(data.length, 3, `data segments from ${reply.src}:${port}`);
    assert.ok(data.every((p) => p.dst === reply.dst));
  }
  assert.equal(seenClients.size, 3);
});

test('a rewritten line of another length moves later seq numbers of its direction and acks of the other', () => {
  const file = tmpFile('shift.pcap');
  writeCopies(file, 1);
  const pkts = (readSeedCapture(file) as { frames: SeedFrame[] }).frames.map((f) => parse(f.data));
  const reply = pkts.find((p) => p.payload.startsWith('227 '))!;
  const seedReply = '227 Entering passive mode (127,0,0,1,200,10).\r\n';
  const delta = reply.payload.length - seedReply.length;
  assert.notEqual(delta, 0, `a length change is what this test is about: ${reply.payload}`);
  const retr = pkts.find((p) => p.payload.startsWith('RETR'))!;
  const done = pkts.find((p) => p.payload.startsWith('226'))!;
  assert.equal(retr.ack, reply.seq + reply.payload.length, 'the client acks the rewritten reply whole');
  assert.equal(done.seq, reply.seq + reply.payload.length, 'the next server segment follows the rewritten reply');
  assert.equal(reply.seq, 5001);
});

test('every IPv4 and TCP checksum of the output verifies', () => {
  const file = tmpFile('sums.pcap');
  writeCopies(file, 4);
  const frames = (readSeedCapture(file) as { frames: SeedFrame[] }).frames;
  assert.equal(frames.length, 4 * 9);
  for (const [i, { data: f }] of frames.entries()) {
    const ipEnd = 14 + 20;
    const total = (f[16]! << 8) | f[17]!;
    assert.equal(total, f.length - 14, `frame ${i}: IP total length`);
    assert.equal(fold(sumWords(f, 14, ipEnd)), 0xffff, `frame ${i}: IP header checksum`);
    const tcpLen = total - 20;
    const pseudo = sumWords(f, 26, 34) + 6 + tcpLen;
    assert.equal(fold(pseudo + sumWords(f, ipEnd, f.length)), 0xffff, `frame ${i}: TCP checksum`);
  }
});

test('the same seed and options give the same bytes', () => {
  const a = tmpFile('a.pcap');
  const b = tmpFile('b.pcap');
  writeCopies(a, 5);
  writeCopies(b, 5);
  assert.ok(fs.readFileSync(a).equals(fs.readFileSync(b)));
});

test('tshark reads the copies as FTP with good checksums and ties each data connection to its 227', (t) => {
  if (spawnSync('sh', ['-c', 'command -v tshark']).status !== 0) { t.skip('tshark is not installed'); return; }
  const file = tmpFile('tshark.pcap');
  writeCopies(file, 3);
  const run = (args: string[]): string => spawnSync('tshark', ['-n', '-r', file, ...args], { encoding: 'utf8' }).stdout;
  const bad = run(['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-Y', 'ip.checksum.status==0 || tcp.checksum.status==0']);
  assert.equal(bad.trim(), '');
  const methods = run(['-Y', 'ftp-data', '-T', 'fields', '-e', 'ftp-data.setup-method']).trim().split('\n');
  assert.deepEqual(methods, Array(9).fill('PASV'));
});

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}
