/**
 * Scores an annotated capture against a truth file: the rules of /work/shared/tools/check-annotations,
 * re-implemented without tshark (packets and comments come from test/helpers/capture-file.ts),
 * plus ftpflow's extensions `expect` (per data connection) and `control_expect`.
 *
 * The rules, as check-annotations states them:
 *  - the annotated file holds as many packets as the truth's `totals.packets`;
 *  - every frame of every data connection carries an `ftpflow ` comment with role=data and the
 *    truth's mode, method, control (CLIENT:PORT->SERVER:PORT, IPv6 in brackets) and cmd (when the
 *    truth names a command); all of them carry one and the same session;
 *  - that session equals the one on the control packet at setup_reply_frame (else setup_frame);
 *  - one control connection never has data under two sessions, one session never spans two
 *    control connections;
 *  - no frame outside every data connection carries role=data.
 */
import * as fs from 'node:fs';
import { readCaptureFile } from './capture-file';
import type { TruthEndpoint, TruthFile } from './truth-types';

export interface ScoreResult {
  ok: boolean;
  problems: string[];
  /** Data connections whose every frame is right. */
  dataOk: number;
  dataTotal: number;
  /** Frames outside every data connection labelled role=data. */
  falsePositives: number;
  /** check-annotations' last line. */
  summary: string;
}

const PREFIX = 'ftpflow ';
// check-annotations: PAIR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')
const PAIR = /([\p{L}\p{N}_]+)=("(?:[^"\\]|\\.)*"|\S+)/gu;

/** The key/value pairs of the first `ftpflow ` comment among a packet's comments, or null. */
export function parseFtpflowComment(comments: readonly string[]): Record<string, string> | null {
  for (const raw of comments) {
    const one = raw.trim();
    if (!one.startsWith(PREFIX)) continue;
    const kv: Record<string, string> = {};
    for (const m of one.slice(PREFIX.length).matchAll(PAIR)) {
      let v = m[2]!;
      if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/gsu, '$1');
      kv[m[1]!] = v;
    }
    return kv;
  }
  return null;
}

export function endpointText(ep: TruthEndpoint): string {
  return ep.ip.includes(':') ? `[${ep.ip}]:${ep.port}` : `${ep.ip}:${ep.port}`;
}

export function scoreAnnotated(truthPath: string, annotatedPath: string): ScoreResult {
  const truth = JSON.parse(fs.readFileSync(truthPath, 'utf8')) as TruthFile;
  const read = readCaptureFile(annotatedPath);
  const result = scorePackets(truth, read.packets.map(p => p.comments));
  if (read.error) {
    result.problems.unshift(`annotated file damaged: ${read.error}`);
    result.ok = false;
  }
  return result;
}

/** The scoring itself, on each packet's comment list (index 0 = frame 1). */
export function scorePackets(truth: TruthFile, packetComments: readonly (readonly string[])[]): ScoreResult {
  const comments = new Map<number, Record<string, string>>();
  packetComments.forEach((list, i) => {
    const kv = parseFtpflowComment(list);
    if (kv) comments.set(i + 1, kv);
  });
  const count = packetComments.length;
  const name = truth.capture;
  const problems: string[] = [];
  const expected = truth.totals.packets;
  if (count !== expected) problems.push(`packet count ${count} != ${expected} in the original`);

  const dataFrames = new Set<number>();
  const sessionOfControl = new Map<string, Set<string | null>>();
  let ok = 0;
  const dcs = truth.data_connections;
  for (const dc of dcs) {
    for (const f of dc.frames) dataFrames.add(f);
    const want: Record<string, string> = {
      role: 'data', mode: dc.mode, method: dc.method,
      control: `${endpointText(dc.control.client)}->${endpointText(dc.control.server)}`,
    };
    if (dc.command) want.cmd = dc.command;
    const extra = dc.expect ?? {};
    const ctlFrame = dc.setup_reply_frame || dc.setup_frame || null;
    const ctlSession = ctlFrame ? comments.get(ctlFrame)?.session ?? null : null;
    const bad: string[] = [];
    const sessions = new Set<string | null>();
    for (const f of dc.frames) {
      const kv = comments.get(f);
      if (!kv) { bad.push(`frame ${f}: no ftpflow comment`); continue; }
      for (const [k, v] of Object.entries(want)) {
        if (kv[k] !== v) bad.push(`frame ${f}: ${k}=${show(kv[k])}, want ${show(v)}`);
      }
      for (const [k, v] of Object.entries(extra)) {
        if (kv[k] !== v) bad.push(`frame ${f}: ${k}=${show(kv[k])}, want ${show(v)} (expect)`);
      }
      sessions.add(kv.session ?? null);
    }
    if (sessions.size === 1) {
      const set = sessionOfControl.get(want.control!) ?? new Set<string | null>();
      for (const s of sessions) set.add(s);
      sessionOfControl.set(want.control!, set);
    }
    if (sessions.size > 1) {
      bad.push(`several sessions [${[...sessions].map(String).sort().join(', ')}]`);
    } else if (ctlSession !== null && sessions.size > 0 && !(sessions.size === 1 && sessions.has(ctlSession))) {
      bad.push(`session ${[...sessions][0]} != control packet's session ${ctlSession}`);
    } else if (ctlFrame && ctlSession === null) {
      bad.push(`control frame ${ctlFrame} has no session annotation`);
    }
    if (bad.length) {
      problems.push(`data connection ${dc.id} (${dc.mode} ${dc.method} ${dc.command ?? 'None'}): `
        + bad.slice(0, 3).join('; ') + (bad.length > 3 ? `; +${bad.length - 3} more` : ''));
    } else {
      ok++;
    }
  }

  const owners = new Map<string | null, Set<string>>();
  for (const [control, sess] of sessionOfControl) {
    if (sess.size > 1) problems.push(`control connection ${control} has data under several sessions [${[...sess].map(String).sort().join(', ')}]`);
    for (const sid of sess) {
      const set = owners.get(sid) ?? new Set<string>();
      set.add(control);
      owners.set(sid, set);
    }
  }
  for (const [sid, controls] of owners) {
    if (controls.size > 1) problems.push(`session ${sid} is shared by different control connections [${[...controls].sort().join(', ')}]`);
  }

  for (const ce of truth.control_expect ?? []) {
    const label = `${endpointText(ce.client)}->${endpointText(ce.server)}`;
    const carries = (f: number): boolean => {
      const kv = comments.get(f);
      return !!kv && Object.entries(ce.keys).every(([k, v]) => kv[k] === v);
    };
    const keys = Object.entries(ce.keys).map(([k, v]) => `${k}=${v}`).join(' ');
    if (ce.frames?.length) {
      const missing = ce.frames.filter(f => !carries(f));
      if (missing.length) problems.push(`control connection ${label}: frames ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' ...' : ''} lack ${keys} (control_expect)`);
    } else if (![...comments.keys()].some(carries)) {
      problems.push(`control connection ${label}: no frame carries ${keys} (control_expect)`);
    }
  }

  const falsePos = [...comments].filter(([f, kv]) => kv.role === 'data' && !dataFrames.has(f)).map(([f]) => f).sort((a, b) => a - b);
  if (falsePos.length) {
    problems.push(`${falsePos.length} packets outside every data connection labelled role=data, first [${falsePos.slice(0, 5).join(', ')}]`);
  }
  const status = problems.length === 0 ? 'ok' : 'FAIL';
  return {
    ok: problems.length === 0, problems, dataOk: ok, dataTotal: dcs.length, falsePositives: falsePos.length,
    summary: `${status} ${name}: ${ok}/${dcs.length} data connections correct, ${falsePos.length} false-positive packets`,
  };
}

function show(v: string | undefined): string {
  return v === undefined ? 'None' : `'${v}'`;
}
