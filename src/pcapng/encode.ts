/**
 * Pure pcapng block encoders. Output is always little-endian: the host order of every machine we target,
 * and dumpcap's pipe reader rejects any other order. Nothing here knows where the bytes go (file, FIFO).
 */
import {
  BLOCK_EPB, BLOCK_IDB, BLOCK_ISB, BLOCK_SHB, BYTE_ORDER_MAGIC, IF_TSOFFSET, IF_TSRESOL,
  ISB_ENDTIME, ISB_FILTERACCEPT, ISB_IFDROP, ISB_IFRECV, ISB_OSDROP, ISB_STARTTIME, ISB_USRDELIV,
  MAX_OPTION_VALUE, OPT_COMMENT, OPT_ENDOFOPT,
} from './constants';
import type { InterfaceDesc, PcapngOption } from './model';

export * from './constants';

/** Rounds a length up to the next multiple of 4 (pcapng pads bodies and option values to 32 bits). */
export const pad4 = (n: number): number => (n + 3) & ~3;

// One scratch word for splitting a 64-bit timestamp into its high and low halves without BigInt arithmetic.
const scratch = new DataView(new ArrayBuffer(8));

function putU16(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v & 0xff;
  buf[off + 1] = (v >>> 8) & 0xff;
}

function putU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v & 0xff;
  buf[off + 1] = (v >>> 8) & 0xff;
  buf[off + 2] = (v >>> 16) & 0xff;
  buf[off + 3] = (v >>> 24) & 0xff;
}

/** A pcapng timestamp: u32 high word, then u32 low word, each little-endian. */
function putTimestamp(buf: Uint8Array, off: number, ticks: bigint): void {
  scratch.setBigUint64(0, ticks, true); // wraps modulo 2^64, never throws
  putU32(buf, off, scratch.getUint32(4, true));
  putU32(buf, off + 4, scratch.getUint32(0, true));
}

function zero(buf: Uint8Array, from: number, to: number): void {
  for (let i = from; i < to; i++) buf[i] = 0;
}

/** A u64 as 8 little-endian bytes. */
export function u64Bytes(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, true);
  return out;
}

/** A timestamp as an option value (isb_starttime/isb_endtime): u32 high, u32 low. */
export function timestampBytes(ticks: bigint): Uint8Array {
  const out = new Uint8Array(8);
  putTimestamp(out, 0, ticks);
  return out;
}

// ---------------------------------------------------------------------------------------------
// UTF-8 option text

/**
 * Encoded comment texts, by text. The annotator repeats one text on every packet of a connection, and a
 * lookup plus a native copy is several times faster than encoding again. Cap: COMMENT_CACHE_MAX entries
 * of at most COMMENT_CACHE_TEXT_BYTES each (longer texts are encoded every time); when full it is emptied
 * and refills. The worst case is a miss per packet, never growth.
 */
const COMMENT_CACHE_MAX = 4096;
const COMMENT_CACHE_TEXT_BYTES = 512;
const commentCache = new Map<string, Uint8Array>();

/** `text` as an option value: UTF-8, cut on a character boundary when longer than 65535 bytes. */
function optionText(text: string): Uint8Array {
  let bytes = commentCache.get(text);
  if (bytes === undefined) {
    bytes = utf8OptionBytes(text);
    if (bytes.length <= COMMENT_CACHE_TEXT_BYTES) {
      if (commentCache.size >= COMMENT_CACHE_MAX) commentCache.clear();
      commentCache.set(text, bytes);
    }
  }
  return bytes;
}

function utf8OptionBytes(text: string): Uint8Array {
  const full = Buffer.from(text, 'utf8');
  if (full.length <= MAX_OPTION_VALUE) return full;
  let cut = MAX_OPTION_VALUE;
  while (cut > 0 && ((full[cut] ?? 0) & 0xc0) === 0x80) cut--; // back off UTF-8 continuation bytes
  return full.subarray(0, cut);
}

/**
 * The whole option list of a block whose only option is one comment (opt_comment, padding, endofopt),
 * ready to copy: the annotator's common case, one copy per packet instead of an option-by-option write.
 * Cached like optionText (same caps).
 */
const soleCommentCache = new Map<string, Uint8Array>();

function soleCommentList(text: string): Uint8Array {
  let list = soleCommentCache.get(text);
  if (list === undefined) {
    list = newSoleCommentList(text);
    if (list.length - 8 <= COMMENT_CACHE_TEXT_BYTES) { // the value, padded (the cap is a multiple of 4)
      if (soleCommentCache.size >= COMMENT_CACHE_MAX) soleCommentCache.clear();
      soleCommentCache.set(text, list);
    }
  }
  return list;
}

/** The option list of a block whose only option is the comment `text`, with its endofopt. */
function newSoleCommentList(text: string): Uint8Array {
  const value = optionText(text);
  const list = new Uint8Array(4 + pad4(value.length) + 4); // zero-filled: padding and endofopt
  putU16(list, 0, OPT_COMMENT);
  putU16(list, 2, value.length);
  list.set(value, 4);
  return list;
}

/**
 * An EPB option list made once and copied into many blocks: `bytes` (a multiple of 4 long) and the same
 * bytes as 32-bit words, for a copy loop cheaper than TypedArray#set on short lists (see the encoder's
 * WORD_LOOP_MAX_WORDS).
 */
export interface OptionList {
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
}

/** The option list of a block whose only option is the comment `text` ('' : no options at all). */
export function commentOptionList(text: string): OptionList {
  // Made once per text by its caller: no cache (hashing a long text costs more than building its list).
  const bytes = text === '' ? new Uint8Array(0) : newSoleCommentList(text);
  return { bytes, words: new Uint32Array(bytes.buffer, 0, bytes.length >> 2) };
}

/** UTF-8 length of `text` as an option value (see optionText). */
export function utf8OptionLength(text: string): number {
  return optionText(text).length;
}

/** A string option (opt_comment, if_name, shb_userappl ...): UTF-8, cut at 65535 bytes on a character boundary. */
export function encodeStringOption(code: number, text: string): PcapngOption {
  return { code, value: Uint8Array.from(utf8OptionBytes(text)) };
}

/** A custom option (2988/2989/19372/19373): the Private Enterprise Number, then the data. */
export function encodeCustomOption(code: number, pen: number, data: Uint8Array): PcapngOption {
  const value = new Uint8Array(4 + data.length);
  putU32(value, 0, pen);
  value.set(data, 4);
  return { code, value };
}

// ---------------------------------------------------------------------------------------------
// Option lists

/** Bytes an option list takes, with its endofopt; 0 for no options (then no endofopt is written either). */
export function optionsSize(options: readonly PcapngOption[] | null, comments: readonly string[] = []): number {
  if (comments.length === 1 && (options === null || options.length === 0)) return soleCommentList(comments[0]!).length;
  let n = 0;
  for (let i = 0; i < comments.length; i++) n += 4 + pad4(utf8OptionLength(comments[i]!));
  if (options) {
    for (let i = 0; i < options.length; i++) {
      const o = options[i]!;
      if (o.code !== OPT_ENDOFOPT) n += 4 + pad4(Math.min(o.value.length, MAX_OPTION_VALUE));
    }
  }
  return n === 0 ? 0 : n + 4;
}

/** Writes comments (one opt_comment each), then options, then endofopt if anything was written. */
function writeOptions(buf: Buffer, off: number, options: readonly PcapngOption[] | null, comments: readonly string[]): number {
  if (comments.length === 1 && (options === null || options.length === 0)) {
    const list = soleCommentList(comments[0]!);
    buf.set(list, off);
    return off + list.length;
  }
  const start = off;
  for (let i = 0; i < comments.length; i++) {
    const text = optionText(comments[i]!);
    const len = text.length;
    buf.set(text, off + 4);
    putU16(buf, off, OPT_COMMENT);
    putU16(buf, off + 2, len);
    const end = off + 4 + pad4(len);
    zero(buf, off + 4 + len, end);
    off = end;
  }
  if (options) {
    for (let i = 0; i < options.length; i++) {
      const o = options[i]!;
      if (o.code === OPT_ENDOFOPT) continue; // the list gets exactly one, at its end
      const len = Math.min(o.value.length, MAX_OPTION_VALUE);
      putU16(buf, off, o.code);
      putU16(buf, off + 2, len);
      buf.set(len === o.value.length ? o.value : o.value.subarray(0, len), off + 4);
      const end = off + 4 + pad4(len);
      zero(buf, off + 4 + len, end);
      off = end;
    }
  }
  if (off !== start) {
    putU32(buf, off, 0); // opt_endofopt: code 0, length 0
    off += 4;
  }
  return off;
}

// ---------------------------------------------------------------------------------------------
// Blocks

/** Any block: type, total length, body padded to 32 bits, total length again. */
export function encodeBlock(type: number, body: Uint8Array): Uint8Array {
  const total = 12 + pad4(body.length);
  const out = new Uint8Array(total);
  putU32(out, 0, type);
  putU32(out, 4, total);
  out.set(body, 8);
  putU32(out, total - 4, total);
  return out;
}

/** A block whose body is `fixed` bytes (left zero, at offset 8, for the caller to fill) and an option list. */
function blockWithOptions(type: number, fixed: number, options: readonly PcapngOption[]): Buffer {
  const total = 12 + fixed + optionsSize(options);
  const buf = Buffer.alloc(total);
  putU32(buf, 0, type);
  putU32(buf, 4, total);
  const end = writeOptions(buf, 8 + fixed, options, []);
  putU32(buf, end, total);
  return buf;
}

function toUint8(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/** Section Header Block, version 1.0, section length -1 (unknown: we stream). */
export function encodeShb(options: readonly PcapngOption[]): Uint8Array {
  const buf = blockWithOptions(BLOCK_SHB, 16, options);
  putU32(buf, 8, BYTE_ORDER_MAGIC);
  putU16(buf, 8 + 4, 1);
  putU16(buf, 8 + 6, 0);
  putU32(buf, 8 + 8, 0xffffffff);
  putU32(buf, 8 + 12, 0xffffffff);
  return toUint8(buf);
}

/**
 * Interface Description Block. `tsResol` and `tsOffsetSec` are the authority for the time options:
 * if_tsresol is written when it is not the default 6, if_tsoffset when the offset is not 0 (after the
 * other options); codes 9 and 14 in `options` are ignored.
 */
export function encodeIdb(iface: InterfaceDesc): Uint8Array {
  const options: PcapngOption[] = [];
  for (const o of iface.options) {
    if (o.code !== IF_TSRESOL && o.code !== IF_TSOFFSET && o.code !== OPT_ENDOFOPT) options.push(o);
  }
  if (iface.tsResol !== 6) options.push({ code: IF_TSRESOL, value: Uint8Array.of(iface.tsResol & 0xff) });
  if (iface.tsOffsetSec !== 0n) options.push({ code: IF_TSOFFSET, value: u64Bytes(BigInt.asUintN(64, iface.tsOffsetSec)) });
  const buf = blockWithOptions(BLOCK_IDB, 8, options);
  putU16(buf, 8, iface.linkType & 0xffff);
  putU16(buf, 8 + 2, 0);
  putU32(buf, 8 + 4, iface.snapLen >>> 0);
  return toUint8(buf);
}

/** Exact size of the EPB encodeEpbInto writes for these arguments. */
export function epbSize(dataLen: number, options: readonly PcapngOption[] | null, comments: readonly string[]): number {
  return 32 + pad4(dataLen) + optionsSize(options, comments);
}

/**
 * Encodes an Enhanced Packet Block at `buf[off]` and returns the offset after it. The caller guarantees
 * epbSize() bytes of room. Comments come first (one opt_comment each, in order), then `options` as given.
 */
export function encodeEpbInto(
  buf: Buffer, off: number, ifaceId: number, tsTicks: bigint, data: Uint8Array, origLen: number,
  options: readonly PcapngOption[] | null, comments: readonly string[],
): number {
  const start = off;
  const capLen = data.length;
  putU32(buf, off, BLOCK_EPB);
  putU32(buf, off + 8, ifaceId);
  putTimestamp(buf, off + 12, tsTicks);
  putU32(buf, off + 20, capLen);
  putU32(buf, off + 24, origLen);
  buf.set(data, off + 28);
  const dataEnd = off + 28 + pad4(capLen);
  zero(buf, off + 28 + capLen, dataEnd);
  off = writeOptions(buf, dataEnd, options, comments);
  const total = off + 4 - start;
  putU32(buf, start + 4, total);
  putU32(buf, off, total);
  return off + 4;
}

/** An Enhanced Packet Block in its own array (see encodeEpbInto). */
export function encodeEpb(
  ifaceId: number, tsTicks: bigint, data: Uint8Array, origLen: number,
  options: readonly PcapngOption[] | null, comments: readonly string[],
): Uint8Array {
  const buf = Buffer.alloc(epbSize(data.length, options, comments));
  encodeEpbInto(buf, 0, ifaceId, tsTicks, data, origLen, options, comments);
  return toUint8(buf);
}

/** Interface statistics; every field optional. Counts are packets, times are in the interface's ticks. */
export interface InterfaceStats {
  startTicks?: bigint;
  endTicks?: bigint;
  ifRecv?: bigint;
  ifDrop?: bigint;
  filterAccept?: bigint;
  osDrop?: bigint;
  usrDeliv?: bigint;
}

/** Interface Statistics Block; options in code order, only those given. */
export function encodeIsb(ifaceId: number, tsTicks: bigint, stats: InterfaceStats): Uint8Array {
  const options: PcapngOption[] = [];
  if (stats.startTicks !== undefined) options.push({ code: ISB_STARTTIME, value: timestampBytes(stats.startTicks) });
  if (stats.endTicks !== undefined) options.push({ code: ISB_ENDTIME, value: timestampBytes(stats.endTicks) });
  if (stats.ifRecv !== undefined) options.push({ code: ISB_IFRECV, value: u64Bytes(stats.ifRecv) });
  if (stats.ifDrop !== undefined) options.push({ code: ISB_IFDROP, value: u64Bytes(stats.ifDrop) });
  if (stats.filterAccept !== undefined) options.push({ code: ISB_FILTERACCEPT, value: u64Bytes(stats.filterAccept) });
  if (stats.osDrop !== undefined) options.push({ code: ISB_OSDROP, value: u64Bytes(stats.osDrop) });
  if (stats.usrDeliv !== undefined) options.push({ code: ISB_USRDELIV, value: u64Bytes(stats.usrDeliv) });
  const buf = blockWithOptions(BLOCK_ISB, 12, options);
  putU32(buf, 8, ifaceId);
  putTimestamp(buf, 8 + 4, tsTicks);
  return toUint8(buf);
}
