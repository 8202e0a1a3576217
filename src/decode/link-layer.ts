/**
 * Link layers: find where the IP header starts and which IP version the link header announces.
 *
 * Hot path, so the answer is one small integer rather than an object: `offset * 8 + family`
 * (see `networkOffset` / `networkFamily`), or a frozen NotTcp constant when there is no IP to find.
 */
import { BAD_LINK, NOT_IP, OTHER_LINK, type NotTcp } from './decoded';

// LINKTYPE_* values as they appear in pcap and pcapng files.
export const LINKTYPE_NULL = 0;          // BSD loopback, family in the writer's byte order
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_12 = 12;       // DLT_RAW as some systems write it
export const LINKTYPE_RAW_14 = 14;       // DLT_RAW as OpenBSD writes it
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;        // OpenBSD loopback, family in network order
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

/** Which IP version the link header announced; FAMILY_ANY lets the version nibble decide. */
export const FAMILY_ANY = 0;
export const FAMILY_IPV4 = 4;
export const FAMILY_IPV6 = 6;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;      // 802.1Q
const ETHERTYPE_QINQ = 0x88a8;      // 802.1ad
const ETHERTYPE_QINQ_OLD = 0x9100;  // pre-standard QinQ
/** Deeper tag stacks are not seen in practice; the bound keeps the loop short on garbage. */
const MAX_VLAN_TAGS = 8;

const AF_INET = 2;
// AF_INET6 differs by OS: 24 NetBSD/OpenBSD, 28 FreeBSD, 30 Darwin (Linux's 10 never appears here).
const isAfInet6 = (v: number): boolean => v === 24 || v === 28 || v === 30;

const found = (offset: number, family: number): number => offset * 8 + family;
export const networkOffset = (located: number): number => located >>> 3;
export const networkFamily = (located: number): number => located & 7;

/**
 * Where the IP header starts, for a frame of link type `linkType` held in `b` from `start` to `end`
 * (the offset answered is into `b`).
 */
export function locateNetwork(linkType: number, b: Uint8Array, start = 0, end = b.length): number | NotTcp {
  switch (linkType) {
    case LINKTYPE_ETHERNET: return ethernet(b, start, end);
    case LINKTYPE_LINUX_SLL: return end - start < 16 ? BAD_LINK : byEthertype(b, start + 14, start + 16);
    case LINKTYPE_LINUX_SLL2: return end - start < 20 ? BAD_LINK : byEthertype(b, start, start + 20);
    case LINKTYPE_NULL: return bsdNull(b, start, end);
    case LINKTYPE_LOOP: return bsdLoop(b, start, end);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_12:
    case LINKTYPE_RAW_14: return found(start, FAMILY_ANY);
    case LINKTYPE_IPV4: return found(start, FAMILY_IPV4);
    case LINKTYPE_IPV6: return found(start, FAMILY_IPV6);
    default: return OTHER_LINK;
  }
}

/** Ethernet II, with any stack of 802.1Q / 802.1ad tags in front of the EtherType. */
function ethernet(b: Uint8Array, start: number, end: number): number | NotTcp {
  if (end - start < 14) return BAD_LINK;
  let typeAt = start + 12;
  let type = (b[typeAt]! << 8) | b[typeAt + 1]!;
  for (let tags = 0; type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD; tags++) {
    if (tags === MAX_VLAN_TAGS) return NOT_IP;
    // Each tag is TPID (already read) + TCI, then the next EtherType.
    typeAt += 4;
    if (end < typeAt + 2) return BAD_LINK;
    type = (b[typeAt]! << 8) | b[typeAt + 1]!;
  }
  // Values <= 1500 are an 802.3 length (LLC frames): never IP in the captures we care about.
  return byType(type, typeAt + 2);
}

/** SLL and SLL2 carry an EtherType-valued protocol field at `typeAt`. */
function byEthertype(b: Uint8Array, typeAt: number, ipAt: number): number | NotTcp {
  return byType((b[typeAt]! << 8) | b[typeAt + 1]!, ipAt);
}

function byType(type: number, ipAt: number): number | NotTcp {
  if (type === ETHERTYPE_IPV4) return found(ipAt, FAMILY_IPV4);
  if (type === ETHERTYPE_IPV6) return found(ipAt, FAMILY_IPV6);
  return NOT_IP;
}

/** BSD NULL: a 4-byte address family in the capturing host's byte order, which the file does not say. */
function bsdNull(b: Uint8Array, s: number, end: number): number | NotTcp {
  if (end - s < 4) return BAD_LINK;
  const little = b[s]! | (b[s + 1]! << 8) | (b[s + 2]! << 16) | (b[s + 3]! << 24);
  const big = (b[s]! << 24) | (b[s + 1]! << 16) | (b[s + 2]! << 8) | b[s + 3]!;
  if (little === AF_INET || big === AF_INET) return found(s + 4, FAMILY_IPV4);
  if (isAfInet6(little) || isAfInet6(big)) return found(s + 4, FAMILY_IPV6);
  return NOT_IP;
}

/** OpenBSD LOOP: the same family field, always in network byte order. */
function bsdLoop(b: Uint8Array, s: number, end: number): number | NotTcp {
  if (end - s < 4) return BAD_LINK;
  const family = (b[s]! << 24) | (b[s + 1]! << 16) | (b[s + 2]! << 8) | b[s + 3]!;
  if (family === AF_INET) return found(s + 4, FAMILY_IPV4);
  if (isAfInet6(family)) return found(s + 4, FAMILY_IPV6);
  return NOT_IP;
}
