import * as fs from 'node:fs';
import { PcapngChunkEncoder } from './chunk-encoder';
import type { PcapngOption } from './model';

/**
 * pcapng into a FIFO (or any path) through a Node stream: blocks are encoded into chunks that the
 * stream owns, `flush()` pushes what is encoded, and `backlogBytes` says how far the reader is
 * behind, so the caller can bound memory. A closed reader (EPIPE) is reported once through
 * `onClosed` and every later write is ignored: Wireshark closing the FIFO means "stop".
 */
export class PcapngStreamWriter {
  private readonly stream: fs.WriteStream;
  private readonly encoder: PcapngChunkEncoder;
  private closed = false;

  constructor(path: string, private readonly onClosed: (err: NodeJS.ErrnoException | null) => void) {
    this.stream = fs.createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (err) => this.markClosed(err));
    this.stream.on('close', () => this.markClosed(null));
    // Chunks of 256 KiB: each write is at most the size dumpcap reads per block anyway.
    this.encoder = new PcapngChunkEncoder((bytes) => this.push(bytes), { chunkBytes: 256 * 1024, handOver: true });
  }

  /** Resolves once the FIFO is open for writing (the reader has opened its end). */
  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stream.pending === false) return resolve();
      this.stream.once('open', () => resolve());
      this.stream.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes handed to the stream that the reader has not taken yet, plus what is still being encoded. */
  get backlogBytes(): number {
    return this.stream.writableLength + this.encoder.pendingBytes;
  }

  writeBlock(bytes: Uint8Array): void {
    if (!this.closed) this.encoder.writeBlock(bytes);
  }

  writeEpb(ifaceId: number, tsTicks: bigint, data: Uint8Array, origLen: number, options: readonly PcapngOption[] | null, comments: readonly string[]): void {
    if (!this.closed) this.encoder.writeEpb(ifaceId, tsTicks, data, origLen, options, comments);
  }

  flush(): void {
    if (!this.closed) this.encoder.flush();
  }

  /** Flushes and ends the stream; resolves when written or after `timeoutMs`. */
  end(timeoutMs: number): Promise<void> {
    this.flush();
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const timer = setTimeout(resolve, timeoutMs);
      this.stream.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private push(bytes: Uint8Array): void {
    if (!this.closed) this.stream.write(bytes);
  }

  private markClosed(err: NodeJS.ErrnoException | null): void {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(err);
  }
}
