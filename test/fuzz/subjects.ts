/**
 * What the fuzzers run on: every synthetic case, every recorded golden case
 * (test/golden/<name>/truth.json with its capture beside it), and optionally a folder of
 * `*.truth.json` files (FTPFLOW_PERMUTE_CORPUS, e.g. /work/shared/captures/zeek).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoPath } from '../helpers/paths';
import type { TruthFile } from '../helpers/truth-types';
import { ALL_CASES } from '../fixtures/gen/cases/index';

export interface Subject {
  name: string;
  capture: () => Uint8Array;
  truth: TruthFile;
}

function recorded(root: string, layout: 'golden' | 'corpus'): Subject[] {
  if (!fs.existsSync(root)) return [];
  const truths = layout === 'golden'
    ? fs.readdirSync(root).map(d => path.join(root, d, 'truth.json')).filter(p => fs.existsSync(p))
    : fs.readdirSync(root).filter(f => f.endsWith('.truth.json')).map(f => path.join(root, f));
  return truths.flatMap(tp => {
    const truth = JSON.parse(fs.readFileSync(tp, 'utf8')) as TruthFile;
    const cap = path.join(path.dirname(tp), truth.capture);
    if (!fs.existsSync(cap)) return [];
    return [{ name: `${layout}:${path.relative(root, path.dirname(layout === 'golden' ? tp : cap))}${layout === 'corpus' ? truth.capture : ''}`, capture: () => new Uint8Array(fs.readFileSync(cap)), truth }];
  });
}

export function fuzzSubjects(): Subject[] {
  return [
    ...ALL_CASES.map(def => {
      const g = def.build();
      return { name: def.name, capture: () => g.capture, truth: g.truth };
    }),
    ...recorded(repoPath('test', 'golden'), 'golden'),
    ...(process.env.FTPFLOW_PERMUTE_CORPUS ? recorded(process.env.FTPFLOW_PERMUTE_CORPUS, 'corpus') : []),
  ];
}
