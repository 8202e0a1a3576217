/**
 * A small, independent reader for pcap and pcapng files (test side only: it shares no code with
 * ftpflow's own reader, so the scorer and the in/out comparisons do not trust what they check).
 *
 * It reads into a plain model that test/fixtures/gen/capture-writer.ts can write back: the
 * permutation fuzz reads a capture, rewrites some packets and writes it again in the same format.
 * Bad input is a value: reading stops at the first damaged record and says why in `error`,
 * keeping every packet before it.
 */
import * as fs from 'node:fs';

export interface RawOption { code: number; value: Uint8Array }

export interface CapturedPacket {
  /** 0 for pcap; the pcapng section the packet came from. */
  section: number;
  /** Interface id within its section (always 0 for pcap). */
  interfaceId: number;
  linkType: number;
  tsNs: bigint;
  data: Uint8Array;
  origLen: number;
  /** EPB/PB option 1, in block order, decoded as UTF-8. */
  comments: string[];
  /** Every other packet option (flags, hashes, custom), kept for writing back. */
  otherOptions: RawOption[];
}

export interface PcapModel {
  format: 'pcap';
  bigEndian: boolean;
  nanos: boolean;
  versionMajor: number;
  versionMinor: number;
  thiszone: number;
  sigfigs: number;
  snaplen: number;
  /** The whole link-type field (upper bits may carry FCS information). */
  linkTypeField: number;
  packets: CapturedPacket[];
}

export interface PcapngInterface {
  linkType: number;
  snaplen: number;
  /** if_tsresol byte: 6 = microseconds (the default), 9 = nanoseconds, 0x80|n = 2^-n. */
  tsresol: number;
  /** if_tsoffset, seconds. */
  tsoffsetSec: bigint;
  /** Every other IDB option, kept for writing back. */
  otherOptions: RawOption[];
}

export interface PcapngSection {
  bigEndian: boolean;
  /** SHB options (comments, hardware, OS, user application ...). */
  options: RawOption[];
  interfaces: PcapngInterface[];
  packets: CapturedPacket[];
  /** Blocks other than SHB/IDB/packets (ISB, NRB, DSB, custom ...), not interpreted. */
  otherBlockTypes: number[];
}

export interface PcapngModel {
  format: 'pcapng';
  sections: PcapngSection[];
}

export type CaptureModel = PcapModel | PcapngModel;

export interface ReadResult {
  /** null when not even the file header could be read. */
  model: CaptureModel | null;
  /** Every packet, in file order (all sections). */
  packets: CapturedPacket[];
  /** Why reading stopped early, or null when the whole file was read. */
  error: string | null;
}

const OPT_COMMENT = 1;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
const utf8Decoder = new TextDecoder('utf-8');

export function readCaptureFile(path: string): ReadResult {
  return readCapture(new Uint8Array(fs.readFileSync(path)));
}

export function readCapture(bytes: Uint8Array): ReadResult {
  if (bytes.length < 4) return { model: null, packets: [], error: 'file shorter than a capture header' };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBe = dv.getUint32(0, false);
  if (magicBe === 0x0a0d0d0a) return readPcapng(bytes, dv);
  return readPcap(bytes, dv);
}

/** Nanoseconds per timestamp unit, as a rational num/den, for an if_tsresol byte. */
export function tsUnitsToNs(units: bigint, tsresol: number): bigint {
  if (tsresol & 0x80) {
    const pow = 1n << BigInt(tsresol & 0x7f);
    return (units * 1_000_000_000n) / pow;
  }
  const exp = tsresol;
  if (exp <= 9) return units * 10n ** BigInt(9 - exp);
  return units / 10n ** BigInt(exp - 9);
}

export function nsToTsUnits(ns: bigint, tsresol: number): bigint {
  if (tsresol & 0x80) {
    const pow = 1n << BigInt(tsresol & 0x7f);
    return (ns * pow) / 1_000_000_000n;
  }
  const exp = tsresol;
  if (exp <= 9) return ns / 10n ** BigInt(9 - exp);
  return ns * 10n ** BigInt(exp - 9);
}

// ---------------------------------------------------------------- pcap

function readPcap(bytes: Uint8Array, dv: DataView): ReadResult {
  const m = dv.getUint32(0, true);
  let bigEndian: boolean;
  let nanos: boolean;
  if (m === 0xa1b2c3d4) { bigEndian = false; nanos = false; }
  else if (m === 0xa1b23c4d) { bigEndian = false; nanos = true; }
  else if (m === 0xd4c3b2a1) { bigEndian = true; nanos = false; }
  else if (m === 0x4d3cb2a1) { bigEndian = true; nanos = true; }
  else return { model: null, packets: [], error: 'not a pcap or pcapng file (unknown magic)' };
  if (bytes.length < 24) return { model: null, packets: [], error: 'pcap file header truncated' };
  const le = !bigEndian;
  const model: PcapModel = {
    format: 'pcap', bigEndian, nanos,
    versionMajor: dv.getUint16(4, le), versionMinor: dv.getUint16(6, le),
    thiszone: dv.getInt32(8, le), sigfigs: dv.getUint32(12, le),
    snaplen: dv.getUint32(16, le), linkTypeField: dv.getUint32(20, le),
    packets: [],
  };
  const linkType = model.linkTypeField & 0xffff;
  let at = 24;
  while (at < bytes.length) {
    if (at + 16 > bytes.length) return { model, packets: model.packets, error: `pcap record header truncated at offset ${at}` };
    const sec = dv.getUint32(at, le);
    const frac = dv.getUint32(at + 4, le);
    const incl = dv.getUint32(at + 8, le);
    const orig = dv.getUint32(at + 12, le);
    if (incl > 0x4000000) return { model, packets: model.packets, error: `pcap record length ${incl} implausible at offset ${at}` };
    if (at + 16 + incl > bytes.length) return { model, packets: model.packets, error: `pcap record data truncated at offset ${at}` };
    const tsNs = BigInt(sec) * 1_000_000_000n + BigInt(frac) * (nanos ? 1n : 1000n);
    model.packets.push({
      section: 0, interfaceId: 0, linkType, tsNs,
      data: bytes.slice(at + 16, at + 16 + incl), origLen: orig, comments: [], otherOptions: [],
    });
    at += 16 + incl;
  }
  return { model, packets: model.packets, error: null };
}

// ---------------------------------------------------------------- pcapng

function readOptions(dv: DataView, bytes: Uint8Array, start: number, end: number, le: boolean): RawOption[] | null {
  const out: RawOption[] = [];
  let at = start;
  while (at + 4 <= end) {
    const code = dv.getUint16(at, le);
    const len = dv.getUint16(at + 2, le);
    if (code === 0) return out;
    const valueEnd = at + 4 + len;
    if (valueEnd > end) return null;
    out.push({ code, value: bytes.slice(at + 4, valueEnd) });
    at = at + 4 + ((len + 3) & ~3);
  }
  return out;
}

function readPcapng(bytes: Uint8Array, dv: DataView): ReadResult {
  const model: PcapngModel = { format: 'pcapng', sections: [] };
  const packets: CapturedPacket[] = [];
  let section: PcapngSection | null = null;
  let le = true;
  let at = 0;
  const stop = (why: string): ReadResult => ({ model: model.sections.length ? model : null, packets, error: why });
  while (at < bytes.length) {
    if (at + 12 > bytes.length) return stop(`block header truncated at offset ${at}`);
    const typeBe = dv.getUint32(at, false);
    if (typeBe === 0x0a0d0d0a) {
      if (at + 28 > bytes.length) return stop(`section header truncated at offset ${at}`);
      const bom = dv.getUint32(at + 8, true);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else return stop(`section header with a bad byte-order magic at offset ${at}`);
    } else if (!section) {
      return stop('pcapng file does not start with a section header');
    }
    const type = dv.getUint32(at, le);
    const len = dv.getUint32(at + 4, le);
    if (len < 12 || len % 4 !== 0) return stop(`block length ${len} invalid at offset ${at}`);
    if (at + len > bytes.length) return stop(`block truncated at offset ${at}`);
    if (dv.getUint32(at + len - 4, le) !== len) return stop(`block trailer length mismatch at offset ${at}`);
    const body = at + 8;
    const end = at + len - 4;
    switch (type) {
      case 0x0a0d0d0a: {
        const options = readOptions(dv, bytes, body + 16, end, le);
        if (!options) return stop(`section header options malformed at offset ${at}`);
        section = { bigEndian: !le, options, interfaces: [], packets: [], otherBlockTypes: [] };
        model.sections.push(section);
        break;
      }
      case 1: {
        if (end - body < 8) return stop(`interface block too short at offset ${at}`);
        const options = readOptions(dv, bytes, body + 8, end, le);
        if (!options) return stop(`interface options malformed at offset ${at}`);
        let tsresol = 6;
        let tsoffsetSec = 0n;
        const otherOptions: RawOption[] = [];
        for (const o of options) {
          if (o.code === OPT_IF_TSRESOL && o.value.length >= 1) tsresol = o.value[0]!;
          else if (o.code === OPT_IF_TSOFFSET && o.value.length >= 8) {
            tsoffsetSec = new DataView(o.value.buffer, o.value.byteOffset, 8).getBigInt64(0, le);
          } else otherOptions.push(o);
        }
        section!.interfaces.push({ linkType: dv.getUint16(body, le), snaplen: dv.getUint32(body + 4, le), tsresol, tsoffsetSec, otherOptions });
        break;
      }
      case 6:
      case 2: {
        const isEpb = type === 6;
        if (end - body < 20) return stop(`packet block too short at offset ${at}`);
        const ifId = isEpb ? dv.getUint32(body, le) : dv.getUint16(body, le);
        const tsHigh = dv.getUint32(body + 4, le);
        const tsLow = dv.getUint32(body + 8, le);
        const caplen = dv.getUint32(body + 12, le);
        const origLen = dv.getUint32(body + 16, le);
        const dataStart = body + 20;
        if (dataStart + caplen > end) return stop(`packet data overruns its block at offset ${at}`);
        const iface = section!.interfaces[ifId];
        if (!iface) return stop(`packet names undeclared interface ${ifId} at offset ${at}`);
        const options = readOptions(dv, bytes, dataStart + ((caplen + 3) & ~3), end, le);
        if (!options) return stop(`packet options malformed at offset ${at}`);
        const units = (BigInt(tsHigh) << 32n) | BigInt(tsLow);
        const pkt: CapturedPacket = {
          section: model.sections.length - 1, interfaceId: ifId, linkType: iface.linkType,
          tsNs: tsUnitsToNs(units, iface.tsresol) + iface.tsoffsetSec * 1_000_000_000n,
          data: bytes.slice(dataStart, dataStart + caplen), origLen,
          comments: options.filter(o => o.code === OPT_COMMENT).map(o => utf8Decoder.decode(o.value)),
          otherOptions: options.filter(o => o.code !== OPT_COMMENT),
        };
        section!.packets.push(pkt);
        packets.push(pkt);
        break;
      }
      case 3: {
        if (end - body < 4) return stop(`simple packet block too short at offset ${at}`);
        const iface = section!.interfaces[0];
        if (!iface) return stop(`simple packet block without an interface at offset ${at}`);
        const origLen = dv.getUint32(body, le);
        const caplen = Math.min(origLen, end - body - 4);
        const pkt: CapturedPacket = {
          section: model.sections.length - 1, interfaceId: 0, linkType: iface.linkType, tsNs: 0n,
          data: bytes.slice(body + 4, body + 4 + caplen), origLen, comments: [], otherOptions: [],
        };
        section!.packets.push(pkt);
        packets.push(pkt);
        break;
      }
      default:
        section!.otherBlockTypes.push(type);
    }
    at += len;
  }
  return { model, packets, error: null };
}
