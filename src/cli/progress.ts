/** Inputs smaller than this finish too fast for a progress line to help. */
const MIN_BYTES_FOR_PROGRESS = 64 * 1024 * 1024;

export interface Progress {
  update(pass: 1 | 2, done: number, total: number): void;
  done(): void;
}

/** A one-line progress display on a terminal; silent when the stream is not a TTY or `quiet`. */
export function createProgress(stream: NodeJS.WriteStream, quiet: boolean): Progress {
  let shown = false;
  if (quiet || !stream.isTTY) return { update() {}, done() {} };
  return {
    update(pass, done, total) {
      if (total < MIN_BYTES_FOR_PROGRESS) return;
      const pct = Math.floor((100 * done) / total);
      stream.write(`\rftpflow: pass ${pass} ${pct}% (${Math.round(done / 1048576)} of ${Math.round(total / 1048576)} MiB)`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
