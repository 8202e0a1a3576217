/**
 * Writes a pcapng file: blocks are encoded into chunks, each written with one write. Two ways to write:
 * synchronously (writeSync as each chunk fills: simple, for tests and small outputs), or write-behind
 * (`writeBehind: true`): full chunks queue for libuv's thread pool, so the kernel's copy into the page cache
 * overlaps the encoding of the next chunk. A write-behind writer's caller waits on `pause()` when the queue
 * is full and ends with `closeAsync()`.
 */
import * as fs from 'node:fs';
import { FatalError } from '../core/errors';
import { PcapngChunkEncoder } from './chunk-encoder';
import type { PcapngOption } from './model';
import { osErrorReason } from './os-error';

export interface FileWriterOptions {
  writeBehind?: boolean;
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
    let fd: number;
    try {
      fd = fs.openSync(path, 'w');
    } catch (err) {
      throw new FatalError('E_OUTPUT', `${path}: ${osErrorReason(err)}`);
    }
    this.fd = fd;
    if (opts.writeBehind) {
      const queue = new WriteBehindQueue(fd, path, (n) => { this.written += n; });
      this.behind = queue;
      this.encoder = new PcapngChunkEncoder((bytes) => queue.push(bytes), {
        chunkBytes: BEHIND_CHUNK_BYTES, handOver: true, nextChunk: (n) => queue.chunk(n),
      });
    } else {
      this.behind = null;
      this.encoder = new PcapngChunkEncoder((bytes) => this.writeOut(bytes));
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
      if (this.behind !== null) await this.behind.pause(0);
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

/**
 * Chunks waiting to be written, in order, one write in flight at a time (so pipes and FIFOs work as well
 * as files). The first failed write stops the queue; pause() reports it.
 */
class WriteBehindQueue {
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private writing = false;
  private failure: FatalError | null = null;
  private readonly waiters: (() => void)[] = [];
  private readonly pool: Buffer[] = [];

  constructor(private readonly fd: number, private readonly path: string, private readonly onWritten: (n: number) => void) {}

  /** A chunk for the encoder: one already written, or a new one. */
  chunk(bytes: number): Buffer {
    const reused = this.pool.pop();
    return reused !== undefined && reused.length === bytes ? reused : Buffer.allocUnsafeSlow(bytes);
  }

  push(bytes: Uint8Array): void {
    if (this.failure !== null) return; // the producer hears of it at its next pause()
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    if (!this.writing) this.writeNext(0);
  }

  pause(limit: number): Promise<void> | null {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.queuedBytes <= limit) return null;
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => this.pause(limit) ?? undefined);
  }

  /** Resolves when no write is in flight (after a failure too). */
  async idle(): Promise<void> {
    while (this.writing) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private writeNext(offset: number): void {
    const bytes = this.queue[0];
    if (bytes === undefined || this.failure !== null) {
      this.writing = false;
      this.wake();
      return;
    }
    this.writing = true;
    fs.write(this.fd, bytes, offset, bytes.length - offset, null, (err, n) => {
      if (err || n <= 0) {
        this.failure = new FatalError('E_OUTPUT', `${this.path}: ${err ? osErrorReason(err) : 'the OS accepted no bytes'}`);
        this.queue.length = 0;
        this.queuedBytes = 0;
        this.writing = false;
        this.wake();
        return;
      }
      this.onWritten(n);
      if (offset + n < bytes.length) return this.writeNext(offset + n); // a short write: the rest of it
      this.queue.shift();
      this.queuedBytes -= bytes.length;
      if (bytes instanceof Buffer && this.pool.length < BEHIND_POOL_CHUNKS && bytes.byteOffset === 0) {
        this.pool.push(Buffer.from(bytes.buffer, 0, bytes.buffer.byteLength));
      }
      this.wake();
      this.writeNext(0);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
