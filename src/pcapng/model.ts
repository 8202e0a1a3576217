/**
 * The shapes a capture file is read into and written from. One model for pcap and pcapng input,
 * always little-endian values, so the writer can copy what it was given without knowing where it came from.
 */

import type { TimestampNs } from '../core/types';

/** One option of a pcapng block. Numeric values are in LITTLE-endian form, whatever the input's byte order. */
export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

/** What an Interface Description Block says (or what a classic pcap file header implies). */
export interface InterfaceDesc {
  /** LINKTYPE_* value (pcap's FCS/extension bits masked off: the low 16 bits). */
  linkType: number;
  snapLen: number;
  /** pcapng if_tsresol byte: 6 = µs, 9 = ns; MSB set = negative power of 2 (0x8a = 1/1024 s). */
  tsResol: number;
  /** if_tsoffset in seconds (0n when absent): added to every timestamp of the interface. */
  tsOffsetSec: bigint;
  /** Every other IDB option (if_name, if_description, if_filter, if_os, if_tsoffset...); never if_tsresol or endofopt. */
  options: PcapngOption[];
}

/**
 * One packet as a capture file holds it. The reader hands the same object to every callback and its
 * bytes are in the reader's buffer: both are valid only during the callback. Copy what you keep.
 * `data` and `tsTicks` are computed when read (a view, a BigInt): read each once; the hot paths
 * use `buffer`/`offset`/`capLen`, `tsHigh`/`tsLow` and `tsNs`, which allocate nothing.
 */
export interface FilePacket {
  /** 0-based section index in the file (classic pcap: always 0). */
  readonly section: number;
  /** Interface index within its section. */
  readonly ifaceId: number;
  /** The interface's LINKTYPE_*, or -1 when no IDB declared the interface. */
  readonly linkType: number;
  /** Raw timestamp in the interface's tsResol units: copy it to the output unchanged. */
  readonly tsTicks: bigint;
  /** The same raw timestamp as its high and low 32-bit words. */
  readonly tsHigh: number;
  readonly tsLow: number;
  /** ns since the epoch (tsoffset and resolution applied), a double: the packet time for state logic. */
  readonly tsNs: TimestampNs;
  /** Captured bytes: a view into the read buffer, valid only during the callback. */
  readonly data: Uint8Array;
  /** The read buffer and where in it the captured bytes are (`data` without the view). */
  readonly buffer: Uint8Array;
  readonly offset: number;
  readonly capLen: number;
  /** Length on the wire. */
  readonly origLen: number;
  /** EPB/OPB options other than endofopt (comments etc.), null if none. Values are owned copies, numbers little-endian. */
  readonly options: PcapngOption[] | null;
}

/** A block the reader does not turn into a packet, section or interface: ISB, NRB, DSB, custom, unknown. */
export interface OtherBlock {
  section: number;
  /** The pcapng block type. */
  type: number;
  /**
   * The block body (between length and trailing length), an owned copy. Re-encoded little-endian for the
   * types whose layout is known (ISB, NRB, DSB); other types exactly as in the file.
   */
  body: Uint8Array;
}
