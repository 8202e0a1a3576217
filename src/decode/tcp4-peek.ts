/**
 * The allocation-free look at a frame behind the engine's fast path: for an IPv4 TCP segment that the
 * capture holds whole, its numbers (addresses, ports, seq, ack, flags) and payload length, written into a
 * record the caller reuses. Anything else (IPv6, malformed, fragmented, cut by the snaplen) answers
 * false and goes to decodeFrame, which says why. The checks are decodeIPv4's and decodeTcp's own.
 */
import type { TcpNumbers } from './decoded';
import { locateIp } from './decode-frame';
import { FAMILY_IPV4, networkFamily, networkOffset } from './link-layer';
import { ipv4Span, locateIPv4Tcp } from './network-layer';
import { tcpHeaderLength, u32 } from './tcp';

export interface Tcp4Peek extends TcpNumbers {
  payloadLen: number;
  /** The buffer the frame was peeked in, and where the payload starts in it (a view is made only if needed). */
  frame: Uint8Array;
  payloadAt: number;
}

export function newTcp4Peek(): Tcp4Peek {
  return { srcV4: 0, dstV4: 0, srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, payloadLen: 0, frame: new Uint8Array(0), payloadAt: 0 };
}

/** The frame is `b` from `start` to `frameEnd` (offsets are into `b`: no view is made per packet). */
export function peekTcp4(linkType: number, b: Uint8Array, out: Tcp4Peek, start = 0, frameEnd = b.length): boolean {
  const ip = locateIp(linkType, b, start, frameEnd);
  if (typeof ip !== 'number' || networkFamily(ip) !== FAMILY_IPV4) return false;
  const at = networkOffset(ip);
  if (locateIPv4Tcp(b, at, frameEnd) !== null || ipv4Span.missing !== 0) return false;
  const tcpAt = ipv4Span.tcpAt;
  const end = ipv4Span.end;
  const headerLen = tcpHeaderLength(b, tcpAt, end);
  if (headerLen < 0) return false;
  out.srcV4 = u32(b, at + 12);
  out.dstV4 = u32(b, at + 16);
  out.srcPort = (b[tcpAt]! << 8) | b[tcpAt + 1]!;
  out.dstPort = (b[tcpAt + 2]! << 8) | b[tcpAt + 3]!;
  out.seq = u32(b, tcpAt + 4);
  out.ack = u32(b, tcpAt + 8);
  out.flags = b[tcpAt + 13]!;
  out.payloadLen = end - tcpAt - headerLen;
  out.frame = b;
  out.payloadAt = tcpAt + headerLen;
  return true;
}
