/**
 * decodeFrame: one captured frame in, a TcpPacket or the reason it is not one out.
 *
 * Contract: never throws, never reads outside `data`, whatever the bytes. Called for every frame,
 * so it allocates only the TcpPacket, its payload view and (when address-text.ts has not seen the
 * address lately) the address strings; every non-TCP answer is a shared frozen constant. Each layer
 * reads bytes directly (no DataView) and passes the next one offsets, not objects.
 */
import { BAD_IP, type Decoded } from './decoded';
import { FAMILY_IPV4, FAMILY_IPV6, locateNetwork, networkFamily, networkOffset } from './link-layer';
import { decodeIPv4, decodeIPv6 } from './network-layer';

export function decodeFrame(linkType: number, data: Uint8Array): Decoded {
  const located = locateNetwork(linkType, data);
  if (typeof located !== 'number') return located;
  const at = networkOffset(located);
  let family = networkFamily(located);
  // Raw-IP link types say nothing: the version nibble decides. Where the link header did say,
  // decodeIPv4/decodeIPv6 check that the nibble agrees.
  if (family !== FAMILY_IPV4 && family !== FAMILY_IPV6) {
    if (at >= data.length) return BAD_IP;
    family = data[at]! >> 4;
  }
  if (family === FAMILY_IPV4) return decodeIPv4(data, at);
  if (family === FAMILY_IPV6) return decodeIPv6(data, at);
  return BAD_IP;
}
