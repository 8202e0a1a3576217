/**
 * Encodes pcapng blocks into a large chunk and hands full chunks to a sink. The sink decides where
 * bytes go (a file with writeSync, a FIFO with backpressure); the encoding never changes.
 */
import { copyWithinBytes, setBytes } from '../core/byte-methods';
import { BLOCK_EPB, encodeEpb, encodeEpbInto, epbSize, pad4, type OptionList } from './encode';
import type { PcapngOption } from './model';

/**
 * Receives encoded bytes: a whole number of blocks per call. `endOfChunk` is false for a piece that
 * cut() handed over while the chunk goes on filling (handOver only): the chunk is not the sink's to
 * reuse until the piece that ends it arrives.
 */
export type ChunkSink = (bytes: Uint8Array, endOfChunk: boolean) => void;

export interface ChunkEncoderOptions {
  /** Chunk size in bytes (default 1 MiB). Blocks larger than a chunk go to the sink on their own. */
  chunkBytes?: number;
  /**
   * false (default): the sink must be done with the bytes when it returns (a synchronous write), and the
   * chunk is reused. true: the sink owns every array it receives (it may queue them), and a fresh chunk
   * is allocated after each hand-over.
   */
  handOver?: boolean;
  /** With handOver: where the next chunk comes from (a pool of chunks the sink is done with). Default: a new one. */
  nextChunk?: (bytes: number) => Buffer;
  /**
   * Without handOver: the chunk to encode into (its length is the chunk size). When it shares an
   * ArrayBuffer with the buffers packets are read into, writeEpbRaw copies with copyWithin.
   */
  chunk?: Buffer;
}

export const DEFAULT_CHUNK_BYTES = 1 << 20;

/**
 * Option lists up to this many 32-bit words are copied by a word loop, longer ones (most comments: 80
 * to 200 bytes) by TypedArray#set: measured on Node 20, the loop wins below about 48 bytes (10 against
 * 26 ns for 8 bytes) and set above (23 against 66 ns for 160 bytes).
 */
const WORD_LOOP_MAX_WORDS = 12;

/** A packet in a read buffer with its raw timestamp words, as writeEpbRaw copies it (the reader's FilePacket is one). */
export interface RawPacket {
  readonly ifaceId: number;
  readonly tsHigh: number;
  readonly tsLow: number;
  readonly buffer: Uint8Array;
  readonly offset: number;
  readonly capLen: number;
  readonly origLen: number;
}

export class PcapngChunkEncoder {
  private chunk: Buffer;
  /** The chunk's byteOffset, asked once per chunk (a typed array's byteOffset is a generic load in compiled code). */
  private chunkAt = 0;
  /** The chunk as little-endian fields and as 32-bit words (null when its offset is not 4-aligned). */
  private view: DataView;
  private words: Uint32Array | null;
  /** The whole ArrayBuffer the chunk lies in, for copyWithin from read buffers in the same one. */
  private arena: Uint8Array;
  /**
   * The read buffer writeEpbRaw last copied from, and where it starts in the arena (-1: not in it).
   * A typed array's `.buffer` is a call into the runtime: asked once per read buffer, not per packet.
   */
  private lastSrc: Uint8Array | null = null;
  private lastSrcAt = -1;
  private used = 0;
  /** Where the bytes not yet handed over start (after a cut()). */
  private cutAt = 0;
  private readonly chunkBytes: number;
  private readonly handOver: boolean;
  private readonly nextChunk: (bytes: number) => Buffer;

  constructor(private readonly sink: ChunkSink, opts: ChunkEncoderOptions = {}) {
    this.handOver = opts.handOver ?? false;
    if (opts.chunk !== undefined && this.handOver) throw new Error('a given chunk cannot be handed over');
    this.chunkBytes = opts.chunk?.length ?? opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.nextChunk = opts.nextChunk ?? ((bytes) => Buffer.allocUnsafeSlow(bytes));
    this.chunk = opts.chunk ?? this.nextChunk(this.chunkBytes);
    this.chunkAt = this.chunk.byteOffset;
    this.view = new DataView(this.chunk.buffer, this.chunk.byteOffset, this.chunk.length);
    this.words = wordsOf(this.chunk);
    this.arena = new Uint8Array(this.chunk.buffer);
  }

  /** Bytes encoded but not yet given to the sink. */
  get pendingBytes(): number {
    return this.used - this.cutAt;
  }

  /** Appends an already encoded block (from encodeShb, encodeIdb, encodeBlock ...). */
  writeBlock(bytes: Uint8Array): void {
    if (bytes.length > this.chunkBytes - this.used) this.flush();
    if (bytes.length > this.chunkBytes) {
      this.sink(this.handOver ? bytes.slice() : bytes, false);
      return;
    }
    this.chunk.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Encodes an Enhanced Packet Block straight into the chunk (arguments as encodeEpbInto). */
  writeEpb(
    ifaceId: number, tsTicks: bigint, data: Uint8Array, origLen: number,
    options: readonly PcapngOption[] | null, comments: readonly string[],
  ): void {
    const size = epbSize(data.length, options, comments);
    if (size > this.chunkBytes - this.used) this.flush();
    if (size > this.chunkBytes) {
      this.sink(encodeEpb(ifaceId, tsTicks, data, origLen, options, comments), false);
      return;
    }
    this.used = encodeEpbInto(this.chunk, this.used, ifaceId, tsTicks, data, origLen, options, comments);
  }

  /**
   * An Enhanced Packet Block from raw parts: the timestamp's two words, the packet's place in a read
   * buffer, and an option list made once (commentOptionList). The same bytes as writeEpb with the same
   * facts, without a view, a BigInt or an option-by-option write per packet. The packet comes as one
   * object: a timestamp word above 2^30 passed as an argument would be boxed (a heap number per packet).
   */
  writeEpbRaw(p: RawPacket, options: OptionList): void {
    const { ifaceId, tsHigh, tsLow, buffer: src, offset: srcOffset, capLen, origLen } = p;
    const padded = pad4(capLen);
    const total = 32 + padded + options.bytes.length;
    if (total > this.chunkBytes - this.used) this.flush();
    if (total > this.chunkBytes) {
      const block = Buffer.alloc(total);
      writeEpbFields(new DataView(block.buffer, block.byteOffset, total), 0, total, ifaceId, tsHigh, tsLow, capLen, origLen);
      block.set(src.subarray(srcOffset, srcOffset + capLen), 28);
      block.set(options.bytes, 28 + padded);
      block.writeUInt32LE(total, total - 4);
      this.sink(block, false);
      return;
    }
    const at = this.used;
    const chunk = this.chunk;
    writeEpbFields(this.view, at, total, ifaceId, tsHigh, tsLow, capLen, origLen);
    if (src !== this.lastSrc) this.noteSource(src);
    if (this.lastSrcAt >= 0) {
      // One ArrayBuffer: a copy within it needs no view of the packet (a view per packet is most of the cost).
      const from = this.lastSrcAt + srcOffset;
      copyWithinBytes(this.arena, this.chunkAt + at + 28, from, from + capLen);
    } else {
      chunk.set(src.subarray(srcOffset, srcOffset + capLen), at + 28);
    }
    for (let i = at + 28 + capLen; i < at + 28 + padded; i++) chunk[i] = 0;
    const optAt = at + 28 + padded;
    const words = this.words;
    const list = options.words;
    if (words !== null && list.length <= WORD_LOOP_MAX_WORDS) {
      for (let i = 0, w = optAt >> 2; i < list.length; i++, w++) words[w] = list[i]!;
    } else {
      setBytes(chunk, options.bytes, optAt);
    }
    this.view.setUint32(at + total - 4, total, true);
    this.used = at + total;
  }

  /**
   * Hands the bytes encoded since the last hand-over to the sink, and goes on filling the same chunk
   * after them (handOver only): what comes next can then be queued behind something else.
   */
  cut(): void {
    if (!this.handOver) throw new Error('cut() needs handOver');
    if (this.used === this.cutAt) return;
    const bytes = this.chunk.subarray(this.cutAt, this.used);
    this.cutAt = this.used;
    this.sink(bytes, false);
  }

  private noteSource(src: Uint8Array): void {
    this.lastSrc = src;
    this.lastSrcAt = src.buffer === this.chunk.buffer ? src.byteOffset : -1;
  }

  private setChunk(chunk: Buffer): void {
    this.lastSrc = null;
    this.chunk = chunk;
    this.chunkAt = chunk.byteOffset;
    this.view = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
    this.words = wordsOf(chunk);
    this.arena = new Uint8Array(chunk.buffer);
  }

  /** Gives everything encoded so far to the sink. */
  flush(): void {
    if (this.used === 0) return;
    const bytes = this.chunk.subarray(this.cutAt, this.used);
    this.used = 0;
    this.cutAt = 0;
    if (this.handOver) this.setChunk(this.nextChunk(this.chunkBytes));
    // The chunk's last piece: once it is written (in order), so are its earlier pieces.
    if (bytes.length > 0) this.sink(bytes, true);
  }
}

/** An EPB's fixed fields, little-endian: type, length, interface, timestamp high and low, lengths. */
function writeEpbFields(
  v: DataView, at: number, total: number, ifaceId: number, tsHigh: number, tsLow: number, capLen: number, origLen: number,
): void {
  v.setUint32(at, BLOCK_EPB, true);
  v.setUint32(at + 4, total, true);
  v.setUint32(at + 8, ifaceId, true);
  v.setUint32(at + 12, tsHigh, true);
  v.setUint32(at + 16, tsLow, true);
  v.setUint32(at + 20, capLen, true);
  v.setUint32(at + 24, origLen, true);
}

/** The chunk as 32-bit words, when it starts on a 4-byte boundary (chunks from allocUnsafeSlow do). */
function wordsOf(chunk: Buffer): Uint32Array | null {
  return chunk.byteOffset % 4 === 0 ? new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length >> 2) : null;
}
