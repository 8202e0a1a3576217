/**
 * Live capture through a `dumpcap` child: for users who may capture with dumpcap (Debian's
 * `wireshark` group holds its capabilities) while Node itself may not. dumpcap writes pcapng to its
 * stdout (`-w - -n`); we read SHB/IDB/EPB for packets (with if_tsresol) and ISB for drop counters.
 * dumpcap's stderr is read into memory, never passed on: an extcap's stderr is an error in Wireshark.
 * dumpcap writes its ISB only when it stops, so stats() counts delivered packets until then.
 * immediate/timeoutMs have no dumpcap equivalent and are ignored; bufferSize is rounded up to MiB.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { FatalError } from '../core/errors';
import { PcapngStreamReader, type PcapngStreamEvent } from './live-pcapng-stream';
import {
  DeviceOpenError,
  checkLiveOptions,
  isPermissionText,
  oneLine,
  type LiveCapture,
  type LiveOptions,
  type LivePacket,
  type LiveStats,
} from './live-source';

export interface DumpcapOptions extends LiveOptions {
  /** The dumpcap to run (default: $FTPFLOW_DUMPCAP, else `dumpcap` on PATH). */
  dumpcapPath?: string;
  /** How long dumpcap may take to start writing (ms, default 10 000). */
  startTimeoutMs?: number;
}

/** Enough of dumpcap's stderr to explain a failure. */
const STDERR_KEEP_BYTES = 8192;
/** After SIGTERM, dumpcap writes its statistics and exits; SIGKILL if it has not after this long. */
const KILL_GRACE_MS = 2000;

type DumpcapChild = ChildProcessByStdio<null, Readable, Readable>;

/** The dumpcap arguments for `o`: pcapng on stdout, no packet counts on stderr. */
export function dumpcapArgs(o: LiveOptions): string[] {
  const mib = Math.max(1, Math.ceil(o.bufferSize / (1024 * 1024)));
  const args = ['-i', o.device, '-s', String(o.snaplen), '-B', String(mib), '-w', '-', '-n', '-q'];
  if (o.filter.trim() !== '') args.push('-f', o.filter);
  return args;
}

/**
 * Turns dumpcap's stderr (several lines of advice) into one FatalError: E_FILTER for a bad filter,
 * else a DeviceOpenError whose reason says whether it was a permission problem.
 */
export function dumpcapFailure(o: LiveOptions, stderr: string, exitCode: number | null): FatalError {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (/Invalid capture filter/i.test(stderr)) {
    const why = lines.map((l) => /valid capture filter \((.*)\)\.?$/.exec(l)?.[1]).find((d) => d !== undefined);
    return new FatalError('E_FILTER', `capture filter "${o.filter}" is not valid: ${why ?? 'dumpcap rejected it'}`);
  }
  // dumpcap: "dumpcap: <what>" and often "(<libpcap's words>)" on the next line.
  const at = lines.findIndex((l) => l.startsWith('dumpcap: '));
  const detail = at >= 0 ? /^\((.*)\)\.?$/.exec(lines[at + 1] ?? '')?.[1] : undefined;
  const text = at >= 0
    ? lines[at]!.slice('dumpcap: '.length) + (detail ? ` (${detail})` : '')
    : lines.filter((l) => !/^(Capturing on|File:|Packets (captured|received))/.test(l)).pop() ?? `dumpcap exited with code ${exitCode}`;
  const reason = isPermissionText(text) ? 'permission' : /no device named|no such device/i.test(text) ? 'no-device' : 'other';
  return new DeviceOpenError(`cannot capture on "${o.device}" with dumpcap: ${oneLine(text)}`, reason);
}

/**
 * Starts dumpcap and resolves once it has opened the device (its interface block arrived).
 * Rejects with FatalError (E_ARGS, E_FILTER, E_DEVICE_OPEN) when it cannot.
 */
export function openDumpcapCapture(o: DumpcapOptions): Promise<LiveCapture> {
  const bad = checkLiveOptions(o);
  if (bad !== null) return Promise.reject(new FatalError('E_ARGS', bad));
  const path = o.dumpcapPath ?? process.env['FTPFLOW_DUMPCAP'] ?? 'dumpcap';
  return new Promise((resolve, reject) => {
    let child: DumpcapChild;
    try {
      child = spawn(path, dumpcapArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      reject(new DeviceOpenError(`cannot capture on "${o.device}": cannot run dumpcap (${oneLine(String(e))})`, 'other'));
      return;
    }
    const capture = new DumpcapCapture(o, child);
    const timer = setTimeout(() => {
      capture.close();
      reject(new DeviceOpenError(`cannot capture on "${o.device}": dumpcap did not start within ${o.startTimeoutMs ?? 10_000} ms`, 'other'));
    }, o.startTimeoutMs ?? 10_000);
    capture.whenOpened((failure) => {
      clearTimeout(timer);
      if (failure) {
        capture.close();
        reject(failure);
      } else {
        resolve(capture);
      }
    });
  });
}

class DumpcapCapture implements LiveCapture {
  readonly backend = 'dumpcap';
  linkType = -1;
  nanoTimestamps = false;
  readonly warnings: readonly string[] = [];
  private readonly reader = new PcapngStreamReader();
  private stderrTail = '';
  private opened = false;
  private onOpened: ((failure: FatalError | null) => void) | null = null;
  /** Packets that arrived with the interface block, before start(). */
  private early: LivePacket[] = [];
  private onBatch: ((pkts: LivePacket[]) => void) | null = null;
  private onError: ((message: string) => void) | undefined;
  private closed = false;
  private exited = false;
  private killSent = false;
  private delivered = 0;
  private finalStats: { recv: bigint | null; drop: bigint | null; osdrop: bigint | null } | null = null;
  private readonly killOnExit = (): void => {
    if (!this.exited) this.child.kill('SIGKILL');
  };

  constructor(private readonly options: LiveOptions, private readonly child: DumpcapChild) {
    process.once('exit', this.killOnExit);
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_KEEP_BYTES);
    });
    child.stdout.on('data', (chunk: Buffer) => this.consume(this.reader.push(chunk)));
    child.on('error', (err) => this.ended(`cannot capture on "${options.device}": cannot run dumpcap (${oneLine(err.message)})`));
    // 'close' (not 'exit'): stdout and stderr are fully read by then.
    child.on('close', (code) => this.ended(null, code));
  }

  whenOpened(cb: (failure: FatalError | null) => void): void {
    this.onOpened = cb;
  }

  private consume(events: PcapngStreamEvent[]): void {
    const packets: LivePacket[] = [];
    for (const ev of events) {
      switch (ev.kind) {
        case 'interface':
          // dumpcap captures one interface here: the first IDB describes it.
          if (!this.opened) {
            this.opened = true;
            this.linkType = ev.linkType;
            this.nanoTimestamps = ev.nanoTimestamps;
            this.child.stdout.pause(); // until start(): the kernel buffers meanwhile
            this.onOpened?.(null);
            this.onOpened = null;
          }
          break;
        case 'packet':
          if (ev.interfaceId === 0) packets.push({ tsNs: ev.tsNs, data: ev.data, origLen: ev.origLen });
          break;
        case 'stats':
          if (ev.interfaceId === 0) this.finalStats = { recv: ev.ifRecv, drop: ev.ifDrop, osdrop: ev.osDrop };
          break;
        case 'bad':
          this.fail(`dumpcap wrote an unreadable pcapng stream: ${ev.reason}`);
          return;
      }
    }
    if (packets.length === 0 || this.closed) return;
    if (this.onBatch) {
      this.delivered += packets.length;
      this.onBatch(packets);
    } else {
      this.early.push(...packets);
    }
  }

  private fail(message: string): void {
    const cb = this.onError;
    this.onError = undefined;
    this.close();
    cb?.(message);
  }

  private ended(message: string | null, code: number | null = null): void {
    if (this.exited) return;
    this.exited = true;
    process.removeListener('exit', this.killOnExit);
    if (!this.opened) {
      this.onOpened?.(message ? new DeviceOpenError(message, 'other') : dumpcapFailure(this.options, this.stderrTail, code));
      this.onOpened = null;
      return;
    }
    if (this.closed) return;
    const why = message ?? oneLine(dumpcapFailure(this.options, this.stderrTail, code).message);
    const cb = this.onError;
    this.onError = undefined;
    this.closed = true;
    cb?.(`dumpcap stopped: ${why}`);
  }

  start(onBatch: (pkts: LivePacket[]) => void, onError?: (message: string) => void): void {
    if (this.onBatch || this.closed) return;
    this.onBatch = onBatch;
    this.onError = onError;
    const early = this.early;
    this.early = [];
    if (early.length > 0) {
      this.delivered += early.length;
      onBatch(early);
    }
    this.child.stdout.resume();
  }

  stats(): LiveStats {
    const f = this.finalStats;
    const recv = f?.recv != null ? Math.max(Number(f.recv), this.delivered) : this.delivered;
    return { recv, drop: f?.drop != null ? Number(f.drop) : 0, ifdrop: f?.osdrop != null ? Number(f.osdrop) : 0 };
  }

  close(): void {
    this.closed = true;
    this.early = [];
    if (this.killSent || this.exited) return;
    this.killSent = true;
    // Keep reading so dumpcap can flush its statistics and exit; packets are no longer delivered.
    this.child.stdout.resume();
    try {
      this.child.kill('SIGTERM');
      setTimeout(() => {
        if (!this.exited) this.child.kill('SIGKILL');
      }, KILL_GRACE_MS).unref();
    } catch {
      // Already gone.
    }
  }
}
