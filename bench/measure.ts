/**
 * Runs one child under GNU time and returns its wall time, CPU time, peak RSS and disk reads. /usr/bin/time writes to a file
 * of its own (-o), so the child's stderr stays the child's.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface Measured {
  /** Wall clock. */
  seconds: number;
  /** User + system CPU time: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  /** The system's part of cpuSeconds: the kernel's copies of the file, page cache, writeback waits. */
  sysSeconds: number;
  peakRssKb: number;
  /** Bytes read from the disk rather than the page cache (GNU time %I, 512-byte blocks). */
  diskReadBytes: number;
  /** null when it ran and exited 0; else one line saying what went wrong. */
  failure: string | null;
  stdout: string;
}

export interface MeasureOptions {
  /** Where the child's stdout goes; null: captured and returned (keep it small). */
  stdoutFile: string | null;
  env?: NodeJS.ProcessEnv;
  timeoutSeconds: number;
}

export function measure(cmd: string, args: string[], o: MeasureOptions): Measured {
  const timeFile = path.join(os.tmpdir(), `ftpflow-bench-time-${process.pid}.txt`);
  fs.rmSync(timeFile, { force: true });
  const outFd = o.stdoutFile === null ? 'pipe' : fs.openSync(o.stdoutFile, 'w');
  const started = process.hrtime.bigint();
  const r = spawnSync(GNU_TIME, ['-f', '%e %U %S %M %I', '-o', timeFile, cmd, ...args], {
    stdio: ['ignore', outFd, 'pipe'],
    env: o.env ?? process.env,
    timeout: o.timeoutSeconds * 1000,
    maxBuffer: 64 << 20,
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (typeof outFd === 'number') fs.closeSync(outFd);
  const timeText = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '';
  fs.rmSync(timeFile, { force: true });
  // time(1) writes "Command exited with non-zero status N" before the format line when the child fails.
  const m = /(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+) (\d+)\s*$/.exec(timeText);
  const stderrTail = (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
  let failure: string | null = null;
  if (r.error) failure = `${cmd} did not run: ${r.error.message}`;
  else if (r.signal) failure = `${cmd} was stopped by ${r.signal}${r.signal === 'SIGTERM' ? ` (over ${o.timeoutSeconds} s?)` : ''}`;
  else if (r.status !== 0) failure = `${cmd} exited ${r.status}: ${stderrTail}`;
  else if (!m) failure = `${GNU_TIME} gave no measurement: ${timeText.trim()}`;
  return {
    seconds, cpuSeconds: m ? Number(m[2]) + Number(m[3]) : 0, sysSeconds: m ? Number(m[3]) : 0,
    peakRssKb: m ? Number(m[4]) : 0, diskReadBytes: m ? Number(m[5]) * 512 : 0, failure,
    stdout: typeof r.stdout === 'string' ? r.stdout : '',
  };
}
