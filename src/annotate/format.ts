import { formatEndpoint } from '../core/ip';
import type { Connection, ControlConnection, DataConnection } from '../ftp/connections';
import type { SessionView } from '../ftp/model';

/**
 * The one place comment text is built. Grammar (a public interface, README "Comment grammar"):
 * one line, `ftpflow`, then `key=value` pairs separated by single spaces; a value is bare (no space,
 * no `"`) or double-quoted with `\"` and `\\` escapes. Readers ignore keys they do not know.
 */
export const COMMENT_PREFIX = 'ftpflow';

/** A value as the grammar wants it: bare when it can be, quoted otherwise. Control characters become '?'. */
export function formatValue(value: string): string {
  const clean = value.replace(/[\x00-\x1f\x7f]/g, '?');
  if (clean !== '' && !/[ "]/.test(clean)) return clean;
  return `"${clean.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function controlPair(s: SessionView): string {
  return `${formatEndpoint(s.client.ip, s.client.port)}->${formatEndpoint(s.server.ip, s.server.port)}`;
}

/** Comment of a data connection: the same text on every one of its packets. */
export function formatDataComment(c: DataConnection): string {
  const { setup, session } = c;
  const parts = [COMMENT_PREFIX, 'role=data', `session=${session.id}`, `mode=${setup.mode}`, `method=${setup.method}`];
  const t = setup.transfer;
  if (t) {
    parts.push(`cmd=${t.verb}`);
    if (t.arg !== '') parts.push(`arg=${formatValue(t.arg)}`);
    if (t.dir) parts.push(`dir=${t.dir}`);
  }
  parts.push(`control=${controlPair(session)}`);
  if (setup.setupFrame > 0) parts.push(`setup_frame=${setup.setupFrame}`);
  parts.push(`confidence=${c.confidence}`);
  if (c.thirdParty) parts.push('fxp=1');
  if (setup.source === 'sidecar') parts.push('source=sidecar');
  return parts.join(' ');
}

/** Comment of a control connection; empty while --detect-control has not decided it is FTP. */
export function formatControlComment(c: ControlConnection): string {
  const s = c.session;
  if (!s) return '';
  const parts = [COMMENT_PREFIX, 'role=control', `session=${s.id}`, `control=${controlPair(s)}`];
  if (s.user !== null && s.user !== '') parts.push(`user=${formatValue(s.user)}`);
  if (s.tls) parts.push('tls=1');
  if (s.detected) parts.push('detected=1');
  return parts.join(' ');
}

export function formatComment(c: Connection): string {
  return c.kind === 'data' ? formatDataComment(c) : formatControlComment(c);
}
