import type { Counters } from '../core/counters';
import type { AnnotateFileResult } from '../pipeline/annotate-file';

const MODES = ['passive', 'active'] as const;
const METHODS = ['PASV', 'EPSV', 'LPSV', 'PORT', 'EPRT', 'LPRT'] as const;

/** Counters that are volume, not oddities: the text summary leaves them out of its "counted" line. */
const VOLUME = /^(input\.frames|output\.frames|flow\.|ftp\.session\.opened|expect\.(created|used)|data\.|reassembly\.(peak|out_of_order)|decode\.(not_ip|not_tcp))/;

export interface Summary {
  input: string;
  output: string;
  format: string | null;
  frames: number;
  sessions: number;
  data_connections: { total: number; by_mode: Record<string, number>; by_method: Record<string, number> };
  counters: Record<string, number>;
  seconds: number;
  error: string | null;
}

export function buildSummary(input: string, output: string, r: AnnotateFileResult, seconds: number): Summary {
  const c: Counters = r.counters;
  const byMode: Record<string, number> = {};
  for (const m of MODES) if (c.get(`data.mode.${m}`)) byMode[m] = c.get(`data.mode.${m}`);
  const byMethod: Record<string, number> = {};
  for (const m of METHODS) if (c.get(`data.method.${m}`)) byMethod[m] = c.get(`data.method.${m}`);
  return {
    input, output, format: r.format, frames: r.frames,
    sessions: c.get('ftp.session.opened'),
    data_connections: { total: c.get('data.connections'), by_mode: byMode, by_method: byMethod },
    counters: c.snapshot(),
    seconds: Math.round(seconds * 1000) / 1000,
    error: r.readError,
  };
}

/** The human form, for stderr. */
export function formatSummary(s: Summary): string {
  const dc = s.data_connections;
  const modes = Object.entries(dc.by_mode).map(([k, v]) => `${k} ${v}`).join(', ');
  const methods = Object.entries(dc.by_method).map(([k, v]) => `${k} ${v}`).join(', ');
  const lines = [
    `ftpflow: ${s.frames} frames → ${s.output} in ${s.seconds} s`,
    `  sessions: ${s.sessions}; data connections: ${dc.total}${dc.total ? ` (${modes}; ${methods})` : ''}`,
  ];
  const odd = Object.entries(s.counters).filter(([k]) => !VOLUME.test(k) || k === 'data.nat' || k === 'data.third_party' || k === 'data.no_command');
  if (odd.length) lines.push(`  counted: ${odd.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return lines.join('\n');
}
