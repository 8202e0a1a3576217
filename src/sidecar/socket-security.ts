import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * The Unix socket is the sidecar's only access control: whoever may connect sees every FTP session
 * (addresses, user names, file names). So the daemon refuses to run where someone else could replace
 * the socket (a world-writable folder without the sticky bit, here or above) or where the socket
 * itself would let everyone in, and it never removes a socket another sidecar is still serving.
 */

export const DEFAULT_SOCKET_MODE = 0o660;
const WORLD_WRITABLE = 0o002;
const STICKY = 0o1000;
const STALE_PROBE_MS = 1000;

/** `0660`, `660` or `0o660`; refuses modes that give others write access (connect needs write). */
export function parseSocketMode(text: string): number | string {
  const t = text.trim().replace(/^0o/i, '');
  if (!/^[0-7]{3,4}$/.test(t)) return `"${text}" is not an octal mode like 0660`;
  const mode = parseInt(t, 8);
  if (mode & ~0o777) return `socket mode ${text} has bits beyond rwxrwxrwx`;
  if (mode & WORLD_WRITABLE) return `socket mode ${text} would let every local user read the FTP sessions; use 0660 or 0600`;
  return mode;
}

/** Null when every folder from the socket's own up to / is safe, else why not (one line). */
export function unsafeFolder(socketPath: string): string | null {
  let dir = path.dirname(path.resolve(socketPath));
  for (let i = 0; i < 64; i++) {
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch (err) {
      return `cannot inspect ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
    }
    if (!st.isDirectory()) return `${dir} is not a folder`;
    if ((st.mode & WORLD_WRITABLE) && !(st.mode & STICKY)) {
      return `${dir} is world-writable without the sticky bit: anyone could replace the socket`;
    }
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return null;
}

/** True when something accepts connections on the Unix socket at `p`. */
function someoneListens(p: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path: p });
    const done = (v: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(true), STALE_PROBE_MS); // no answer: assume alive, never steal
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Makes `socketPath` ready to bind: creates its folder (0750) if missing, checks the folders, removes a
 * stale socket left by a sidecar that died. Returns null, or why the daemon must not run.
 */
export async function prepareSocketPath(socketPath: string): Promise<string | null> {
  const dir = path.dirname(socketPath);
  if (!fs.existsSync(dir)) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
    } catch (err) {
      return `cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
    }
  }
  const unsafe = unsafeFolder(socketPath);
  if (unsafe !== null) return unsafe;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch {
    return null; // nothing there yet
  }
  if (!st.isSocket()) return `${socketPath} exists and is not a socket; not touching it`;
  if (await someoneListens(socketPath)) return `another sidecar is already listening on ${socketPath}`;
  try {
    fs.unlinkSync(socketPath);
  } catch (err) {
    return `cannot remove the stale socket ${socketPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
  return null;
}
