import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * ftpflow's version and help address for the `extcap {version=…}{help=…}` sentence. Read from package.json:
 * first the root the launcher exported (FTPFLOW_ROOT), then upwards from this file. Never fails: an unknown
 * version is printed as 0.0.0 rather than making the interface vanish from Wireshark.
 */

export interface PackageInfo {
  version: string;
  /** The package root, if found. */
  root: string | null;
  /** A URL Wireshark's help button opens. */
  help: string | null;
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
  homepage?: unknown;
}

function readPackageJson(dir: string): PackageJson | null {
  try {
    const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
    return pj.name === 'ftpflow' ? pj : null;
  } catch {
    return null;
  }
}

function candidateRoots(env: NodeJS.ProcessEnv): string[] {
  const roots: string[] = [];
  if (env.FTPFLOW_ROOT) roots.push(env.FTPFLOW_ROOT);
  for (let dir = __dirname, i = 0; i < 8; i++) {
    roots.push(dir);
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return roots;
}

export function packageInfo(env: NodeJS.ProcessEnv = process.env): PackageInfo {
  for (const root of candidateRoots(env)) {
    const pj = readPackageJson(root);
    if (pj === null) continue;
    const version = typeof pj.version === 'string' ? pj.version : '0.0.0';
    const help = typeof pj.homepage === 'string' ? pj.homepage : pathToFileURL(path.resolve(root, 'README.md')).href;
    return { version, root, help };
  }
  return { version: '0.0.0', root: null, help: null };
}
