/**
 * Writes a pcapng file: blocks are encoded into chunks, each written with one write. Two ways to write:
 * synchronously (writeSync as each chunk fills: simple, for tests and small outputs), or write-behind
 * (`writeBehind: true`): full chunks queue for libuv's thread pool, so the kernel's copy into the page cache
 * overlaps the encoding of the next chunk. A write-behind writer's caller waits on `pause()` when the queue
 * is full and ends with `closeAsync()`.
 */
import * as fs from 'node:fs';
import { FatalError } from '../core/errors';
import { PcapngChunkEncoder, type RawPacket } from './chunk-encoder';
import { encodeEpb, type OptionList } from './encode';
import type { PcapngOption } from './model';
import { osErrorReason } from './os-error';

export interface FileWriterOptions {
  writeBehind?: boolean;
  /**
   * false: `path` exists, created empty by the caller, and is opened without O_TRUNC. (On ext4 a truncating
   * open of an existing file makes close() flush every page written since: a second's wait for a 1 GB output.)
   */
  truncate?: boolean;
  /** Synchronous writer: the chunk to encode into (see ChunkEncoderOptions.chunk). */
  chunk?: Buffer;
}

/** Write-behind: chunk size, and queued bytes above which pause() asks the producer to wait. */
const BEHIND_CHUNK_BYTES = 2 << 20;
const BEHIND_QUEUE_LIMIT_BYTES = 16 << 20;
/** Chunks kept for reuse once written (a reused chunk's pages are already mapped: no page faults). */
const BEHIND_POOL_CHUNKS = 8;

export class PcapngFileWriter {
  private fd: number | null;
  private readonly encoder: PcapngChunkEncoder;
  private written = 0;
  private readonly behind: WriteBehindQueue | null;

  /** Opens (creates or truncates) `path`. Throws FatalError('E_OUTPUT') when it cannot. */
  constructor(readonly path: string, opts: FileWriterOptions = {}) {
    if (opts.writeBehind && opts.chunk !== undefined) throw new Error('a write-behind writer takes no chunk');
    const fd = openOutput(path, opts.truncate === false ? 'r+' : 'w');
    this.fd = fd;
    if (opts.writeBehind) {
      const queue = new WriteBehindQueue(fd, path, (n) => { this.written += n; });
      this.behind = queue;
      this.encoder = new PcapngChunkEncoder((bytes, endOfChunk) => queue.push(bytes, endOfChunk), {
        chunkBytes: BEHIND_CHUNK_BYTES, handOver: true, nextChunk: (n) => queue.chunk(n),
      });
    } else {
      this.behind = null;
      this.encoder = new PcapngChunkEncoder((bytes) => this.writeOut(bytes), { chunk: opts.chunk });
    }
  }

  /** Bytes handed to the OS so far (not counting what is still in the chunk or queued). */
  get bytesWritten(): number {
    return this.written;
  }

  writeBlock(bytes: Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.path}: written after close`);
    this.encoder.writeBlock(bytes);
  }

  writeEpb(
    ifaceId: number, tsTicks: bigint, data: Uint8Array, origLen: number,
    options: readonly PcapngOption[] | null, comments: readonly string[],
  ): void {
    if (this.fd === null) throw new Error(`${this.path}: written after close`);
    this.encoder.writeEpb(ifaceId, tsTicks, data, origLen, options, comments);
  }

  /** An Enhanced Packet Block from raw parts (see PcapngChunkEncoder.writeEpbRaw). */
  writeEpbRaw(p: RawPacket, options: OptionList): void {
    if (this.fd === null) throw new Error(`${this.path}: written after close`);
    this.encoder.writeEpbRaw(p, options);
  }

  /**
   * Write-behind: reserves the place of a block not known yet; later blocks queue behind it until
   * fillGap(). The caller must fill every gap (closeAsync waits for nothing else).
   */
  openGap(): OutputGap {
    if (this.fd === null) throw new Error(`${this.path}: written after close`);
    if (this.behind === null) throw new Error(`${this.path}: gaps need a write-behind writer`);
    this.encoder.cut();
    return this.behind.pushGap();
  }

  /** Encodes the Enhanced Packet Block that goes in `gap` (arguments as writeEpb). */
  fillGap(
    gap: OutputGap, ifaceId: number, tsTicks: bigint, data: Uint8Array, origLen: number,
    options: readonly PcapngOption[] | null, comments: readonly string[],
  ): void {
    this.behind!.fill(gap, encodeEpb(ifaceId, tsTicks, data, origLen, options, comments));
  }

  /** Write-behind: bytes encoded or queued and not yet written (those behind an unfilled gap too). */
  get queuedBytes(): number {
    return this.encoder.pendingBytes + (this.behind?.bytes ?? 0);
  }

  /**
   * Write-behind: a promise to wait on while the queue is over its limit (it rejects with FatalError when a
   * write failed), or null to go on. Always null for a synchronous writer.
   */
  pause(): Promise<void> | null {
    return this.behind === null ? null : this.behind.pause(BEHIND_QUEUE_LIMIT_BYTES);
  }

  /** Writes what is buffered and closes the file. Safe to call twice. Synchronous writers only. */
  close(): void {
    if (this.behind !== null) throw new Error(`${this.path}: a write-behind writer closes with closeAsync()`);
    if (this.fd === null) return;
    try {
      this.encoder.flush();
    } finally {
      this.closeFd();
    }
  }

  /** Writes what is buffered or queued, then closes the file. Safe to call twice. */
  async closeAsync(): Promise<void> {
    if (this.fd === null) return;
    try {
      this.encoder.flush();
      if (this.behind !== null) {
        await this.behind.pause(0);
        await this.behind.idle();
        if (this.behind.bytes > 0) throw new Error(`${this.path}: closed with an output gap never filled`);
      }
    } finally {
      if (this.behind !== null) await this.behind.idle();
      this.closeFd();
    }
  }

  private closeFd(): void {
    const fd = this.fd!;
    this.fd = null;
    try {
      fs.closeSync(fd);
    } catch (err) {
      throw new FatalError('E_OUTPUT', `${this.path}: ${osErrorReason(err)}`);
    }
  }

  private writeOut(bytes: Uint8Array): void {
    try {
      // writeSync may write less than asked (a full disk, a pipe): loop until all is out.
      for (let off = 0; off < bytes.length;) {
        const n = fs.writeSync(this.fd!, bytes, off, bytes.length - off);
        if (n <= 0) throw new Error('the OS accepted no bytes');
        off += n;
      }
    } catch (err) {
      throw new FatalError('E_OUTPUT', `${this.path}: ${osErrorReason(err)}`);
    }
    this.written += bytes.length;
  }
}

/** Creates or truncates `path` for writing ('r+': opens it as it is). Throws FatalError('E_OUTPUT') when it cannot. */
export function openOutput(path: string, flags: 'w' | 'r+' = 'w'): number {
  try {
    return fs.openSync(path, flags);
  } catch (err) {
    throw new FatalError('E_OUTPUT', `${path}: ${osErrorReason(err)}`);
  }
}

/**
 * A place in a write-behind output whose block is not known yet (a frame whose comment may still
 * change). Everything written after it waits behind it, in order, until fillGap() gives its bytes.
 */
export interface OutputGap {
  readonly filled: boolean;
}

interface QueueEntry extends OutputGap {
  bytes: Uint8Array | null;
  filled: boolean;
  /** The bytes end a chunk that may be reused once they are written. */
  endOfChunk: boolean;
}

/** At most this many pieces go into one writev. */
const MAX_PIECES_PER_WRITE = 64;

/**
 * Pieces waiting to be written, in order, one writev in flight at a time (so pipes and FIFOs work as
 * well as files). An unfilled gap stops the writing until it is filled. The first failed write stops
 * the queue; pause() reports it.
 */
class WriteBehindQueue {
  private readonly queue: QueueEntry[] = [];
  private head = 0;
  private queuedBytes = 0;
  private writing = false;
  private failure: FatalError | null = null;
  private readonly waiters: (() => void)[] = [];
  private readonly pool: Buffer[] = [];

  constructor(private readonly fd: number, private readonly path: string, private readonly onWritten: (n: number) => void) {}

  /** Bytes queued, gaps' included once filled. */
  get bytes(): number {
    return this.queuedBytes;
  }

  /** A chunk for the encoder: one already written, or a new one. */
  chunk(bytes: number): Buffer {
    const reused = this.pool.pop();
    return reused !== undefined && reused.length === bytes ? reused : Buffer.allocUnsafeSlow(bytes);
  }

  push(bytes: Uint8Array, endOfChunk: boolean): void {
    if (this.failure !== null) return; // the producer hears of it at its next pause()
    this.queue.push({ bytes, filled: true, endOfChunk });
    this.queuedBytes += bytes.length;
    if (!this.writing) this.writeNext();
  }

  pushGap(): OutputGap {
    const gap: QueueEntry = { bytes: null, filled: false, endOfChunk: false };
    if (this.failure === null) this.queue.push(gap);
    return gap;
  }

  fill(gap: OutputGap, bytes: Uint8Array): void {
    const entry = gap as QueueEntry;
    if (entry.filled) throw new Error('an output gap filled twice');
    entry.bytes = bytes;
    entry.filled = true;
    if (this.failure !== null) return;
    this.queuedBytes += bytes.length;
    if (!this.writing) this.writeNext();
  }

  /**
   * A promise while more than `limit` bytes wait and the head can be written, null otherwise. Bytes held
   * up behind an unfilled gap are the producer's to release (it fills the gap), so they never make it wait.
   */
  pause(limit: number): Promise<void> | null {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.queuedBytes <= limit || !this.writing) return null;
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => this.pause(limit) ?? undefined);
  }

  /** Resolves when no write is in flight (after a failure too). */
  async idle(): Promise<void> {
    while (this.writing) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private writeNext(): void {
    const pieces: Uint8Array[] = [];
    for (let i = this.head; i < this.queue.length && pieces.length < MAX_PIECES_PER_WRITE; i++) {
      const e = this.queue[i]!;
      if (!e.filled) break;
      if (e.bytes!.length > 0) pieces.push(e.bytes!);
    }
    if (pieces.length === 0 || this.failure !== null) {
      this.dropWritten(0);
      this.writing = false;
      this.wake();
      return;
    }
    this.writing = true;
    fs.writev(this.fd, pieces, null, (err, n) => {
      if (err || n <= 0) {
        this.failure = new FatalError('E_OUTPUT', `${this.path}: ${err ? osErrorReason(err) : 'the OS accepted no bytes'}`);
        this.queue.length = 0;
        this.head = 0;
        this.queuedBytes = 0;
        this.writing = false;
        this.wake();
        return;
      }
      this.onWritten(n);
      this.queuedBytes -= n;
      this.dropWritten(n);
      this.wake();
      this.writeNext();
    });
  }

  /** Takes `n` written bytes off the head entries (the last one partly, after a short write); reuses finished chunks. */
  private dropWritten(n: number): void {
    while (this.head < this.queue.length) {
      const e = this.queue[this.head]!;
      if (!e.filled) break;
      const len = e.bytes!.length;
      if (len > n) {
        if (n > 0) e.bytes = e.bytes!.subarray(n);
        break;
      }
      n -= len;
      if (e.endOfChunk && this.pool.length < BEHIND_POOL_CHUNKS) {
        const b = e.bytes!;
        this.pool.push(Buffer.from(b.buffer, 0, b.buffer.byteLength));
      }
      this.queue[this.head++] = DONE;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

const DONE: QueueEntry = { bytes: new Uint8Array(0), filled: true, endOfChunk: false };
