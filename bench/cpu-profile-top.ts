/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, mapped through the compiled
 * files' source maps back to the TypeScript file and line, and self time per source file.
 *
 *   node dist/bench/cpu-profile-top.js PROFILE.cpuprofile [TOP]
 */
import * as fs from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[]; positionTicks?: { line: number; ticks: number }[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface HotSpot { name: string; where: string; file: string; selfMs: number; share: number }

export interface HotSpots { total: number; byFunction: HotSpot[]; byLine: HotSpot[]; byFile: HotSpot[] }

const maps = new Map<string, SourceMap | null>();

function sourceMapFor(jsFile: string): SourceMap | null {
  if (maps.has(jsFile)) return maps.get(jsFile)!;
  let sm: SourceMap | null = null;
  try {
    sm = new SourceMap(JSON.parse(fs.readFileSync(`${jsFile}.map`, 'utf8')));
  } catch { /* not ours, or no map */ }
  maps.set(jsFile, sm);
  return sm;
}

/** "src/x/y.ts:LINE" for a frame of our compiled code; node internals and others as they are. */
function locate(cf: CallFrame, repoRoot: string): { where: string; file: string } {
  if (!cf.url) return { where: `(${cf.functionName || 'native'})`, file: '(native/gc)' };
  if (!cf.url.startsWith('file://')) return { where: `${cf.url}:${cf.lineNumber + 1}`, file: cf.url };
  const js = fileURLToPath(cf.url);
  const entry = sourceMapFor(js)?.findEntry(cf.lineNumber, cf.columnNumber);
  if (entry && 'originalSource' in entry && entry.originalSource) {
    const src = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(js), entry.originalSource);
    const rel = path.relative(repoRoot, src);
    const file = rel.startsWith('..') ? src : rel;
    return { where: `${file}:${entry.originalLine + 1}`, file };
  }
  const rel = js.includes('node_modules') ? js.slice(js.indexOf('node_modules')) : js;
  return { where: `${rel}:${cf.lineNumber + 1}`, file: rel };
}

const jsLines = new Map<string, string[]>();

/** "src/x/y.ts:LINE" for a 1-based line of a compiled file (the statement that starts on that line). */
function locateLine(cf: CallFrame, line: number, repoRoot: string): string {
  if (!cf.url.startsWith('file://')) return `${cf.url || cf.functionName}:${line}`;
  const js = fileURLToPath(cf.url);
  let lines = jsLines.get(js);
  if (!lines) {
    try { lines = fs.readFileSync(js, 'utf8').split('\n'); } catch { lines = []; }
    jsLines.set(js, lines);
  }
  // Source-map lookups take the nearest mapping at or before a column: ask at the line's first token.
  const text = lines[line - 1] ?? '';
  const col = text.length - text.trimStart().length;
  const entry = sourceMapFor(js)?.findEntry(line - 1, col);
  if (entry && 'originalSource' in entry && entry.originalSource && entry.generatedLine === line - 1) {
    const src = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(js), entry.originalSource);
    const rel = path.relative(repoRoot, src);
    return `${rel.startsWith('..') ? src : rel}:${entry.originalLine + 1}`;
  }
  return `${locate(cf, repoRoot).file} (js line ${line})`;
}

export function hotSpots(profileFile: string, repoRoot: string): HotSpots {
  const p = JSON.parse(fs.readFileSync(profileFile, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = p.timeDeltas.reduce((a, b) => a + b, 0) / 1000;
  const fn = new Map<string, HotSpot>();
  const files = new Map<string, HotSpot>();
  const lines = new Map<string, HotSpot>();
  const msPerTick = p.samples.length ? total / p.samples.length : 0;
  for (const n of p.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    if (us === 0) continue;
    const { where, file } = locate(n.callFrame, repoRoot);
    const name = n.callFrame.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const h = fn.get(key) ?? { name, where, file, selfMs: 0, share: 0 };
    h.selfMs += us / 1000;
    fn.set(key, h);
    const f = files.get(file) ?? { name: file, where: file, file, selfMs: 0, share: 0 };
    f.selfMs += us / 1000;
    files.set(file, f);
    for (const t of n.positionTicks ?? []) {
      const at = locateLine(n.callFrame, t.line, repoRoot);
      const l = lines.get(at) ?? { name, where: at, file, selfMs: 0, share: 0 };
      l.selfMs += t.ticks * msPerTick;
      lines.set(at, l);
    }
  }
  const sorted = (m: Map<string, HotSpot>): HotSpot[] =>
    [...m.values()].map((h) => ({ ...h, share: h.selfMs / total })).sort((a, b) => b.selfMs - a.selfMs);
  return { total, byFunction: sorted(fn), byLine: sorted(lines), byFile: sorted(files) };
}

export function formatHotSpots(r: HotSpots, top: number): string {
  const pct = (s: number): string => `${(s * 100).toFixed(1).padStart(5)}%`;
  const lines = [`CPU profile: ${(r.total / 1000).toFixed(1)} s sampled`, 'self time by function:'];
  for (const h of r.byFunction.slice(0, top)) lines.push(`  ${pct(h.share)} ${h.selfMs.toFixed(0).padStart(7)} ms  ${h.name}  ${h.where}`);
  lines.push('self time by source line (V8 position ticks):');
  for (const h of r.byLine.slice(0, top)) lines.push(`  ${pct(h.share)} ${h.selfMs.toFixed(0).padStart(7)} ms  ${h.where}  (in ${h.name})`);
  lines.push('self time by file:');
  for (const h of r.byFile.slice(0, top)) lines.push(`  ${pct(h.share)} ${h.selfMs.toFixed(0).padStart(7)} ms  ${h.file}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: cpu-profile-top PROFILE.cpuprofile [TOP]\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(`${formatHotSpots(hotSpots(file, process.cwd()), Number(top ?? 25))}\n`);
  }
}
