/**
 * `npm run bench:extcap`: how long Wireshark waits for each extcap discovery call. Wireshark runs
 * `--extcap-interfaces` and `--extcap-config` for every interface at every start, synchronously, so
 * they must stay fast (goal: ≤ 150 ms each). Each call runs the real launcher (`extcap/ftpflow`) N
 * times; the baseline is `node -e 0`, the part no extcap written for Node can avoid.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'extcap', 'ftpflow');
const RUNS = Number(process.env.FTPFLOW_BENCH_RUNS ?? 15);
const GOAL_MS = 150;

const calls: [name: string, cmd: string, args: string[]][] = [
  ['node -e 0 (baseline)', process.execPath, ['-e', '0']],
  ['--extcap-interfaces', LAUNCHER, ['--extcap-interfaces', '--extcap-version=4.0']],
  ['--extcap-config', LAUNCHER, ['--extcap-config', '--extcap-interface', 'ftpflow-lo']],
  ['--extcap-dlts', LAUNCHER, ['--extcap-dlts', '--extcap-interface', 'ftpflow-lo']],
  ['--extcap-capture-filter', LAUNCHER, ['--extcap-capture-filter', 'tcp port 21', '--extcap-interface', 'ftpflow-lo']],
];

function timeOnce(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, FTPFLOW_DIST: path.join(ROOT, 'dist') } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let failed = false;
console.log(`extcap discovery calls, ${RUNS} runs each (load average ${require('node:os').loadavg().map((l: number) => l.toFixed(2)).join(' ')})`);
console.log('call                        median ms   min ms   goal');
let baseline = 0;
for (const [name, cmd, args] of calls) {
  let times: number[];
  try {
    times = Array.from({ length: RUNS }, () => timeOnce(cmd, args));
  } catch (err) {
    console.log(`${name.padEnd(26)}  failed: ${String(err)}`);
    failed = true;
    continue;
  }
  const m = median(times);
  if (name.startsWith('node')) baseline = m;
  const goal = name.startsWith('node') ? '' : m <= GOAL_MS ? `≤ ${GOAL_MS} ms: met` : `≤ ${GOAL_MS} ms: NOT met`;
  console.log(`${name.padEnd(26)}  ${m.toFixed(0).padStart(9)}  ${Math.min(...times).toFixed(0).padStart(7)}   ${goal}${baseline && !name.startsWith('node') ? `  (node start is ${baseline.toFixed(0)} ms of it)` : ''}`);
}
process.exitCode = failed ? 1 : 0;
