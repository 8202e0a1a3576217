/**
 * A live TShark capture on an ftpflow interface, started by the test inside a network namespace and stopped
 * by it: readiness (TShark says "Capturing on" and the extcap's log file says it is capturing), the
 * processes TShark launched (recorded while it runs, so the test can check they are gone afterwards), and a
 * stop by signal with a bounded wait. `-a duration:` bounds the capture even if the test dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

import { inNs } from '../helpers/netns-pair';
import { descendantsOf, type ProcessId } from './process-tree';

export interface LiveCaptureOptions {
  ns: string;
  /** ftpflow-<device> */
  iface: string;
  out: string;
  env: NodeJS.ProcessEnv;
  /** extcap options as TShark preferences: `-o extcap.<iface with _>.<name>:<value>`. */
  prefs: Record<string, string>;
  /** Log file the extcap writes (its `logfile` option); readiness is read from it. */
  logFile: string;
  captureFilter?: string;
  /** Hard bound on the capture (TShark's -a duration). */
  maxSeconds: number;
}

export interface StopResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** From the signal to TShark's exit. */
  ms: number;
  timedOut: boolean;
}

/** The preference prefix TShark derives from an extcap interface name. */
export function prefPrefix(iface: string): string {
  return `extcap.${iface.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
}

export class LiveTshark {
  readonly child: ChildProcess;
  private stderr = '';
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every process seen below TShark while it captured (extcap, dumpcap, the extcap's own dumpcap). */
  readonly launched = new Map<number, ProcessId>();

  constructor(readonly o: LiveCaptureOptions) {
    const prefs = Object.entries(o.prefs).flatMap(([k, v]) => ['-o', `${prefPrefix(o.iface)}.${k}:${v}`]);
    const filter = o.captureFilter === undefined ? [] : ['-f', o.captureFilter];
    const [cmd, args] = inNs(o.ns, 'tshark', ['-i', o.iface, ...filter, ...prefs,
      '-o', `${prefPrefix(o.iface)}.logfile:${o.logFile}`, '-o', `${prefPrefix(o.iface)}.loglevel:info`,
      '-a', `duration:${o.maxSeconds}`, '-w', o.out]);
    this.child = spawn(cmd, args, { env: o.env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get stderrText(): string {
    return this.stderr;
  }

  logText(): string {
    try {
      return fs.readFileSync(this.o.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Records the processes below TShark now (call while capturing; more calls add more). */
  noteLaunched(): ProcessId[] {
    const now = descendantsOf(this.pid);
    for (const p of now) if (!this.launched.has(p.pid)) this.launched.set(p.pid, p);
    return now;
  }

  /** Waits until TShark captures and the extcap logged that it opened the device; bounded. */
  async waitReady(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return false;
      this.noteLaunched();
      if (/Capturing on/.test(this.stderr) && /capturing with (libpcap|dumpcap)/.test(this.logText())) {
        await new Promise((r) => setTimeout(r, 300)); // the first read time-out: the ring is live
        this.noteLaunched();
        return true;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  /** Sends `signal` and waits (bounded) for TShark to exit; SIGKILL and timedOut when it does not. */
  async stop(signal: NodeJS.Signals, timeoutMs: number): Promise<StopResult> {
    this.noteLaunched();
    const started = Date.now();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const { code, signal: sig } = await this.exited;
    clearTimeout(timer);
    return { code, signal: sig, stderr: this.stderr, ms: Date.now() - started, timedOut };
  }
}

/**
 * Lines of TShark's stderr that are not its usual chatter around a capture: the root warning, "Capturing on",
 * 4.0's "[Main MESSAGE] -- Capture started / File:" pair, the empty "tshark: " line it prints when stopped by
 * a signal, and the packet count. Anything else (e.g. "Error by extcap pipe") is returned.
 */
export function unusualTsharkLines(stderr: string): string[] {
  const usual = [
    /^Running as user "root" and group "root"\. This could be dangerous\.$/,
    /^Capturing on '.*'$/,
    /^ \*\* \(tshark:\d+\) [\d:.]+ \[Main MESSAGE\] -- (Capture started\.|File: ".*")$/,
    /^tshark: $/,
    /^\d+ packets? captured$/,
    /^$/,
  ];
  return stderr.split('\n').filter((l) => !usual.some((re) => re.test(l)));
}
