/**
 * decodeFrame: one captured frame in, a TcpPacket or the reason it is not one out.
 *
 * Contract: never throws, never reads outside `data`, whatever the bytes. Called for every frame,
 * so it allocates only the TcpPacket, its payload view and (when address-text.ts has not seen the
 * address lately) the address strings; every non-TCP answer is a shared frozen constant. Each layer
 * reads bytes directly (no DataView) and passes the next one offsets, not objects.
 */
import { BAD_IP, type Decoded, type NotTcp } from './decoded';
import { FAMILY_IPV4, FAMILY_IPV6, locateNetwork, networkFamily, networkOffset } from './link-layer';
import { decodeIPv4, decodeIPv6 } from './network-layer';

export function decodeFrame(linkType: number, data: Uint8Array): Decoded {
  const ip = locateIp(linkType, data);
  if (typeof ip !== 'number') return ip;
  const at = networkOffset(ip);
  return networkFamily(ip) === FAMILY_IPV4 ? decodeIPv4(data, at) : decodeIPv6(data, at);
}

/**
 * Where the IP header starts and which version it is (`offset * 8 + family`, family 4 or 6), or why
 * there is none; the frame is `data` from `start` to `end`. Shared with the engine's allocation-free peek (tcp4-peek.ts).
 */
export function locateIp(linkType: number, data: Uint8Array, start = 0, end = data.length): number | NotTcp {
  const located = locateNetwork(linkType, data, start, end);
  if (typeof located !== 'number') return located;
  const family = networkFamily(located);
  if (family === FAMILY_IPV4 || family === FAMILY_IPV6) return located;
  // Raw-IP link types say nothing: the version nibble decides. Where the link header did say,
  // decodeIPv4/decodeIPv6 check that the nibble agrees.
  const at = networkOffset(located);
  if (at >= end) return BAD_IP;
  const version = data[at]! >> 4;
  return version === FAMILY_IPV4 || version === FAMILY_IPV6 ? at * 8 + version : BAD_IP;
}
