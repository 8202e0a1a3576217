import * as fs from 'node:fs';
import type { TransferRecord, TransferSink } from './transfer-log';

/** Bytes the log may hold in memory while the disk is slow; past it records are dropped and counted. */
export const MAX_PENDING_LOG_BYTES = 8 * 1024 * 1024;

/**
 * The transfer log file: one JSON object per line, appended. `reopen()` (on SIGHUP) starts a new file
 * at the same path after logrotate moved the old one. A file that cannot be written is reported once
 * through `onError` and the records are counted as dropped; the daemon goes on serving.
 */
export class JsonlWriter implements TransferSink {
  private stream: fs.WriteStream | null = null;
  dropped = 0;
  lines = 0;
  private failed = false;

  constructor(private readonly path: string, private readonly onError: (message: string) => void) {
    this.openStream();
  }

  write(record: TransferRecord): void {
    const s = this.stream;
    if (!s || this.failed || s.writableLength > MAX_PENDING_LOG_BYTES) {
      this.dropped++;
      return;
    }
    s.write(`${JSON.stringify(record)}\n`);
    this.lines++;
  }

  reopen(): void {
    const old = this.stream;
    this.openStream();
    old?.end();
  }

  /** Resolves when everything written so far is on disk (or the file failed). */
  close(): Promise<void> {
    const s = this.stream;
    this.stream = null;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.end(() => resolve()));
  }

  private openStream(): void {
    this.failed = false;
    const s = fs.createWriteStream(this.path, { flags: 'a', mode: 0o640 });
    s.on('error', (err) => {
      if (this.stream === s && !this.failed) {
        this.failed = true;
        this.onError(`transfer log ${this.path}: ${err.message}`);
      }
    });
    this.stream = s;
  }
}
