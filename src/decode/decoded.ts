/**
 * What the decoder hands on for each frame: a TCP segment, or a reason it is not one.
 * The reasons are counter names, so the caller counts them without a mapping table.
 */
import type { CounterName } from '../core/counter-names';

// TCP flag bits in the flags byte (header byte 13).
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/** A TCP segment's numbers: what the tracker keys and orders by (a TcpPacket, and the fast path's peek). */
export interface TcpNumbers {
  /** IPv4 addresses as unsigned 32-bit numbers (cheap connection keys); -1 for IPv6. */
  srcV4: number;
  dstV4: number;
  srcPort: number;
  dstPort: number;
  /** Unsigned 32-bit. */
  seq: number;
  /** Unsigned 32-bit (meaningful only with TCP_ACK set). */
  ack: number;
  /** The TCP flags byte (TCP_FIN | TCP_SYN | ...). */
  flags: number;
}

export interface TcpPacket extends TcpNumbers {
  kind: 'tcp';
  ipVersion: 4 | 6;
  /** Canonical address text (core/ip.ts), so it compares equal to addresses parsed from PORT/EPRT. */
  src: string;
  dst: string;
  /**
   * View into the frame (not a copy): the captured TCP payload, ending where the IP length says the
   * packet ends, so Ethernet padding and trailers are excluded. Valid only while the frame is.
   */
  payload: Uint8Array;
  /** Payload bytes the IP length announces but the capture does not hold (snaplen cut), else 0. */
  missingBytes: number;
}

/** Frames passed through untouched: valid, but not something ftpflow looks into. */
export type OtherReason = Extract<CounterName,
  'decode.other_link' | 'decode.not_ip' | 'decode.not_tcp' | 'decode.ip_fragment'>;
/** Frames whose headers are malformed or cut short. */
export type BadReason = Extract<CounterName, 'decode.bad_link' | 'decode.bad_ip' | 'decode.bad_tcp'>;

export interface OtherFrame { readonly kind: 'other'; readonly why: OtherReason }
export interface BadFrame { readonly kind: 'bad'; readonly why: BadReason }
export type NotTcp = OtherFrame | BadFrame;

export type Decoded = TcpPacket | NotTcp;

// One frozen object per reason: the non-TCP path allocates nothing.
const other = (why: OtherReason): OtherFrame => Object.freeze({ kind: 'other', why } as const);
const bad = (why: BadReason): BadFrame => Object.freeze({ kind: 'bad', why } as const);

export const OTHER_LINK = other('decode.other_link');
export const NOT_IP = other('decode.not_ip');
export const NOT_TCP = other('decode.not_tcp');
export const IP_FRAGMENT = other('decode.ip_fragment');
export const BAD_LINK = bad('decode.bad_link');
export const BAD_IP = bad('decode.bad_ip');
export const BAD_TCP = bad('decode.bad_tcp');
