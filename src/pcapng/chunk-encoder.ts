/**
 * Encodes pcapng blocks into a large chunk and hands full chunks to a sink. The sink decides where
 * bytes go (a file with writeSync, a FIFO with backpressure); the encoding never changes.
 */
import { encodeEpb, encodeEpbInto, epbSize } from './encode';
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
}

export const DEFAULT_CHUNK_BYTES = 1 << 20;

export class PcapngChunkEncoder {
  private chunk: Buffer;
  private used = 0;
  /** Where the bytes not yet handed over start (after a cut()). */
  private cutAt = 0;
  private readonly chunkBytes: number;
  private readonly handOver: boolean;
  private readonly nextChunk: (bytes: number) => Buffer;

  constructor(private readonly sink: ChunkSink, opts: ChunkEncoderOptions = {}) {
    this.chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.handOver = opts.handOver ?? false;
    this.nextChunk = opts.nextChunk ?? ((bytes) => Buffer.allocUnsafeSlow(bytes));
    this.chunk = this.nextChunk(this.chunkBytes);
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

  /** Gives everything encoded so far to the sink. */
  flush(): void {
    if (this.used === 0) return;
    const bytes = this.chunk.subarray(this.cutAt, this.used);
    this.used = 0;
    this.cutAt = 0;
    if (this.handOver) this.chunk = this.nextChunk(this.chunkBytes);
    // The chunk's last piece: once it is written (in order), so are its earlier pieces.
    if (bytes.length > 0) this.sink(bytes, true);
  }
}
