import * as fs from 'node:fs';

/**
 * The link-layer type libpcap will report for a device, found without loading libpcap (the discovery verbs must
 * stay fast): on Linux from `/sys/class/net/<dev>/type` (the ARPHRD_* number), mapped as libpcap 1.10's
 * `pcap-linux.c` maps it. Only `--extcap-dlts` uses this; the capture writes whatever libpcap really reports.
 */

export interface LinkType {
  /** LINKTYPE_* number, as written in pcapng IDBs. */
  number: number;
  name: string;
  display: string;
}

export const LINK_ETHERNET: LinkType = { number: 1, name: 'EN10MB', display: 'Ethernet' };
export const LINK_LINUX_SLL: LinkType = { number: 113, name: 'LINUX_SLL', display: 'Linux cooked-mode capture v1' };
export const LINK_RAW: LinkType = { number: 101, name: 'RAW', display: 'Raw IP' };
export const LINK_NULL: LinkType = { number: 0, name: 'NULL', display: 'BSD loopback' };
export const LINK_IEEE802_11: LinkType = { number: 105, name: 'IEEE802_11', display: '802.11' };
export const LINK_RADIOTAP: LinkType = { number: 127, name: 'IEEE802_11_RADIO', display: '802.11 plus radiotap header' };

/** ARPHRD_* (linux/if_arp.h) → what libpcap reports; anything else gets libpcap's cooked-mode fallback. */
const ARPHRD_TO_LINK: ReadonlyMap<number, LinkType> = new Map([
  [1, LINK_ETHERNET], // ARPHRD_ETHER (also ifb, veth, bridges, tap)
  [772, LINK_ETHERNET], // ARPHRD_LOOPBACK: libpcap presents lo as Ethernet (verified: tshark -L -i lo)
  [65534, LINK_RAW], // ARPHRD_NONE: tun, wireguard
  [776, LINK_RAW], // ARPHRD_SIT
  [801, LINK_IEEE802_11], // ARPHRD_IEEE80211
  [803, LINK_RADIOTAP], // ARPHRD_IEEE80211_RADIOTAP
]);

/**
 * The link type of a device. `any` is LINUX_SLL (113): libpcap 1.10 offers SLL2 too but opens `any` as
 * SLL v1 by default (verified: dumpcap -i any writes "Linux cooked-mode capture v1").
 * Off Linux, or when /sys cannot be read, Ethernet is the best guess (BSD/macOS loopback is NULL).
 */
export function linkTypeOf(device: string, sysClassNet = '/sys/class/net', platform: string = process.platform): LinkType {
  if (platform === 'linux') {
    if (device === 'any') return LINK_LINUX_SLL;
    const arphrd = readArphrd(sysClassNet, device);
    if (arphrd === null) return LINK_ETHERNET;
    return ARPHRD_TO_LINK.get(arphrd) ?? LINK_LINUX_SLL;
  }
  if ((platform === 'darwin' || platform.endsWith('bsd')) && /^lo\d*$/.test(device)) return LINK_NULL;
  return LINK_ETHERNET;
}

function readArphrd(sysClassNet: string, device: string): number | null {
  // A device name never contains a slash; refuse one rather than read outside /sys/class/net.
  if (device.includes('/') || device === '.' || device === '..') return null;
  try {
    const text = fs.readFileSync(`${sysClassNet}/${device}/type`, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}
