/**
 * IPv4 and IPv6: validate the header, find the TCP segment and where it ends, hand on to decodeTcp.
 *
 * Where a segment ends: the IP length says, not the frame length, so Ethernet padding and trailers
 * stay out of the payload. Where the capture is shorter than the IP length (snaplen), the payload is
 * what was captured and the rest is reported as missing bytes. An IP length of 0 is what TSO/GSO
 * captures (IPv4) and jumbograms (IPv6) carry: then the captured length is all there is to go on.
 */
import { BAD_IP, IP_FRAGMENT, NOT_TCP, type NotTcp, type TcpPacket } from './decoded';
import { decodeTcp } from './tcp';

const PROTO_TCP = 6;

/** Where an IPv4 packet's TCP segment lies (locateIPv4Tcp's answer; one shared record, read at once). */
export const ipv4Span = { tcpAt: 0, end: 0, missing: 0 };

/**
 * Checks the IPv4 header at `at` and, for an unfragmented TCP packet, puts where its segment starts and
 * ends in `ipv4Span`: null then, else why it is not one. Shared by decodeIPv4 and the engine's
 * allocation-free peek (decode/tcp4-peek.ts), so both agree on what a segment is.
 */
export function locateIPv4Tcp(b: Uint8Array, at: number, len = b.length): NotTcp | null {
  if (len - at < 20) return BAD_IP;
  const versionIhl = b[at]!;
  if (versionIhl >> 4 !== 4) return BAD_IP;
  const headerLen = (versionIhl & 0x0f) * 4;
  if (headerLen < 20 || at + headerLen > len) return BAD_IP;
  const totalLen = (b[at + 2]! << 8) | b[at + 3]!;
  let announcedEnd: number;
  if (totalLen === 0) announcedEnd = len;
  else if (totalLen < headerLen) return BAD_IP;
  else announcedEnd = at + totalLen;
  // MF flag (0x20) or any of the 13 fragment-offset bits: not reassembled, passed through. Checked
  // before the protocol, so decode.ip_fragment counts every fragment, as its description says.
  if ((b[at + 6]! & 0x3f) !== 0 || b[at + 7]! !== 0) return IP_FRAGMENT;
  if (b[at + 9]! !== PROTO_TCP) return NOT_TCP;
  const end = announcedEnd < len ? announcedEnd : len;
  ipv4Span.tcpAt = at + headerLen;
  ipv4Span.end = end;
  ipv4Span.missing = announcedEnd - end;
  return null;
}

/** IPv4 header at `at`. */
export function decodeIPv4(b: Uint8Array, at: number): TcpPacket | NotTcp {
  const notTcp = locateIPv4Tcp(b, at);
  if (notTcp !== null) return notTcp;
  return decodeTcp(b, 4, at + 12, ipv4Span.tcpAt, ipv4Span.end, ipv4Span.missing);
}

// IPv6 next-header values.
const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTH_HEADER = 51;
const DEST_OPTIONS = 60;
const MOBILITY = 135;
const HIP = 139;
const SHIM6 = 140;
/** Real packets carry a handful of extension headers; the bound keeps crafted chains cheap. */
const MAX_EXTENSION_HEADERS = 32;

/**
 * IPv6 header at `at`, then its extension-header chain up to TCP. Anything else at the end of the
 * chain (UDP, ICMPv6, ESP, no-next-header 59, ...) is NOT_TCP.
 */
export function decodeIPv6(b: Uint8Array, at: number): TcpPacket | NotTcp {
  const len = b.length;
  if (len - at < 40) return BAD_IP;
  if (b[at]! >> 4 !== 6) return BAD_IP;
  const payloadLen = (b[at + 4]! << 8) | b[at + 5]!;
  const announcedEnd = payloadLen === 0 ? len : at + 40 + payloadLen;
  const end = announcedEnd < len ? announcedEnd : len;
  let next = b[at + 6]!;
  let p = at + 40;
  for (let n = 0; n <= MAX_EXTENSION_HEADERS; n++) {
    let extLen: number;
    switch (next) {
      case PROTO_TCP:
        return decodeTcp(b, 6, at + 8, p, end, announcedEnd - end);
      case HOP_BY_HOP:
      case ROUTING:
      case DEST_OPTIONS:
      case MOBILITY:
      case HIP:
      case SHIM6:
        // Every extension header is at least 8 bytes; its length byte counts 8-byte units after the first.
        if (end - p < 8) return BAD_IP;
        extLen = (b[p + 1]! + 1) * 8;
        break;
      case AUTH_HEADER:
        // AH counts 4-byte units, minus 2.
        if (end - p < 8) return BAD_IP;
        extLen = (b[p + 1]! + 2) * 4;
        break;
      case FRAGMENT:
        if (end - p < 8) return BAD_IP;
        // Offset (top 13 bits) or M flag (low bit) set: a real fragment. Both clear: an atomic
        // fragment (RFC 6946), a whole packet that just carries the header.
        if ((((b[p + 2]! << 8) | b[p + 3]!) & 0xfff9) !== 0) return IP_FRAGMENT;
        extLen = 8;
        break;
      default:
        return NOT_TCP;
    }
    if (p + extLen > end) return BAD_IP;
    next = b[p]!;
    p += extLen;
  }
  return BAD_IP;
}
