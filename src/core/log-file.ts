import * as fs from 'node:fs';

export type LogLevel = 'message' | 'info' | 'debug' | 'noisy';
const RANK: Record<LogLevel, number> = { message: 0, info: 1, debug: 2, noisy: 3 };

export interface Log {
  message(text: string): void;
  info(text: string): void;
  debug(text: string): void;
  close(): void;
}

/**
 * A log that goes to a file or nowhere: never to stderr, because Wireshark shows anything an extcap
 * writes there during a capture as an error. Appends synchronously (rare, small lines) so the last
 * words before an exit are not lost; a log file that cannot be written is silently dropped.
 */
export function openLog(path: string | null, level: LogLevel): Log {
  let fd: number | null = null;
  if (path) {
    try {
      fd = fs.openSync(path, 'a');
    } catch {
      fd = null;
    }
  }
  const write = (l: LogLevel, text: string) => {
    if (fd === null || RANK[l] > RANK[level]) return;
    try {
      fs.writeSync(fd, `${new Date().toISOString()} ${l} ${text}\n`);
    } catch {
      fd = null;
    }
  };
  return {
    message: (t) => write('message', t),
    info: (t) => write('info', t),
    debug: (t) => write('debug', t),
    close: () => {
      if (fd !== null) try { fs.closeSync(fd); } catch { /* nothing to do */ }
      fd = null;
    },
  };
}
