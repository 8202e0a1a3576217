import { FatalError } from '../core/errors';
import { formatEndpoint } from '../core/ip';
import { defaultAddress, parseAddress } from './address';
import type { ExpectationInfo, SessionInfo } from './messages';
import { fetchSnapshot } from './viewer';

const FETCH_TIMEOUT_MS = 5000;

export interface SessionsCliOptions {
  sidecar?: string;
  json?: boolean;
}

/** `ftpflow sessions`: the sidecar's live sessions, a table on stdout (or JSON). Exit 1 if no sidecar answers. */
export async function runSessionsCommand(opts: SessionsCliOptions): Promise<number> {
  const address = opts.sidecar === undefined ? defaultAddress() : parseAddress(opts.sidecar);
  if (typeof address === 'string') throw new FatalError('E_ARGS', `--sidecar: ${address}`);
  const r = await fetchSnapshot(address, FETCH_TIMEOUT_MS);
  if (r.kind === 'failed') throw new FatalError('E_SIDECAR', r.why);
  const text = opts.json
    ? `${JSON.stringify({ software: r.hello.software, instance: r.hello.instance, sessions: r.sessions, expectations: r.expectations }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`
    : sessionsTable(r.sessions, r.expectations, BigInt(Date.now()) * 1_000_000n);
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  return 0;
}

/** Seconds as `45s`, `12m03s`, `3h07m`. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The table `ftpflow sessions` prints: one row per session, oldest first, columns padded to fit. */
export function sessionsTable(sessions: readonly SessionInfo[], expectations: readonly ExpectationInfo[], nowNs: bigint): string {
  const pending = new Map<number, number>();
  for (const e of expectations) pending.set(e.sessionId, (pending.get(e.sessionId) ?? 0) + 1);
  const header = ['SESSION', 'CLIENT', 'SERVER', 'USER', 'TLS', 'AGE', 'DATA', 'PENDING'];
  const rows = sessions.map((s) => [
    String(s.id),
    formatEndpoint(s.client.ip, s.client.port),
    formatEndpoint(s.server.ip, s.server.port),
    s.user === null ? '-' : JSON.stringify(s.user).slice(1, -1),
    s.tls ? 'yes' : 'no',
    s.openedAtNs > 0n ? formatAge(Number((nowNs - s.openedAtNs) / 1_000_000n) / 1000) : '-',
    String(s.dataConnections),
    String(pending.get(s.id) ?? 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i >= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  out.push(`${sessions.length} session${sessions.length === 1 ? '' : 's'}, ${expectations.length} pending data connection${expectations.length === 1 ? '' : 's'}`);
  return `${out.join('\n')}\n`;
}
