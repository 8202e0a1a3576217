/**
 * Shared by the Wireshark end-to-end tests (extcap discovery, Lua fields): finding the real tools, the compiled
 * tree under test, temporary HOMEs, and running commands with a time limit. Not a test file itself.
 *
 * E2E tests never skip silently: a missing tool skips with the reason printed, and fails instead when
 * FTPFLOW_REQUIRE_E2E=1.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REQUIRE_E2E = process.env.FTPFLOW_REQUIRE_E2E === '1';

export function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Null when every tool is there, else the reason to skip (or to fail, under FTPFLOW_REQUIRE_E2E=1). */
export function missingTools(tools: readonly string[]): string | null {
  if (process.platform === 'win32') return 'the POSIX launcher and install.sh do not run on Windows';
  const missing = tools.filter((t) => !hasTool(t));
  return missing.length === 0 ? null : `missing tools: ${missing.join(', ')}`;
}

/**
 * The compiled tree this test runs from (the folder holding `src/extcap/main.js`): the launcher and the installer
 * are pointed at it with FTPFLOW_DIST, so the test exercises the build it belongs to, wherever it was compiled.
 */
export function compiledRoot(): string {
  for (let dir = __dirname, i = 0; i < 8; i++) {
    if (fs.existsSync(path.join(dir, 'src', 'extcap', 'main.js'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`no compiled src/extcap/main.js above ${__dirname}`);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** Runs a command with a hard time limit (SIGKILL on expiry); never throws for a non-zero exit. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, signal, stdout, stderr, ms, timedOut });
    });
  });
}

/** TShark's own noise as root, removed before comparing stderr. */
export function withoutRootWarning(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !/^Running as user "root"/.test(l))
    .join('\n')
    .trim();
}

/** Wireshark's version as [major, minor, micro], from `tshark --version`. */
export function tsharkVersion(): [number, number, number] {
  const first = execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0] ?? '';
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(first);
  if (!m) throw new Error(`cannot read the version from "${first}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** A fresh, empty HOME with its own XDG folders, so nothing the test does touches the real user's Wireshark. */
export function temporaryHome(tag: string): { home: string; env: NodeJS.ProcessEnv; remove: () => void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `ftpflow-${tag}-home-`));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg-config') };
  delete env.XDG_DATA_HOME;
  delete env.WIRESHARK_CONFIG_DIR;
  return { home, env, remove: () => fs.rmSync(home, { recursive: true, force: true }) };
}

/** Every path under a folder, relative, sorted. */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      out.push(path.relative(root, full) + (entry.isDirectory() ? '/' : ''));
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out.sort();
}
