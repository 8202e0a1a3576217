import * as fs from 'node:fs';

/**
 * How a capture that cannot run tells Wireshark (anchors §1.5): one line on stderr (Wireshark shows the first
 * 1024 bytes as "Error by extcap pipe: …"), then open and close the FIFO — an extcap that exits without ever
 * opening it leaves TShark 4.0 waiting forever.
 */

/** What happened to the FIFO; tests and the log read it, the exit code does not depend on it. */
export type FifoOutcome = 'closed' | 'no-fifo' | 'missing' | 'timed-out' | 'failed';

export interface FailCaptureOptions {
  /** How long to wait for dumpcap to open its end. Wireshark itself gives Windows extcaps 30 s. */
  timeoutMs?: number;
  pollMs?: number;
  writeStderr?: (text: string) => Promise<void>;
  platform?: NodeJS.Platform;
}

/** Wireshark keeps the first 1024 bytes of stderr; stay under it with room for a prefix it may add. */
const MAX_MESSAGE_BYTES = 1000;

/** The message as one line, short enough for Wireshark's stderr buffer. */
export function oneLine(message: string): string {
  let line = message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  while (Buffer.byteLength(line) > MAX_MESSAGE_BYTES) line = line.slice(0, Math.floor(line.length * 0.9));
  return line;
}

function writeProcessStderr(text: string): Promise<void> {
  return new Promise((resolve) => process.stderr.write(text, () => resolve()));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Errors that mean "the reader is not there yet": keep polling. */
function isNotReadyYet(code: string | undefined, platform: NodeJS.Platform): boolean {
  if (code === 'ENXIO' || code === 'EBUSY' || code === 'EAGAIN') return true;
  return platform === 'win32' && code === 'ENOENT'; // a named pipe instance may not be listening yet
}

/**
 * Opens the FIFO for writing and closes it at once. POSIX: a non-blocking open fails with ENXIO until dumpcap
 * holds the read end (a reader blocked in open counts), so poll instead of blocking a thread forever.
 * Never creates the path: a missing FIFO means Wireshark is already gone.
 */
export async function touchFifo(fifoPath: string, opts: FailCaptureOptions = {}): Promise<FifoOutcome> {
  const platform = opts.platform ?? process.platform;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const pollMs = opts.pollMs ?? 50;
  const flags = platform === 'win32' ? fs.constants.O_WRONLY : fs.constants.O_WRONLY | fs.constants.O_NONBLOCK;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(fifoPath, flags));
      return 'closed';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!isNotReadyYet(code, platform)) return code === 'ENOENT' ? 'missing' : 'failed';
    }
    if (Date.now() >= deadline) return 'timed-out';
    await sleep(pollMs);
  }
}

/** Reports a fatal capture error the way Wireshark can show it. The caller exits non-zero afterwards. */
export async function failCapture(fifoPath: string | null, message: string, opts: FailCaptureOptions = {}): Promise<FifoOutcome> {
  const writeStderr = opts.writeStderr ?? writeProcessStderr;
  await writeStderr(`ftpflow: ${oneLine(message)}\n`);
  if (fifoPath === null || fifoPath === '') return 'no-fifo';
  return touchFifo(fifoPath, opts);
}
