/**
 * The TCP header, and the one place a TcpPacket is built. The IP layer has already worked out where
 * the segment starts and ends; addresses are turned into text here, last, so a bad header costs none.
 */
import { viewOf } from '../core/byte-methods';
import { ipv4Text, ipv6Text } from './address-text';
import { BAD_TCP, type NotTcp, type TcpPacket } from './decoded';

/**
 * @param addrAt  offset of the source address; the destination follows it (4 or 16 bytes on)
 * @param at      offset of the TCP header
 * @param end     end of the segment's bytes that the capture holds (never past `b.length`)
 * @param missing bytes the IP length announces beyond `end`
 */
export function decodeTcp(
  b: Uint8Array, ipVersion: 4 | 6, addrAt: number, at: number, end: number, missing: number,
): TcpPacket | NotTcp {
  const headerLen = tcpHeaderLength(b, at, end);
  if (headerLen < 0) return BAD_TCP;
  return {
    kind: 'tcp',
    ipVersion,
    src: ipVersion === 4 ? ipv4Text(b, addrAt) : ipv6Text(b, addrAt),
    dst: ipVersion === 4 ? ipv4Text(b, addrAt + 4) : ipv6Text(b, addrAt + 16),
    srcV4: ipVersion === 4 ? u32(b, addrAt) : -1,
    dstV4: ipVersion === 4 ? u32(b, addrAt + 4) : -1,
    srcPort: (b[at]! << 8) | b[at + 1]!,
    dstPort: (b[at + 2]! << 8) | b[at + 3]!,
    seq: ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0,
    ack: ((b[at + 8]! << 24) | (b[at + 9]! << 16) | (b[at + 10]! << 8) | b[at + 11]!) >>> 0,
    flags: b[at + 13]!,
    payload: viewOf(b, at + headerLen, end),
    missingBytes: missing,
  };
}

/** The TCP header's length, or -1 when it is malformed or cut off. */
export function tcpHeaderLength(b: Uint8Array, at: number, end: number): number {
  if (end - at < 20) return -1;
  const headerLen = (b[at + 12]! >> 4) * 4;
  // Data offset < 5 is malformed; past `end` means options cut off (by the IP length or the snaplen).
  return headerLen < 20 || at + headerLen > end ? -1 : headerLen;
}

export function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
