/**
 * Which processes a process we started has started in turn (Linux /proc), and whether they are gone: the
 * live-capture e2e test records the extcap and dumpcap that TShark launched, then checks after the stop
 * that exactly those PIDs have ended. A PID is identified with its start time, so a reused PID is not
 * mistaken for a survivor. Reads only; never signals anything.
 */
import * as fs from 'node:fs';

export interface ProcessId {
  pid: number;
  /** /proc/PID/stat field 22 (clock ticks after boot): tells a reused PID apart. */
  startTime: string;
  /** The command line when it was seen, for messages. */
  cmdline: string;
}

interface StatLine {
  ppid: number;
  state: string;
  startTime: string;
}

/** Fields of /proc/PID/stat after the command name (which may itself hold spaces and parentheses). */
function readStat(pid: number): StatLine | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), rest[1] field 4 (ppid), rest[19] field 22 (starttime).
  if (rest.length < 20) return null;
  return { state: rest[0] ?? '?', ppid: Number(rest[1]), startTime: rest[19] ?? '' };
}

function readCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s !== '').join(' ');
  } catch {
    return '';
  }
}

/** Every live descendant of `root` (children, grandchildren, …), found by scanning /proc once. */
export function descendantsOf(root: number): ProcessId[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (st === null) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(name));
    children.set(st.ppid, list);
  }
  const out: ProcessId[] = [];
  const queue = [...(children.get(root) ?? [])];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const pid = queue[i] as number;
    const st = readStat(pid);
    if (st === null) continue;
    out.push({ pid, startTime: st.startTime, cmdline: readCmdline(pid) });
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** True while that very process exists and has not exited (a zombie has exited: it holds nothing). */
export function isRunning(p: ProcessId): boolean {
  const st = readStat(p.pid);
  return st !== null && st.startTime === p.startTime && st.state !== 'Z' && st.state !== 'X';
}

/** Waits (bounded) until none of `procs` runs; returns the ones still running at the end. */
export async function waitAllGone(procs: readonly ProcessId[], timeoutMs: number): Promise<ProcessId[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const alive = procs.filter(isRunning);
    if (alive.length === 0 || Date.now() >= end) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}
