/**
 * Runs the built CLI the way a user does: `node dist/src/cli/main.js annotate IN -o OUT [options]`.
 * FTPFLOW_CLI overrides the script (e.g. a build in another folder).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { repoPath } from './paths';

export const CLI_PATH = process.env.FTPFLOW_CLI ?? repoPath('dist', 'src', 'cli', 'main.js');

export function cliMissingReason(): string | null {
  return fs.existsSync(CLI_PATH) ? null : `the CLI is not built: ${CLI_PATH} does not exist (run npm run build, or set FTPFLOW_CLI)`;
}

export interface CliRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export function runAnnotate(input: string, output: string, options: readonly string[] = [], timeoutMs = 30_000): Promise<CliRun> {
  const started = Date.now();
  return new Promise(resolve => {
    execFile(process.execPath, [CLI_PATH, 'annotate', input, '-o', output, ...options],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout, stderr,
          timedOut: !!e?.killed && Date.now() - started >= timeoutMs - 50,
          ms: Date.now() - started,
        });
      });
  });
}

/** Runs `fn` over `items` with at most `limit` at once, keeping results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
