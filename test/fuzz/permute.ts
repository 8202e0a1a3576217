/**
 * Permutation fuzz: rewrites a capture so that its control connections arrive differently while
 * carrying exactly the same bytes: each control payload segment may be re-split at seeded random
 * points, adjacent segments of one control direction swapped, segments duplicated (exact
 * retransmissions). Data connections and every other frame are untouched, only renumbered.
 *
 * It returns the rewritten capture in the input's own format, the old→new frame mapping, and the
 * truth translated to the new frame numbers. A frame that announced something (setup_frame,
 * command_frame) is translated through the stream: to the new frame carrying the last byte of the
 * same control line. When comments are compared, the frame at which that line became complete
 * (the last of the frames that first delivered its bytes) is accepted too: with pieces swapped the
 * two differ, and either is a fair reading of "the frame of that line".
 */
import {
  readCapture, type CapturedPacket, type CaptureModel,
} from '../helpers/capture-file';
import type { TruthEndpoint, TruthFile } from '../helpers/truth-types';
import { writeCapture } from '../fixtures/gen/capture-writer';
import { dissectTcp, rewriteTcp, type TcpView } from '../fixtures/gen/dissect';
import { Prng } from '../fixtures/gen/prng';

export interface PermuteOptions {
  seed: number;
  /** Chance that a control payload segment is re-split (default 0.6). */
  splitChance?: number;
  /** Most pieces one segment is cut into (default 4). */
  maxPieces?: number;
  /** Chance that two adjacent segments of one control direction are swapped (default 0.3). */
  swapChance?: number;
  /** Chance that a control payload segment is followed by an exact duplicate (default 0.15). */
  duplicateChance?: number;
}

export interface PermuteStats { split: number; pieces: number; swapped: number; duplicated: number }

export interface Permuted {
  kind: 'ok';
  capture: Uint8Array;
  /** Translated truth (frames, setup/command frames, totals, control_expect frames). */
  truth: TruthFile;
  /** New frame of an untouched old frame (data, other traffic, control segments without payload). */
  mapped(oldFrame: number): number | null;
  /** Every new frame at which a line that completed at `oldFrame` completes now (or its copies). */
  translations(oldFrame: number): Set<number>;
  stats: PermuteStats;
  /** Human-readable one-liner for failure messages. */
  describe: string;
}

export type PermuteResult = Permuted | { kind: 'bad'; why: string };

interface Entry {
  /** 0-based index of the old packet this came from. */
  from: number;
  role: 'same' | 'piece' | 'dup';
  packet: CapturedPacket;
  /** Control direction key (for swaps), null if not a control payload segment. */
  dir: string | null;
}

const TRANSFER = /^(RETR|STOR|STOU|APPE|LIST|NLST|MLSD)\b/i;
/** Comment keys whose values are frame numbers: compared through the permutation's translation. */
const FRAME_KEY = /frame|setup/i;
const ACTIVE_SETUP = /^(PORT|EPRT|LPRT)\b/i;
const PASSIVE_REPLY = /^22[789][ (]/;

const epKey = (ip: string, port: number): string => `${ip}/${port}`;

/** Both directions of every control connection the truth names. */
function controlDirections(truth: TruthFile): Set<string> {
  const out = new Set<string>();
  const add = (c: TruthEndpoint, s: TruthEndpoint) => {
    out.add(`${epKey(c.ip, c.port)}>${epKey(s.ip, s.port)}`);
    out.add(`${epKey(s.ip, s.port)}>${epKey(c.ip, c.port)}`);
  };
  for (const s of truth.control_sessions ?? []) add(s.client, s.server);
  for (const d of truth.data_connections) add(d.control.client, d.control.server);
  for (const e of truth.control_expect ?? []) add(e.client, e.server);
  return out;
}

const dirKey = (v: TcpView): string => `${epKey(v.src, v.sport)}>${epKey(v.dst, v.dport)}`;

const SYN = 0x02, FIN = 0x01, RST = 0x04, PSH = 0x08;

export function permuteCapture(bytes: Uint8Array, truth: TruthFile, opts: PermuteOptions): PermuteResult {
  const read = readCapture(bytes);
  if (!read.model || read.error) return { kind: 'bad', why: `capture unreadable: ${read.error}` };
  const rng = new Prng(opts.seed);
  const controls = controlDirections(truth);
  const views = read.packets.map(p => dissectTcp(p.linkType, p.data));
  const stats: PermuteStats = { split: 0, pieces: 0, swapped: 0, duplicated: 0 };

  // 1. Re-split and duplicate.
  const entries: Entry[] = [];
  read.packets.forEach((p, i) => {
    const v = views[i];
    const dir = v && controls.has(dirKey(v)) ? dirKey(v) : null;
    const movable = !!v && dir !== null && v.payload.length > 0 && !v.truncated && (v.flags & (SYN | FIN | RST)) === 0
      && p.origLen === p.data.length;
    if (!movable) { entries.push({ from: i, role: 'same', packet: p, dir: null }); return; }
    const view = v!;
    let produced: Entry[] = [{ from: i, role: 'same', packet: p, dir }];
    if (view.payload.length >= 2 && rng.chance(opts.splitChance ?? 0.6)) {
      const k = rng.int(2, Math.min(opts.maxPieces ?? 4, view.payload.length));
      const cuts = rng.distinctSorted(k - 1, 1, view.payload.length - 1);
      const bounds = [0, ...cuts, view.payload.length];
      produced = bounds.slice(1).map((end, n) => {
        const start = bounds[n]!;
        const last = end === view.payload.length;
        const data = rewriteTcp(p.linkType, p.data, view, {
          seq: (view.seq + start) >>> 0, payload: view.payload.slice(start, end),
          flags: last ? view.flags : view.flags & ~PSH,
        });
        return {
          from: i, role: 'piece' as const, dir,
          packet: { ...p, data, origLen: data.length, comments: n === 0 ? [...p.comments] : [] },
        };
      });
      stats.split++;
      stats.pieces += produced.length;
    }
    entries.push(...produced);
    if (rng.chance(opts.duplicateChance ?? 0.15)) {
      const copy = rng.pick(produced);
      entries.push({ from: i, role: 'dup', dir, packet: { ...copy.packet, comments: [] } });
      stats.duplicated++;
    }
  });

  // 2. Swap adjacent segments of the same control direction (timestamps stay with the positions).
  // A direction whose SYN the capture lacks starts wherever its first segment says: bytes sent
  // before that segment would look like old data to any reassembler, so that one never moves.
  const synDirs = new Set(views.flatMap(v => (v && v.flags & SYN ? [dirKey(v)] : [])));
  const firstOf = new Map<string, number>();
  entries.forEach((e, j) => { if (e.dir !== null && !firstOf.has(e.dir)) firstOf.set(e.dir, j); });
  for (let j = 0; j + 1 < entries.length; j++) {
    const a = entries[j]!, b = entries[j + 1]!;
    if (a.dir === null || a.dir !== b.dir || a.packet.section !== b.packet.section) continue;
    if (!synDirs.has(a.dir) && firstOf.get(a.dir) === j) continue;
    if (!rng.chance(opts.swapChance ?? 0.3)) continue;
    const tsA = a.packet.tsNs, tsB = b.packet.tsNs;
    entries[j] = { ...b, packet: { ...b.packet, tsNs: tsA } };
    entries[j + 1] = { ...a, packet: { ...a.packet, tsNs: tsB } };
    stats.swapped++;
    j++;
  }

  // 3. Frame mapping.
  const derived: number[][] = read.packets.map(() => []);
  const mappedSame: (number | null)[] = read.packets.map(() => null);
  entries.forEach((e, n) => {
    derived[e.from]!.push(n + 1);
    if (e.role === 'same') mappedSame[e.from] = n + 1;
  });
  const nonDup = (old: number): number[] => entries.flatMap((e, n) => (e.from === old - 1 && e.role !== 'dup' ? [n + 1] : []));

  // 4. Line completion, before and after.
  const oldPackets = views.map(view => ({ view }));
  const newPackets = entries.map(e => ({ view: dissectTcp(e.packet.linkType, e.packet.data) }));
  const bases = streamBases(oldPackets, controls);
  const before = lineCompletions(oldPackets, controls, bases);
  const after = lineCompletions(newPackets, controls, bases);
  // A line is "at" a frame in two senses: where it became complete, and where its last byte came.
  const linesAt = new Map<number, LineRef[]>();
  const linesByLastByte = new Map<number, LineRef[]>();
  const index = (m: Map<number, LineRef[]>, frame: number | null, ref: LineRef): void => {
    if (frame === null) return;
    const list = m.get(frame) ?? [];
    list.push(ref);
    m.set(frame, list);
  };
  for (const [key, lines] of before) {
    lines.forEach((l, idx) => {
      index(linesAt, l.completion, { key, idx, text: l.text });
      index(linesByLastByte, l.lastByte, { key, idx, text: l.text });
    });
  }
  const newLine = (r: LineRef): Line | undefined => after.get(r.key)?.[r.idx];

  const translations = (old: number): Set<number> => {
    const refs = [...(linesAt.get(old) ?? []), ...(linesByLastByte.get(old) ?? [])];
    if (refs.length === 0) return new Set(derived[old - 1] ?? []);
    const out = new Set<number>();
    for (const r of refs) {
      const l = newLine(r);
      if (l?.completion) out.add(l.completion);
      if (l?.lastByte) out.add(l.lastByte);
    }
    return out;
  };
  /**
   * The truth's frame numbers follow the brief's rule: the new frame carrying the last byte of the
   * line that the old frame carried the last byte of (`hint` picks the line when there are several).
   */
  const translate = (old: number | null | undefined, hint: RegExp | null): number | null => {
    if (!old) return old ?? null;
    const refs = linesByLastByte.get(old) ?? linesAt.get(old) ?? [];
    const hinted = hint ? refs.filter(r => hint.test(r.text)) : [];
    const pick = hinted[hinted.length - 1] ?? refs[refs.length - 1];
    if (pick) return newLine(pick)?.lastByte ?? null;
    const mine = nonDup(old);
    return mine[mine.length - 1] ?? null;
  };

  // 5. Write in the input's format, translate the truth.
  const model = rebuildModel(read.model, entries.map(e => e.packet));
  const t = structuredClone(truth) as TruthFile;
  t.totals = { ...t.totals, packets: entries.length };
  for (const dc of t.data_connections) {
    dc.frames = dc.frames.map(f => mappedSame[f - 1] ?? -f);
    if (dc.first_frame) dc.first_frame = dc.frames[0];
    if (dc.last_frame) dc.last_frame = dc.frames[dc.frames.length - 1];
    const setupHint = dc.mode === 'active' ? ACTIVE_SETUP : PASSIVE_REPLY;
    if (dc.setup_frame) dc.setup_frame = translate(dc.setup_frame, setupHint);
    if (dc.setup_request_frame) dc.setup_request_frame = translate(dc.setup_request_frame, dc.mode === 'active' ? ACTIVE_SETUP : /^(PASV|EPSV|LPSV)\b/i);
    if (dc.setup_reply_frame) dc.setup_reply_frame = translate(dc.setup_reply_frame, dc.mode === 'active' ? /^2\d\d /i : PASSIVE_REPLY);
    if (dc.command_frame) dc.command_frame = translate(dc.command_frame, TRANSFER);
    // Extension keys may pin frame numbers too (e.g. expect.setup_frame): translate those alike.
    for (const [k, v] of Object.entries(dc.expect ?? {})) {
      if (!FRAME_KEY.test(k) || !/^\d+$/.test(v)) continue;
      dc.expect![k] = String(translate(Number(v), /setup/i.test(k) ? setupHint : /cmd|command/i.test(k) ? TRANSFER : null));
    }
  }
  for (const ce of t.control_expect ?? []) {
    if (ce.frames) ce.frames = ce.frames.flatMap(nonDup);
  }
  for (const cs of t.control_sessions ?? []) {
    if (cs.first_frame) cs.first_frame = Math.min(...(derived[cs.first_frame - 1] ?? [0]));
    if (cs.last_frame) cs.last_frame = Math.max(...(derived[cs.last_frame - 1] ?? [0]));
  }
  return {
    kind: 'ok', capture: writeCapture(model), truth: t, stats,
    mapped: old => mappedSame[old - 1] ?? null,
    translations,
    describe: `seed ${opts.seed}: ${stats.split} segments split into ${stats.pieces} pieces, ${stats.swapped} swaps, ${stats.duplicated} duplicates, ${read.packets.length} -> ${entries.length} frames`,
  };
}

interface LineRef { key: string; idx: number; text: string }
interface Line {
  text: string;
  /** Frame after which every byte of the line had been seen (null: a hole cut the line). */
  completion: number | null;
  /** First frame that carried the line's final LF. */
  lastByte: number | null;
}
type Pkt = { view: TcpView | null };

/** Relative-sequence base per control direction: ISN+1 from the SYN, else the lowest payload seq. */
function streamBases(packets: Pkt[], controls: Set<string>): Map<string, number> {
  const bases = new Map<string, number>();
  const fromSyn = new Set<string>();
  for (const { view: v } of packets) {
    if (!v) continue;
    const key = dirKey(v);
    if (!controls.has(key)) continue;
    if (v.flags & SYN) {
      if (!fromSyn.has(key)) { bases.set(key, (v.seq + 1) >>> 0); fromSyn.add(key); }
      continue;
    }
    if (fromSyn.has(key) || v.payload.length === 0) continue;
    const cur = bases.get(key);
    if (cur === undefined || ((v.seq - cur) | 0) < 0) bases.set(key, v.seq);
  }
  return bases;
}

/** Each control direction's lines, with the frame (1-based) at which each became complete. */
function lineCompletions(packets: Pkt[], controls: Set<string>, bases: Map<string, number>): Map<string, Line[]> {
  const firstFrame = new Map<string, number[]>();
  const bytes = new Map<string, number[]>();
  packets.forEach(({ view: v }, i) => {
    if (!v || v.payload.length === 0) return;
    const key = dirKey(v);
    const base = bases.get(key);
    if (!controls.has(key) || base === undefined) return;
    const rel = (v.seq - base) | 0;
    if (rel < 0 || rel > 8_000_000) return;
    const ff = firstFrame.get(key) ?? [];
    const bb = bytes.get(key) ?? [];
    for (let k = 0; k < v.payload.length; k++) {
      if (ff[rel + k] === undefined) { ff[rel + k] = i + 1; bb[rel + k] = v.payload[k]!; }
    }
    firstFrame.set(key, ff);
    bytes.set(key, bb);
  });
  const out = new Map<string, Line[]>();
  for (const [key, ff] of firstFrame) {
    const bb = bytes.get(key)!;
    const lines: Line[] = [];
    let start = 0;
    for (let pos = 0; pos < ff.length; pos++) {
      if (bb[pos] !== 0x0a) continue;
      let completion: number | null = 0;
      let text = '';
      for (let k = start; k <= pos; k++) {
        const f = ff[k];
        if (f === undefined) { completion = null; break; }
        completion = Math.max(completion, f);
        if (text.length < 80) text += String.fromCharCode(bb[k]!);
      }
      lines.push({ text, completion, lastByte: ff[pos] ?? null });
      start = pos + 1;
    }
    out.set(key, lines);
  }
  return out;
}

function rebuildModel(m: CaptureModel, packets: CapturedPacket[]): CaptureModel {
  if (m.format === 'pcap') return { ...m, packets };
  return {
    format: 'pcapng',
    sections: m.sections.map((s, i) => ({ ...s, packets: packets.filter(p => p.section === i) })),
  };
}


/**
 * Compares the baseline run's comments with the permuted run's, on every frame the permutation left
 * untouched (data connections, other traffic) where either run says role=data: the key/value pairs
 * must be identical, except frame-number values, which must be a translation of the baseline's.
 */
export function compareAfterPermutation(
  p: Permuted,
  baseline: readonly (Record<string, string> | null)[],
  permuted: readonly (Record<string, string> | null)[],
  limit = 6,
): string[] {
  const problems: string[] = [];
  for (let old = 1; old <= baseline.length && problems.length < limit; old++) {
    const now = p.mapped(old);
    if (now === null) continue;
    const a = baseline[old - 1] ?? null;
    const b = permuted[now - 1] ?? null;
    if (a?.role !== 'data' && b?.role !== 'data') continue;
    if (!a || !b) {
      problems.push(`frame ${old} -> ${now}: ${a ? 'comment lost' : 'comment appeared'} (${JSON.stringify(a ?? b)})`);
      continue;
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const va = a[k], vb = b[k];
      const numeric = va !== undefined && vb !== undefined && /^\d+$/.test(va) && /^\d+$/.test(vb);
      if (FRAME_KEY.test(k) && numeric) {
        const ok = p.translations(Number(va));
        if (!ok.has(Number(vb))) problems.push(`frame ${old} -> ${now}: ${k}=${vb}, want one of [${[...ok].join(', ')}] (baseline ${k}=${va})`);
      } else if (va !== vb) {
        problems.push(`frame ${old} -> ${now}: ${k}=${vb ?? '(missing)'}, baseline ${k}=${va ?? '(missing)'}`);
      }
    }
  }
  return problems;
}
