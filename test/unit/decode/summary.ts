/** Turns a decode result into a plain object that assert.deepEqual can compare and print readably. */
import type { Decoded } from '../../../src/decode';

export type Summary =
  | { kind: 'tcp'; ipVersion: 4 | 6; src: string; dst: string; srcPort: number; dstPort: number;
      seq: number; ack: number; flags: number; payload: string; missingBytes: number }
  | { kind: 'other' | 'bad'; why: string };
export type TcpSummary = Extract<Summary, { kind: 'tcp' }>;

/** The payload becomes latin1 text: FTP lines read as themselves, and any byte stays visible. */
export function summarize(d: Decoded): Summary {
  if (d.kind !== 'tcp') return { kind: d.kind, why: d.why };
  return {
    kind: 'tcp', ipVersion: d.ipVersion, src: d.src, dst: d.dst, srcPort: d.srcPort, dstPort: d.dstPort,
    seq: d.seq, ack: d.ack, flags: d.flags, payload: Buffer.from(d.payload).toString('latin1'),
    missingBytes: d.missingBytes,
  };
}

/** The TCP fields of the two real USER frames (every wrapper of them must decode to these). */
export const V4_USER_TCP: TcpSummary = {
  kind: 'tcp', ipVersion: 4, src: '141.142.220.235', dst: '199.233.217.249', srcPort: 50003, dstPort: 21,
  seq: 1843701390, ack: 616064565, flags: 0x18, payload: 'USER anonymous\r\n', missingBytes: 0,
};
export const V6_USER_TCP: TcpSummary = {
  kind: 'tcp', ipVersion: 6, src: '2001:470:1f11:81f:c999:d94:aa7c:2e3e', dst: '2001:470:4867:99::21',
  srcPort: 49185, dstPort: 21, seq: 646610528, ack: 108197986, flags: 0x18, payload: 'USER anonymous\r\n',
  missingBytes: 0,
};

export const other = (why: string): Summary => ({ kind: 'other', why });
export const bad = (why: string): Summary => ({ kind: 'bad', why });
