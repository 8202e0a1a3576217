/**
 * Writes many copies of a seed capture as one big pcap: copy k gets its own addresses in 10.0.0.0/8 and
 * its own ports, the numbers inside its PORT/EPRT/227/229 lines are rewritten to match, the seed's times
 * are stretched, and copies start a fixed gap apart so that many sessions overlap in time.
 * Deterministic: the same seed and options give the same bytes.
 *
 * When a rewritten FTP line changes length (127.0.0.1 → 10.1.2.3), every later seq number of that
 * direction and every ack of the other one moves by the difference, so TCP stays consistent.
 */
import { finishChecksum, sumU32, sumWords } from './checksum';
import { PcapStreamWriter } from './capture-io';
import type { FtpField, SeedModel, SeedPacket } from './seed-model';

export interface ReplicateOptions {
  copies: number;
  /** The seed's packet times are stretched by this factor (loopback sessions last milliseconds, WAN ones seconds). */
  stretch: number;
  /** Copies started per second of packet time: with `stretch` this sets how many sessions overlap. */
  copiesPerSecond: number;
  /** Control port in the output (the seed's control port is mapped to it). */
  controlPort: number;
}

export interface ReplicateResult {
  packets: number;
  bytes: number;
  firstUs: number;
  lastUs: number;
  gapUs: number;
  /** Stretched seed duration / gap: about how many copies run at the same time. */
  overlap: number;
}

const PORT_BASE = 1024;
const PORT_SPAN = 65536 - PORT_BASE;
/** Odd primes: a port's index and the copy number spread over the whole range without collisions in a copy. */
const PORT_STRIDE_INDEX = 977;
const PORT_STRIDE_COPY = 331;
const ADDR_10_NET = 10 << 24;
const ADDRS_PER_16 = 254 * 256;
const MAX_ADDRESSES = 255 * ADDRS_PER_16;

/** Address number n (copy × seed addresses + index) as 10.b.c.d, d never 0 or 255. */
export function replicaAddress(n: number): number {
  if (n >= MAX_ADDRESSES) throw new RangeError(`address ${n} does not fit in 10.0.0.0/8`);
  const d = 1 + (n % 254);
  const c = Math.floor(n / 254) % 256;
  const b = 1 + Math.floor(n / ADDRS_PER_16);
  return (ADDR_10_NET | (b << 16) | (c << 8) | d) >>> 0;
}

/** Seed port → port of copy k: fixed ports stay, every other one moves, distinct within the copy. */
export function makePortMap(seed: SeedModel, controlPort: number): (index: number, copy: number) => number {
  const fixed = seed.ports.map((p) => (p === seed.controlPort ? controlPort : p === 20 ? 20 : -1));
  return (index, copy) => {
    const f = fixed[index]!;
    return f >= 0 ? f : PORT_BASE + ((index * PORT_STRIDE_INDEX + copy * PORT_STRIDE_COPY) % PORT_SPAN);
  };
}

const dotted = (a: number): string => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;

/** Per-copy TCP bookkeeping: cumulative length change of rewritten FTP text, per connection direction. */
class SeqShifts {
  /** key conn*2+dir → seed seq numbers where a rewritten segment ended, and the total shift after each. */
  private readonly ends = new Map<number, number[]>();
  private readonly totals = new Map<number, number[]>();

  /** Shift to add to a seq (or ack) value `v` of direction `key`. */
  shiftAt(key: number, v: number): number {
    const ends = this.ends.get(key);
    if (!ends) return 0;
    const totals = this.totals.get(key)!;
    for (let i = ends.length - 1; i >= 0; i--) if (((v - ends[i]!) | 0) >= 0) return totals[i]!;
    return 0;
  }

  note(key: number, segEnd: number, delta: number): void {
    let ends = this.ends.get(key);
    let totals = this.totals.get(key);
    if (!ends || !totals) {
      ends = [];
      totals = [];
      this.ends.set(key, ends);
      this.totals.set(key, totals);
    }
    if (ends.includes(segEnd)) return; // a retransmission: its change is already counted
    const before = totals.length ? totals[totals.length - 1]! : 0;
    ends.push(segEnd);
    totals.push(before + delta);
  }
}

/** Min-heap of active copies ordered by their next packet's time, then copy number. */
class CopyHeap {
  private readonly t: number[] = [];
  private readonly k: number[] = [];

  get size(): number { return this.t.length; }
  topTime(): number { return this.t[0]!; }
  topCopy(): number { return this.k[0]!; }

  push(time: number, copy: number): void {
    this.t.push(time);
    this.k.push(copy);
    let i = this.t.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Replaces the top's time (its copy moved to its next packet), or removes it when time is null. */
  replaceTop(time: number | null): void {
    if (time === null) {
      const lt = this.t.pop()!;
      const lk = this.k.pop()!;
      if (this.t.length === 0) return;
      this.t[0] = lt;
      this.k[0] = lk;
    } else {
      this.t[0] = time;
    }
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.t.length && this.less(l, m)) m = l;
      if (r < this.t.length && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private less(a: number, b: number): boolean {
    return this.t[a]! < this.t[b]! || (this.t[a] === this.t[b] && this.k[a]! < this.k[b]!);
  }

  private swap(a: number, b: number): void {
    [this.t[a], this.t[b]] = [this.t[b]!, this.t[a]!];
    [this.k[a], this.k[b]] = [this.k[b]!, this.k[a]!];
  }
}

/** Everything that differs between copies, computed once per copy. */
interface CopyState {
  addr: Uint32Array;
  port: Uint16Array;
  shifts: SeqShifts;
  next: number;
}

export function replicate(seed: SeedModel, o: ReplicateOptions, out: PcapStreamWriter): ReplicateResult {
  const nAddr = seed.addresses.length;
  const portOf = makePortMap(seed, o.controlPort);
  const addrIndex = new Map(seed.addresses.map((a, i) => [a, i]));
  const portIndex = new Map(seed.ports.map((p, i) => [p, i]));
  const gapUs = Math.max(1, Math.round(1e6 / o.copiesPerSecond));
  const states = new Map<number, CopyState>();
  const heap = new CopyHeap();
  const startOf = (k: number): number => seed.startUs + k * gapUs;
  const pk = seed.packets;
  const rel = pk.map((p) => Math.round(p.relUs * o.stretch));
  let nextCopy = 0;
  let firstUs = -1;
  let lastUs = 0;

  const open = (k: number): void => {
    const addr = new Uint32Array(nAddr);
    for (let i = 0; i < nAddr; i++) addr[i] = replicaAddress(k * nAddr + i);
    const port = new Uint16Array(seed.ports.length);
    for (let i = 0; i < port.length; i++) port[i] = portOf(i, k);
    states.set(k, { addr, port, shifts: new SeqShifts(), next: 0 });
    heap.push(startOf(k) + rel[0]!, k);
  };

  while (nextCopy < o.copies || heap.size > 0) {
    // Start every copy whose first packet is due before the earliest pending one.
    while (nextCopy < o.copies && (heap.size === 0 || startOf(nextCopy) + rel[0]! <= heap.topTime())) open(nextCopy++);
    const k = heap.topCopy();
    const tsUs = heap.topTime();
    const st = states.get(k)!;
    emit(pk[st.next]!, st, tsUs, out, addrIndex, portIndex);
    if (firstUs < 0) firstUs = tsUs;
    lastUs = tsUs;
    st.next++;
    if (st.next < pk.length) {
      heap.replaceTop(startOf(k) + rel[st.next]!);
    } else {
      heap.replaceTop(null);
      states.delete(k);
    }
  }
  return { packets: out.packets, bytes: out.bytes, firstUs, lastUs, gapUs, overlap: (seed.durationUs * o.stretch) / gapUs };
}

/** The FTP text of a rewritten control segment for one copy. */
function rewritePayload(
  p: SeedPacket, st: CopyState, addrIndex: Map<number, number>, portIndex: Map<number, number>,
): Uint8Array {
  const d = p.frame;
  const parts: string[] = [];
  let at = p.payOff;
  const text = (from: number, to: number): string => Buffer.from(d.buffer, d.byteOffset + from, to - from).toString('latin1');
  // Addresses the seed does not own (0.0.0.0, a NAT address) stay as they are.
  const mapAddr = (a: number): number => { const i = addrIndex.get(a); return i === undefined ? a : st.addr[i]!; };
  const mapPort = (v: number): number => st.port[portIndex.get(v)!]!;
  for (const f of p.fields) {
    parts.push(text(at, p.payOff + f.start));
    parts.push(fieldText(f, mapAddr, mapPort));
    at = p.payOff + f.end;
  }
  parts.push(text(at, d.length));
  return Buffer.from(parts.join(''), 'latin1');
}

function fieldText(f: FtpField, mapAddr: (a: number) => number, mapPort: (p: number) => number): string {
  switch (f.kind) {
    case 'commas': {
      const a = mapAddr(f.addr);
      const port = mapPort(f.port);
      return `${dotted(a).replace(/\./g, ',')},${port >>> 8},${port & 255}`;
    }
    case 'dotted':
      return dotted(mapAddr(f.addr));
    case 'decimal':
      return String(mapPort(f.port));
  }
}

function emit(
  p: SeedPacket, st: CopyState, tsUs: number, out: PcapStreamWriter,
  addrIndex: Map<number, number>, portIndex: Map<number, number>,
): void {
  const src = st.addr[p.srcAddr]!;
  const dst = st.addr[p.dstAddr]!;
  const sport = st.port[p.srcPort]!;
  const dport = st.port[p.dstPort]!;
  const key = p.conn * 2 + p.dir;
  const seq = (p.seq + st.shifts.shiftAt(key, p.seq)) >>> 0;
  const ack = p.hasAck ? (p.ack + st.shifts.shiftAt(key ^ 1, p.ack)) >>> 0 : p.ack;

  let payload: Uint8Array | null = null;
  if (p.fields.length > 0) {
    payload = rewritePayload(p, st, addrIndex, portIndex);
    const oldLen = p.frame.length - p.payOff;
    if (payload.length !== oldLen) st.shifts.note(key, (p.seq + oldLen) >>> 0, payload.length - oldLen);
  }
  const len = payload ? p.payOff + payload.length : p.frame.length;
  const at = out.reserve(tsUs, len);
  const b = out.buffer;
  if (payload) {
    b.set(p.frame.subarray(0, p.payOff), at);
    b.set(payload, at + p.payOff);
  } else {
    b.set(p.frame, at);
  }
  const ip = at + p.ipOff;
  const tcp = at + p.tcpOff;
  b.writeUInt32BE(src, ip + 12);
  b.writeUInt32BE(dst, ip + 16);
  b.writeUInt16BE(sport, tcp);
  b.writeUInt16BE(dport, tcp + 2);
  b.writeUInt32BE(seq, tcp + 4);
  b.writeUInt32BE(ack, tcp + 8);
  let ipSum = p.ipSum;
  let tcpSum = p.tcpSum;
  if (payload) {
    b.writeUInt16BE(len - p.ipOff, ip + 2);
    ipSum = sumWords(b, ip, ip + 10) + sumWords(b, ip + 20, tcp);
    const tcpLen = len - p.tcpOff;
    tcpSum = sumWords(b, tcp + 12, tcp + 16) + sumWords(b, tcp + 18, at + len) + 6 + tcpLen;
  }
  const addrs = sumU32(src) + sumU32(dst);
  b.writeUInt16BE(finishChecksum(ipSum + addrs), ip + 10);
  b.writeUInt16BE(finishChecksum(tcpSum + addrs + sport + dport + sumU32(seq) + sumU32(ack)), tcp + 16);
}
