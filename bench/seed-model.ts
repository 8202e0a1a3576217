/**
 * Turns a seed capture into the templates the replicator copies: every IPv4/TCP frame with its field
 * offsets, its connection, the FTP numbers in its payload (PORT/EPRT commands, 227/229 replies) and its
 * checksum sums without the fields that change per copy.
 *
 * Loopback captures carry 32-64 KB TCP segments (the stack hands lo unsegmented GSO frames); those are
 * cut into MSS-sized segments here, as a NIC would put them on the wire, so the big capture looks like
 * real traffic. Frames that are not IPv4/TCP are left out and counted.
 */
import { sumWords } from './checksum';
import type { SeedFrame } from './capture-io';

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_LINUX_SLL2 = 276;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;
const TCP_FLAG_FIN = 0x01;
const TCP_FLAG_SYN = 0x02;
const TCP_FLAG_PSH = 0x08;
const TCP_FLAG_ACK = 0x10;
const TCP_OPT_MSS = 2;

/** Where the FTP text of a control packet names an address or a port, and in which form. */
export type FtpField =
  /** `h1,h2,h3,h4,p1,p2` of PORT and 227. */
  | { kind: 'commas'; start: number; end: number; addr: number; port: number }
  /** The dotted address of EPRT |1|a.b.c.d|port|. */
  | { kind: 'dotted'; start: number; end: number; addr: number }
  /** A decimal port (EPRT, 229). */
  | { kind: 'decimal'; start: number; end: number; port: number };

export interface SeedPacket {
  /** Microseconds after the seed's first packet (made non-decreasing). */
  relUs: number;
  frame: Uint8Array;
  ipOff: number;
  tcpOff: number;
  payOff: number;
  /** Index into SeedModel.addresses / SeedModel.ports. */
  srcAddr: number;
  dstAddr: number;
  srcPort: number;
  dstPort: number;
  conn: number;
  /** 0: sent by the side with the lower (address, port); 1: the other side. */
  dir: 0 | 1;
  seq: number;
  ack: number;
  hasAck: boolean;
  /** Non-empty only in control connections. */
  fields: FtpField[];
  /** sumWords of the IP header without checksum and addresses. */
  ipSum: number;
  /** sumWords of the TCP segment without ports, seq, ack and checksum, plus the pseudo header's protocol and length. */
  tcpSum: number;
}

export interface SeedModel {
  linkType: number;
  /** Absolute time of the first packet, µs since the epoch. */
  startUs: number;
  durationUs: number;
  packets: SeedPacket[];
  /** Distinct IPv4 addresses (as uint32), in order of first appearance. */
  addresses: number[];
  /** Distinct TCP ports (header or FTP text), in order of first appearance. */
  ports: number[];
  controlPort: number;
  /** Control connections (server port = controlPort) and all other TCP connections. */
  sessions: number;
  dataConnections: number;
  /** FTP setups found (PORT, EPRT, 227, 229). */
  setups: number;
  /** Frames left out: not IPv4/TCP, fragments, truncated. */
  skipped: number;
  /** Large segments cut into MSS-sized ones. */
  resegmented: number;
}

export type SeedModelResult = { kind: 'ok'; model: SeedModel } | { kind: 'bad'; reason: string };

export interface SeedModelOptions {
  /** Server port of the seed's FTP control connections. */
  controlPort: number;
  /** Largest TCP segment (payload + options) to put on the "wire". */
  mss: number;
}

interface Located { ipOff: number }

/** The IPv4 header's offset in a frame of this link type, or null (not IPv4, or a link type not handled). */
function locateIpv4(linkType: number, d: Uint8Array): Located | null {
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (d.length < 14) return null;
      let off = 12;
      let type = (d[off]! << 8) | d[off + 1]!;
      while (type === ETHERTYPE_VLAN && d.length >= off + 6) {
        off += 4;
        type = (d[off]! << 8) | d[off + 1]!;
      }
      return type === ETHERTYPE_IPV4 ? { ipOff: off + 2 } : null;
    }
    case LINKTYPE_LINUX_SLL:
      return d.length >= 16 && ((d[14]! << 8) | d[15]!) === ETHERTYPE_IPV4 ? { ipOff: 16 } : null;
    case LINKTYPE_LINUX_SLL2:
      return d.length >= 20 && ((d[0]! << 8) | d[1]!) === ETHERTYPE_IPV4 ? { ipOff: 20 } : null;
    case LINKTYPE_NULL:
      return d.length >= 4 && (d[0] === 2 || d[3] === 2) ? { ipOff: 4 } : null;
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
      return d.length >= 1 && d[0]! >> 4 === 4 ? { ipOff: 0 } : null;
    default:
      return null;
  }
}

const u16 = (d: Uint8Array, o: number): number => (d[o]! << 8) | d[o + 1]!;
const u32 = (d: Uint8Array, o: number): number => ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
const put16 = (d: Uint8Array, o: number, v: number): void => { d[o] = v >>> 8; d[o + 1] = v & 0xff; };
const put32 = (d: Uint8Array, o: number, v: number): void => {
  d[o] = v >>> 24; d[o + 1] = (v >>> 16) & 0xff; d[o + 2] = (v >>> 8) & 0xff; d[o + 3] = v & 0xff;
};

interface Segment { relUs: number; frame: Uint8Array; ipOff: number; tcpOff: number; payOff: number }

/** One IPv4/TCP frame, cut to the IP length, or null when it is anything else. */
function tcpSegment(f: SeedFrame, relUs: number): Segment | null {
  const loc = locateIpv4(f.linkType, f.data);
  if (!loc) return null;
  const d = f.data;
  const ip = loc.ipOff;
  if (d.length < ip + 20 || d[ip]! >> 4 !== 4) return null;
  const ihl = (d[ip]! & 0x0f) * 4;
  const total = u16(d, ip + 2);
  const fragment = u16(d, ip + 6) & 0x3fff;
  if (d[ip + 9] !== 6 || fragment !== 0 || ihl < 20 || total < ihl + 20 || d.length < ip + total) return null;
  const tcp = ip + ihl;
  const thl = (d[tcp + 12]! >> 4) * 4;
  if (thl < 20 || ihl + thl > total) return null;
  // Ethernet padding after the IP packet is dropped: the frame ends where IP says it does.
  return { relUs, frame: d.slice(0, ip + total), ipOff: ip, tcpOff: tcp, payOff: tcp + thl };
}

/** A segment whose payload exceeds the MSS, cut into wire-sized segments (same time, seq advancing). */
function resegment(s: Segment, mss: number): Segment[] {
  const d = s.frame;
  const optionBytes = s.payOff - s.tcpOff - 20;
  const chunk = mss - optionBytes;
  const payLen = d.length - s.payOff;
  if (chunk <= 0 || payLen <= chunk) return [s];
  const seq = u32(d, s.tcpOff + 4);
  const flags = d[s.tcpOff + 13]!;
  const ipId = u16(d, s.ipOff + 4);
  const out: Segment[] = [];
  for (let at = 0, n = 0; at < payLen; at += chunk, n++) {
    const len = Math.min(chunk, payLen - at);
    const last = at + len === payLen;
    const f = new Uint8Array(s.payOff + len);
    f.set(d.subarray(0, s.payOff));
    f.set(d.subarray(s.payOff + at, s.payOff + at + len), s.payOff);
    put16(f, s.ipOff + 2, f.length - s.ipOff);
    put16(f, s.ipOff + 4, (ipId + n) & 0xffff);
    put32(f, s.tcpOff + 4, (seq + at) >>> 0);
    // PSH and FIN belong to the last piece only.
    f[s.tcpOff + 13] = last ? flags : flags & ~(TCP_FLAG_PSH | TCP_FLAG_FIN);
    out.push({ relUs: s.relUs, frame: f, ipOff: s.ipOff, tcpOff: s.tcpOff, payOff: s.payOff });
  }
  return out;
}

/** A SYN announcing a loopback-sized MSS announces the wire MSS instead, matching the cut segments. */
function clampMssOption(s: Segment, mss: number): void {
  const d = s.frame;
  if (!(d[s.tcpOff + 13]! & TCP_FLAG_SYN)) return;
  for (let o = s.tcpOff + 20; o < s.payOff;) {
    const kind = d[o]!;
    if (kind === 0) return;
    if (kind === 1) { o++; continue; }
    const len = d[o + 1]!;
    if (len < 2) return;
    if (kind === TCP_OPT_MSS && len === 4 && u16(d, o + 2) > mss) put16(d, o + 2, mss);
    o += len;
  }
}

const PORT_LIKE = /(?:^|\r?\n)(?:PORT |port |227 [^\r\n]*?)(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/g;
const EPRT_V4 = /(?:^|\r?\n)EPRT (.)1\1(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\1(\d{1,5})\1/gi;
const EPSV_REPLY = /(?:^|\r?\n)229 [^\r\n]*?\((.)\1\1(\d{1,5})\1\)/g;

/** The address and port numbers in one control segment's text (lines split across segments are not seen). */
export function ftpFields(payload: string, addrIndex: (a: number) => number, portIndex: (p: number) => number): FtpField[] {
  const fields: FtpField[] = [];
  for (const m of payload.matchAll(PORT_LIKE)) {
    const nums = m.slice(1, 7).map(Number);
    if (nums.some((n) => n > 255)) continue;
    const text = m.slice(1, 7).join(',');
    const start = m.index! + m[0].length - text.length;
    const addr = ((nums[0]! << 24) | (nums[1]! << 16) | (nums[2]! << 8) | nums[3]!) >>> 0;
    const port = nums[4]! * 256 + nums[5]!;
    addrIndex(addr);
    portIndex(port);
    fields.push({ kind: 'commas', start, end: start + text.length, addr, port });
  }
  for (const m of payload.matchAll(EPRT_V4)) {
    const delim = m[1]!;
    const addrText = m[2]!;
    const portText = m[3]!;
    const octets = addrText.split('.').map(Number);
    const port = Number(portText);
    if (octets.some((n) => n > 255) || port > 65535) continue;
    const addr = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
    const portEnd = m.index! + m[0].length - delim.length;
    const portStart = portEnd - portText.length;
    const addrEnd = portStart - delim.length;
    addrIndex(addr);
    portIndex(port);
    fields.push({ kind: 'dotted', start: addrEnd - addrText.length, end: addrEnd, addr });
    fields.push({ kind: 'decimal', start: portStart, end: portEnd, port });
  }
  for (const m of payload.matchAll(EPSV_REPLY)) {
    const portText = m[2]!;
    const port = Number(portText);
    if (port > 65535) continue;
    const end = m.index! + m[0].length - 2; // before the closing delimiter and ')'
    portIndex(port);
    fields.push({ kind: 'decimal', start: end - portText.length, end, port });
  }
  return fields.sort((a, b) => a.start - b.start);
}

export function buildSeedModel(frames: SeedFrame[], o: SeedModelOptions): SeedModelResult {
  if (frames.length === 0) return { kind: 'bad', reason: 'the seed capture has no packets' };
  const linkType = frames[0]!.linkType;
  if (frames.some((f) => f.linkType !== linkType)) return { kind: 'bad', reason: 'the seed mixes link types' };
  const firstNs = frames[0]!.tsNs;
  let skipped = 0;
  let resegmented = 0;
  let lastRel = 0;
  const segments: Segment[] = [];
  for (const f of frames) {
    const rel = Math.max(lastRel, Number((f.tsNs - firstNs) / 1000n));
    lastRel = rel;
    const s = tcpSegment(f, rel);
    if (!s) { skipped++; continue; }
    clampMssOption(s, o.mss);
    const pieces = resegment(s, o.mss);
    if (pieces.length > 1) resegmented++;
    segments.push(...pieces);
  }
  if (segments.length === 0) return { kind: 'bad', reason: 'the seed has no IPv4/TCP packets' };

  const addresses: number[] = [];
  const addrMap = new Map<number, number>();
  const ports: number[] = [];
  const portMap = new Map<number, number>();
  const addrIndex = (a: number): number => {
    let i = addrMap.get(a);
    if (i === undefined) { i = addresses.length; addresses.push(a); addrMap.set(a, i); }
    return i;
  };
  const portIndex = (p: number): number => {
    let i = portMap.get(p);
    if (i === undefined) { i = ports.length; ports.push(p); portMap.set(p, i); }
    return i;
  };
  const connMap = new Map<string, number>();
  let sessions = 0;
  let dataConnections = 0;
  let setups = 0;
  const packets: SeedPacket[] = [];
  for (const s of segments) {
    const d = s.frame;
    const src = u32(d, s.ipOff + 12);
    const dst = u32(d, s.ipOff + 16);
    const sport = u16(d, s.tcpOff);
    const dport = u16(d, s.tcpOff + 2);
    const forward = src < dst || (src === dst && sport < dport);
    const key = forward ? `${src}:${sport}-${dst}:${dport}` : `${dst}:${dport}-${src}:${sport}`;
    let conn = connMap.get(key);
    const control = sport === o.controlPort || dport === o.controlPort;
    if (conn === undefined) {
      conn = connMap.size;
      connMap.set(key, conn);
      if (control) sessions++;
      else dataConnections++;
    }
    const srcAddr = addrIndex(src);
    const dstAddr = addrIndex(dst);
    const srcPort = portIndex(sport);
    const dstPort = portIndex(dport);
    const payload = Buffer.from(d.buffer, d.byteOffset + s.payOff, d.length - s.payOff).toString('latin1');
    const fields = control && payload.length > 0 ? ftpFields(payload, addrIndex, portIndex) : [];
    setups += fields.filter((f) => f.kind !== 'dotted').length;
    const tcpLen = d.length - s.tcpOff;
    packets.push({
      relUs: s.relUs, frame: d, ipOff: s.ipOff, tcpOff: s.tcpOff, payOff: s.payOff,
      srcAddr, dstAddr, srcPort, dstPort, conn, dir: forward ? 0 : 1,
      seq: u32(d, s.tcpOff + 4), ack: u32(d, s.tcpOff + 8), hasAck: (d[s.tcpOff + 13]! & TCP_FLAG_ACK) !== 0,
      fields,
      ipSum: ipHeaderSum(d, s.ipOff, s.tcpOff),
      tcpSum: tcpSegmentSum(d, s.tcpOff, d.length) + 6 + tcpLen,
    });
  }
  return {
    kind: 'ok',
    model: {
      linkType, startUs: Number(firstNs / 1000n), durationUs: lastRel, packets, addresses, ports,
      controlPort: o.controlPort, sessions, dataConnections, setups, skipped, resegmented,
    },
  };
}

/** IP header words except the checksum (10-11) and the addresses (12-19). */
export function ipHeaderSum(d: Uint8Array, ipOff: number, end: number): number {
  return sumWords(d, ipOff, ipOff + 10) + sumWords(d, ipOff + 20, end);
}

/** TCP words except ports (0-3), seq (4-7), ack (8-11) and checksum (16-17). */
export function tcpSegmentSum(d: Uint8Array, tcpOff: number, end: number): number {
  return sumWords(d, tcpOff + 12, tcpOff + 16) + sumWords(d, tcpOff + 18, end);
}
