/**
 * The permutation fuzz checks itself, without ftpflow: a permuted capture must carry exactly the
 * original control-stream bytes (tshark's own reassembly, "follow tcp", is the judge), leave every
 * other frame byte-identical, translate the truth onto frames of the right connection, and the
 * comment comparison must notice each kind of change it exists to catch.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { readCapture } from '../helpers/capture-file';
import type { TruthFile } from '../helpers/truth-types';
import { ALL_CASES, caseNamed } from '../fixtures/gen/cases/index';
import { dissectTcp } from '../fixtures/gen/dissect';
import { seedFrom } from '../fixtures/gen/prng';
import { compareAfterPermutation, permuteCapture, type Permuted } from './permute';

function permuted(name: string, round = 0): { p: Permuted; original: Uint8Array; truth: TruthFile } {
  const g = caseNamed(name)!.build();
  const p = permuteCapture(g.capture, g.truth, { seed: seedFrom(name, round) });
  assert.equal(p.kind, 'ok');
  return { p: p as Permuted, original: g.capture, truth: g.truth };
}

describe('permuted captures keep every byte that matters', () => {
  for (const def of ALL_CASES) {
    it(def.name, () => {
      const { p, original, truth } = permuted(def.name);
      const before = readCapture(original).packets;
      const after = readCapture(p.capture);
      assert.equal(after.error, null);
      assert.equal(after.packets.length, p.truth.totals.packets);
      for (let f = 1; f <= before.length; f++) {
        const now = p.mapped(f);
        if (now === null) continue;
        assert.deepEqual(after.packets[now - 1]!.data, before[f - 1]!.data, `frame ${f} -> ${now} changed`);
      }
      truth.data_connections.forEach((dc, i) => {
        const t = p.truth.data_connections[i]!;
        assert.deepEqual(t.frames, dc.frames.map(f => p.mapped(f)), `${dc.id}: data frames`);
        const setup = t.setup_reply_frame ?? t.setup_frame;
        if (!setup) return;
        const v = dissectTcp(after.packets[setup - 1]!.linkType, after.packets[setup - 1]!.data);
        const ends = [`${v?.src}/${v?.sport}`, `${v?.dst}/${v?.dport}`].sort();
        const ctl = [`${dc.control.client.ip}/${dc.control.client.port}`, `${dc.control.server.ip}/${dc.control.server.port}`].sort();
        assert.deepEqual(ends, ctl, `${dc.id}: translated setup frame ${setup} is not on the control connection`);
      });
    });
  }
});

const haveTshark = spawnSync('tshark', ['-v']).status === 0;
/** Cases whose control streams are the hardest to keep intact. */
const STREAM_CASES = [
  'out-of-order-control-segments', 'overlapping-control-segments', 'capture-gap-then-pasv', 'retransmitted-227',
  'auth-tls-then-ccc', 'capture-starts-mid-session', 'two-sessions-same-hosts', 'pcapng-multi-section-existing-comments',
  'ipv6-extension-headers', 'link-null-ipv6', 'pcap-big-endian-nanosecond', 'random-flood-on-port-21',
];

/** Each direction of TCP stream `stream`, as tshark reassembles it. */
async function follow(file: string, stream: number): Promise<{ client: string; server: string }> {
  const { stdout } = await promisify(execFile)('tshark', ['-n', '-r', file, '-q', '-z', `follow,tcp,raw,${stream}`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  let client = '', server = '';
  for (const line of stdout.split('\n')) {
    if (!/^\t?[0-9a-f]+$/.test(line)) continue;
    if (line.startsWith('\t')) server += line.trim(); else client += line;
  }
  return { client, server };
}

describe('tshark reassembles the same control streams after permutation', { concurrency: 2, skip: haveTshark ? false : 'tshark not installed' }, () => {
  for (const name of STREAM_CASES) {
    it(name, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpflow-permself-'));
      try {
        for (const round of [0, 1]) {
          const { p, original, truth } = permuted(name, round);
          const ext = truth.capture.endsWith('.pcapng') ? 'pcapng' : 'pcap';
          const a = path.join(dir, `a.${ext}`), b = path.join(dir, `b.${ext}`);
          fs.writeFileSync(a, original);
          fs.writeFileSync(b, p.capture);
          for (const cs of truth.control_sessions ?? []) {
            const x = await follow(a, cs.tcp_stream!);
            const y = await follow(b, cs.tcp_stream!);
            assert.ok(x.client.length + x.server.length > 0, `${cs.id}: tshark followed nothing`);
            assert.equal(y.client, x.client, `${cs.id} client->server bytes differ (${p.describe})`);
            assert.equal(y.server, x.server, `${cs.id} server->client bytes differ (${p.describe})`);
          }
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('the comparison notices what it must', () => {
  // pasv-basic, round 0: the setup frame moves (37 -> something later).
  const { p, truth } = permuted('pasv-basic');
  const dc = truth.data_connections[0]!;
  const moved = p.truth.data_connections[0]!;
  const comment = (setup: number, cmd = 'RETR') => ({ role: 'data', session: '1', mode: 'passive', method: 'PASV', cmd, setup_frame: String(setup) });
  const baseline = (): (Record<string, string> | null)[] => {
    const out: (Record<string, string> | null)[] = new Array(truth.totals.packets).fill(null);
    for (const f of dc.frames) out[f - 1] = comment(dc.setup_frame!);
    return out;
  };
  const after = (edit?: (a: (Record<string, string> | null)[]) => void): (Record<string, string> | null)[] => {
    const out: (Record<string, string> | null)[] = new Array(p.truth.totals.packets).fill(null);
    for (const f of moved.frames) out[f - 1] = comment(moved.setup_frame!);
    edit?.(out);
    return out;
  };

  it('the setup frame really moved in this permutation', () => {
    assert.notEqual(moved.setup_frame, dc.setup_frame);
  });
  it('translated comments are accepted', () => {
    assert.deepEqual(compareAfterPermutation(p, baseline(), after()), []);
  });
  const rows: [string, (a: (Record<string, string> | null)[]) => void, RegExp][] = [
    ['untranslated setup_frame', a => { a[moved.frames[1]! - 1] = comment(dc.setup_frame!); }, /setup_frame=\d+, want one of/],
    ['another command', a => { a[moved.frames[2]! - 1] = comment(moved.setup_frame!, 'LIST'); }, /cmd=LIST, baseline cmd=RETR/],
    ['a key added', a => { a[moved.frames[0]! - 1] = { ...comment(moved.setup_frame!), fxp: '1' }; }, /fxp=1, baseline fxp=\(missing\)/],
    ['a comment lost', a => { a[moved.frames[3]! - 1] = null; }, /comment lost/],
    ['a false positive appeared', a => { a[p.mapped(1)! - 1] = comment(moved.setup_frame!); }, /frame 1 -> \d+: comment appeared/],
  ];
  for (const [label, edit, want] of rows) {
    it(`rejects: ${label}`, () => {
      const problems = compareAfterPermutation(p, baseline(), after(edit));
      assert.ok(problems.some(x => want.test(x)), problems.join('\n') || '(no problem reported)');
    });
  }
});
