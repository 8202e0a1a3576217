import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest folder upwards from this file or the cwd whose package.json is ftpflow's. */
function findRepoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    let dir = start;
    for (;;) {
      const pj = path.join(dir, 'package.json');
      if (fs.existsSync(pj)) {
        try {
          if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'ftpflow') return dir;
        } catch { /* keep looking */ }
      }
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new Error('cannot find the ftpflow repository root');
}

export const REPO_ROOT = findRepoRoot();
export const repoPath = (...parts: string[]): string => path.join(REPO_ROOT, ...parts);
