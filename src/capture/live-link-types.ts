/**
 * Link-layer type numbers. libpcap speaks DLT_* values (platform-specific for a few types) and `cap`
 * names a handful of them as strings; pcapng and the rest of ftpflow speak LINKTYPE_* values, which are
 * the same numbers except for the few below.
 */

/** cap's names for the link types it knows (see binding.cc `Open`). */
const CAP_NAME_TO_LINKTYPE: Readonly<Record<string, number>> = {
  NULL: 0,
  ETHERNET: 1,
  IEEE802_11_RADIO: 127,
  LINKTYPE_LINUX_SLL: 113,
  RAW: 101,
};

/** DLT values whose LINKTYPE_* number differs (libpcap's pcap-common.c). */
const DLT_RAW = process.platform === 'openbsd' ? 14 : 12;
const DLT_TO_LINKTYPE: ReadonlyMap<number, number> = new Map([
  [DLT_RAW, 101],   // LINKTYPE_RAW (the only one a capture here can plausibly produce)
]);

/** LINKTYPE_* value for what cap's open() reported: its name string, else the numeric DLT. */
export function linkTypeFromCap(name: string, dlt: number): number {
  const named = CAP_NAME_TO_LINKTYPE[name];
  if (named !== undefined) return named;
  return DLT_TO_LINKTYPE.get(dlt) ?? dlt;
}

/** The DLT value libpcap wants (pcap_open_dead) for a LINKTYPE_* value. */
export function dltFromLinkType(linkType: number): number {
  for (const [dlt, lt] of DLT_TO_LINKTYPE) if (lt === linkType) return dlt;
  return linkType;
}
