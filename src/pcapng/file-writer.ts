/** Writes a pcapng file: blocks are encoded into 1 MiB chunks, each written with one writeSync. */
import * as fs from 'node:fs';
import { FatalError } from '../core/errors';
import { PcapngChunkEncoder } from './chunk-encoder';
import type { PcapngOption } from './model';
import { osErrorReason } from './os-error';

export class PcapngFileWriter {
  private fd: number | null;
  private readonly encoder: PcapngChunkEncoder;
  private written = 0;

  /** Opens (creates or truncates) `path`. Throws FatalError('E_OUTPUT') when it cannot. */
  constructor(readonly path: string) {
    try {
      this.fd = fs.openSync(path, 'w');
    } catch (err) {
      throw new FatalError('E_OUTPUT', `${path}: ${osErrorReason(err)}`);
    }
    this.encoder = new PcapngChunkEncoder((bytes) => this.writeOut(bytes));
  }

  /** Bytes handed to the OS so far (not counting what is still in the chunk). */
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

  /** Writes what is buffered and closes the file. Safe to call twice. */
  close(): void {
    if (this.fd === null) return;
    try {
      this.encoder.flush();
    } finally {
      const fd = this.fd;
      this.fd = null;
      try {
        fs.closeSync(fd);
      } catch (err) {
        throw new FatalError('E_OUTPUT', `${this.path}: ${osErrorReason(err)}`);
      }
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
