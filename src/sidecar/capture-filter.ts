import { controlPortsFilter } from '../extcap/capture-filter';

/**
 * What the sidecar captures: every packet of the control connections, and only the SYN, FIN and RST
 * packets of everything else — enough to see each data connection open (where it is matched) and close
 * (its byte counts come from the sequence numbers), at a small fraction of the traffic.
 *
 * libpcap's `tcp[tcpflags]` reads IPv4 only (it compiles to an IPv4-only program), so IPv6 is tested
 * by hand: next header TCP right after the fixed header (offset 6 == 6), flags at 40 + 13 = 53. A TCP
 * segment behind IPv6 extension headers is missed by that term (rare for TCP).
 *
 * With --detect-control a control session may be on any port and is recognised by its first bytes,
 * which no filter can pick out: then everything TCP is captured (say so to the user: it costs more).
 */
export const SYN_FIN_RST_IPV4 = 'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0';
export const SYN_FIN_RST_IPV6 = 'ip6 and ip6[6] == 6 and ip6[53] & 7 != 0';

export function sidecarCaptureFilter(controlPorts: ReadonlySet<number>, detectControl: boolean): string {
  if (detectControl) return 'tcp';
  return `(${controlPortsFilter(controlPorts)}) or (${SYN_FIN_RST_IPV4}) or (${SYN_FIN_RST_IPV6})`;
}
