/**
 * Reading option lists and block bodies from a section of either byte order into the little-endian form
 * the rest of ftpflow (and the writer) uses. Only the numbers whose layout the spec fixes are swapped;
 * strings, addresses, hashes and verdicts are bytes and stay as they are.
 */
import {
  BLOCK_DSB, BLOCK_EPB, BLOCK_IDB, BLOCK_ISB, BLOCK_NRB, BLOCK_OPB, EPB_DROPCOUNT, EPB_FLAGS, EPB_PACKETID,
  EPB_PROCESSID_THREADID, EPB_QUEUE, IF_SPEED, IF_TSOFFSET, IF_TXSPEED, IF_RXSPEED, IF_TZONE, ISB_ENDTIME,
  ISB_STARTTIME, NRB_RECORD_END, OPT_CUSTOM_BIN, OPT_CUSTOM_BIN_NOCOPY, OPT_CUSTOM_STR, OPT_CUSTOM_STR_NOCOPY,
  OPT_ENDOFOPT,
} from './constants';
import type { PcapngOption } from './model';

const pad4 = (n: number): number => (n + 3) & ~3;

/** How an option value is laid out, as far as byte order goes. */
const enum Layout {
  Bytes,      // no numbers: strings, addresses, hashes
  U32,
  U64,
  U32Pair,    // two u32 (a timestamp high/low, or process id/thread id)
  Pen,        // custom option: u32 Private Enterprise Number, then opaque data
}

function layoutOf(blockType: number, code: number): Layout {
  if (code === OPT_CUSTOM_STR || code === OPT_CUSTOM_BIN || code === OPT_CUSTOM_STR_NOCOPY || code === OPT_CUSTOM_BIN_NOCOPY) {
    return Layout.Pen;
  }
  switch (blockType) {
    case BLOCK_EPB:
      if (code === EPB_FLAGS || code === EPB_QUEUE) return Layout.U32;
      if (code === EPB_DROPCOUNT || code === EPB_PACKETID) return Layout.U64;
      if (code === EPB_PROCESSID_THREADID) return Layout.U32Pair;
      return Layout.Bytes;
    case BLOCK_OPB:
      return code === EPB_FLAGS ? Layout.U32 : Layout.Bytes; // pack_flags
    case BLOCK_IDB:
      if (code === IF_TZONE) return Layout.U32;
      if (code === IF_SPEED || code === IF_TSOFFSET || code === IF_TXSPEED || code === IF_RXSPEED) return Layout.U64;
      return Layout.Bytes;
    case BLOCK_ISB:
      if (code === ISB_STARTTIME || code === ISB_ENDTIME) return Layout.U32Pair;
      return code >= 4 && code <= 8 ? Layout.U64 : Layout.Bytes;
    default:
      return Layout.Bytes;
  }
}

function swap(b: Uint8Array, off: number, width: number): void {
  for (let i = 0, j = width - 1; i < j; i++, j--) {
    const t = b[off + i]!;
    b[off + i] = b[off + j]!;
    b[off + j] = t;
  }
}

/** Turns a big-endian value (in place) into its little-endian form; values of an unexpected length stay as they are. */
function swapValue(layout: Layout, v: Uint8Array, off: number, len: number): void {
  switch (layout) {
    case Layout.U32: if (len === 4) swap(v, off, 4); break;
    case Layout.U64: if (len === 8) swap(v, off, 8); break;
    case Layout.U32Pair: if (len === 8) { swap(v, off, 4); swap(v, off + 4, 4); } break;
    case Layout.Pen: if (len >= 4) swap(v, off, 4); break;
    default: break;
  }
}

function u16(b: Uint8Array, off: number, le: boolean): number {
  return le ? b[off]! | (b[off + 1]! << 8) : (b[off]! << 8) | b[off + 1]!;
}

function u32(b: Uint8Array, off: number, le: boolean): number {
  return le
    ? (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0
    : ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/**
 * The options in `b[start, end)` of a block of `blockType`, without endofopt, values copied and made
 * little-endian; null if there are none. Stops at endofopt, at the end, or at an option that overruns the end.
 */
export function readOptions(b: Uint8Array, start: number, end: number, le: boolean, blockType: number): PcapngOption[] | null {
  let out: PcapngOption[] | null = null;
  let off = start;
  while (off + 4 <= end) {
    const code = u16(b, off, le);
    const len = u16(b, off + 2, le);
    if (code === OPT_ENDOFOPT) break;
    if (off + 4 + len > end) break; // overruns its block: nothing after it can be trusted
    const value = b.slice(off + 4, off + 4 + len);
    if (!le) swapValue(layoutOf(blockType, code), value, 0, len);
    (out ??= []).push({ code, value });
    off += 4 + pad4(len);
  }
  return out;
}

/** Makes the option list in `b[off, end)` little-endian, in place: headers and numeric values. */
function swapOptionsInPlace(b: Uint8Array, off: number, end: number, blockType: number): void {
  while (off + 4 <= end) {
    const code = u16(b, off, false);
    const len = u16(b, off + 2, false);
    swap(b, off, 2);
    swap(b, off + 2, 2);
    if (code === OPT_ENDOFOPT || off + 4 + len > end) return;
    swapValue(layoutOf(blockType, code), b, off + 4, len);
    off += 4 + pad4(len);
  }
}

/**
 * A block body (an owned copy) from a big-endian section, made little-endian in place for the types whose
 * layout is known: ISB, NRB and DSB. Other types are returned unchanged: their bodies are opaque to us.
 */
export function bodyToLittleEndian(type: number, body: Uint8Array): Uint8Array {
  const end = body.length;
  switch (type) {
    case BLOCK_ISB: {
      if (end < 12) return body;
      swap(body, 0, 4); // interface id
      swap(body, 4, 4); // timestamp high
      swap(body, 8, 4); // timestamp low
      swapOptionsInPlace(body, 12, end, BLOCK_ISB);
      return body;
    }
    case BLOCK_NRB: {
      let off = 0;
      while (off + 4 <= end) {
        const recType = u16(body, off, false);
        const recLen = u16(body, off + 2, false);
        swap(body, off, 2);
        swap(body, off + 2, 2);
        off += 4 + pad4(recLen);
        if (recType === NRB_RECORD_END) break; // records hold addresses and names: bytes, not numbers
      }
      swapOptionsInPlace(body, off, end, BLOCK_NRB);
      return body;
    }
    case BLOCK_DSB: {
      if (end < 8) return body;
      const secretsLen = u32(body, 4, false);
      swap(body, 0, 4); // secrets type
      swap(body, 4, 4); // secrets length
      swapOptionsInPlace(body, 8 + pad4(secretsLen), end, BLOCK_DSB);
      return body;
    }
    default:
      return body;
  }
}
