/**
 * Seeded mutations of a capture for the crash fuzz. Some keep the file structure valid (flip bytes
 * inside frames, truncate frames, splice garbage into control payloads, insert garbage segments and
 * over-long lines): the annotator must then read and write every frame. Others damage the file
 * itself (cut it short, flip bytes of record headers): the annotator must still not crash, and must
 * write every frame before the damage.
 */
import { readCapture, type CapturedPacket, type CaptureModel } from '../helpers/capture-file';
import type { TruthEndpoint, TruthFile } from '../helpers/truth-types';
import { writeCapture } from '../fixtures/gen/capture-writer';
import { dissectTcp, rewriteTcp } from '../fixtures/gen/dissect';
import { Prng } from '../fixtures/gen/prng';

export type MutationKind =
  | 'flip-frame-bytes' | 'truncate-frames' | 'garbage-in-control' | 'garbage-segments' | 'long-line'
  | 'cut-file' | 'flip-file-bytes' | 'mixed';

export const MUTATION_KINDS: readonly MutationKind[] = [
  'flip-frame-bytes', 'truncate-frames', 'garbage-in-control', 'garbage-segments', 'long-line',
  'cut-file', 'flip-file-bytes', 'mixed',
];

export interface Mutant {
  kind: MutationKind;
  bytes: Uint8Array;
  /** What was done, for the failure message. */
  what: string;
  /**
   * What happened to the file itself: 'none' (every frame must be read and written, exit 0),
   * 'cut' (cut short: every complete frame before the cut must be written), 'flipped'
   * (a record or block header damaged: readers may reasonably disagree where the damage starts).
   */
  damage: 'none' | 'cut' | 'flipped';
}

/** Bytes that make garbage look like FTP: digits, commas, parentheses, CR/LF, reply codes. */
const FTPISH = ['227 ', '229 ', '228 ', '(', ')', ',', '|||', '\r\n', '\n', 'PORT ', 'EPRT |2|', 'PASV', '255', '0', '65535', '-', '\r'];

function garbage(rng: Prng, n: number): Uint8Array {
  const parts: number[] = [];
  while (parts.length < n) {
    if (rng.chance(0.5)) parts.push(...Buffer.from(rng.pick(FTPISH), 'latin1'));
    else parts.push(...rng.bytes(rng.int(1, 8)));
  }
  return new Uint8Array(parts.slice(0, n));
}

function controlKeys(truth: TruthFile): Set<string> {
  const out = new Set<string>();
  const add = (a: TruthEndpoint, b: TruthEndpoint) => {
    out.add(`${a.ip}/${a.port}>${b.ip}/${b.port}`);
    out.add(`${b.ip}/${b.port}>${a.ip}/${a.port}`);
  };
  for (const s of truth.control_sessions ?? []) add(s.client, s.server);
  for (const d of truth.data_connections) add(d.control.client, d.control.server);
  return out;
}

function withPackets(m: CaptureModel, packets: CapturedPacket[]): CaptureModel {
  if (m.format === 'pcap') return { ...m, packets };
  return { format: 'pcapng', sections: m.sections.map((s, i) => ({ ...s, packets: packets.filter(p => p.section === i) })) };
}

export function mutate(capture: Uint8Array, truth: TruthFile, kind: MutationKind, seed: number): Mutant {
  const rng = new Prng(seed);
  const read = readCapture(capture);
  if (!read.model || read.error) throw new Error(`unreadable input for mutation: ${read.error}`);
  const model = read.model;
  let packets: CapturedPacket[] = read.packets.map(p => ({ ...p, data: p.data.slice() }));
  const notes: string[] = [];
  const controls = controlKeys(truth);
  const isControl = (p: CapturedPacket) => {
    const v = dissectTcp(p.linkType, p.data);
    return v && controls.has(`${v.src}/${v.sport}>${v.dst}/${v.dport}`) ? v : null;
  };

  const flipFrames = () => {
    const n = rng.int(1, 6);
    for (let i = 0; i < n; i++) {
      const k = rng.int(0, packets.length - 1);
      const p = packets[k]!;
      if (p.data.length === 0) continue;
      const at = rng.int(0, p.data.length - 1);
      p.data[at] = p.data[at]! ^ (1 << rng.int(0, 7));
      notes.push(`frame ${k + 1} byte ${at} flipped`);
    }
  };
  const truncateFrames = () => {
    const n = rng.int(1, 5);
    for (let i = 0; i < n; i++) {
      const k = rng.int(0, packets.length - 1);
      const p = packets[k]!;
      const len = rng.int(0, Math.max(0, p.data.length - 1));
      packets[k] = { ...p, data: p.data.slice(0, len) };
      notes.push(`frame ${k + 1} cut to ${len} of ${p.data.length} bytes`);
    }
  };
  const garbageInControl = () => {
    const idx = packets.map((p, i) => (isControl(p) ? i : -1)).filter(i => i >= 0);
    for (let i = 0; i < rng.int(1, 4) && idx.length; i++) {
      const k = rng.pick(idx);
      const p = packets[k]!;
      const v = isControl(p)!;
      const at = rng.int(0, v.payload.length);
      const junk = garbage(rng, rng.int(1, 120));
      const payload = new Uint8Array([...v.payload.subarray(0, at), ...junk, ...v.payload.subarray(at)]);
      const data = rewriteTcp(p.linkType, p.data, v, { seq: v.seq, payload });
      packets[k] = { ...p, data, origLen: data.length };
      notes.push(`frame ${k + 1}: ${junk.length} garbage bytes spliced in at payload offset ${at}`);
    }
  };
  /** New segments on a control connection, right after one of its packets, at a plausible sequence number. */
  const insertSegments = (makePayloads: () => Uint8Array[], label: string) => {
    const idx = packets.map((p, i) => (isControl(p) ? i : -1)).filter(i => i >= 0);
    if (!idx.length) return;
    const k = rng.pick(idx);
    const p = packets[k]!;
    const v = isControl(p)!;
    let seq = (v.seq + v.payload.length + (rng.chance(0.3) ? rng.int(-50, 5000) : 0)) >>> 0;
    const added = makePayloads().map(payload => {
      const data = rewriteTcp(p.linkType, p.data, v, { seq, payload, flags: 0x18 });
      seq = (seq + payload.length) >>> 0;
      return { ...p, data, origLen: data.length, comments: [] };
    });
    packets = [...packets.slice(0, k + 1), ...added, ...packets.slice(k + 1)];
    notes.push(`${added.length} ${label} segment(s) inserted after frame ${k + 1}`);
  };
  const garbageSegments = () => insertSegments(() => Array.from({ length: rng.int(1, 4) }, () => garbage(rng, rng.int(1, 1400))), 'garbage');
  const longLine = () => insertSegments(() => Array.from({ length: rng.int(8, 60) }, () => {
    const b = new Uint8Array(1400).fill(0x41);
    b.set(Buffer.from('227 Entering Passive Mode (1,2,3,4,5,6) '), 0);
    return b;
  }), 'over-long line');

  let damage: Mutant['damage'] = 'none';
  let bytes: Uint8Array;
  switch (kind) {
    case 'flip-frame-bytes': flipFrames(); break;
    case 'truncate-frames': truncateFrames(); break;
    case 'garbage-in-control': garbageInControl(); break;
    case 'garbage-segments': garbageSegments(); break;
    case 'long-line': longLine(); break;
    case 'mixed': flipFrames(); truncateFrames(); garbageInControl(); garbageSegments(); break;
    default: break;
  }
  bytes = writeCapture(withPackets(model, packets));
  if (kind === 'cut-file' || (kind === 'mixed' && rng.chance(0.5))) {
    const at = rng.int(0, bytes.length - 1);
    bytes = bytes.slice(0, at);
    notes.push(`file cut at byte ${at} of ${capture.length}`);
    damage = 'cut';
  }
  if (kind === 'flip-file-bytes') {
    const targets = structureOffsets(bytes);
    const n = rng.int(1, 2);
    for (let i = 0; i < n && targets.length; i++) {
      const at = rng.pick(targets);
      bytes[at] = bytes[at]! ^ (1 << rng.int(0, 7));
      notes.push(`file byte ${at} flipped (record/block header)`);
    }
    damage = 'flipped';
  }
  return { kind, bytes, what: notes.join('; ') || 'no change', damage };
}

/**
 * Offsets of the bytes that hold the file together: the pcap file and record headers, or each
 * pcapng block's type and lengths (and an EPB's interface id and lengths). Flipping one of these
 * damages the container, not a frame.
 */
export function structureOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const range = (a: number, n: number) => { for (let i = a; i < a + n && i < bytes.length; i++) out.push(i); };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 24) { range(0, bytes.length); return out; }
  if (dv.getUint32(0, false) !== 0x0a0d0d0a) {
    const le = dv.getUint32(0, true) === 0xa1b2c3d4 || dv.getUint32(0, true) === 0xa1b23c4d;
    range(0, 24);
    for (let at = 24; at + 16 <= bytes.length;) {
      range(at, 16);
      at += 16 + dv.getUint32(at + 8, le);
    }
    return out;
  }
  let le = true;
  for (let at = 0; at + 12 <= bytes.length;) {
    if (dv.getUint32(at, false) === 0x0a0d0d0a) le = dv.getUint32(at + 8, true) === 0x1a2b3c4d;
    const type = dv.getUint32(at, le);
    const len = dv.getUint32(at + 4, le);
    if (len < 12 || at + len > bytes.length) break;
    range(at, 8);
    range(at + len - 4, 4);
    if (type === 6) range(at + 8, 20);
    if (type === 0x0a0d0d0a) range(at + 8, 8);
    at += len;
  }
  return out;
}
