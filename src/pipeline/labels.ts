import type { Counters } from '../core/counters';
import { formatControlComment, formatDataComment } from '../annotate/format';
import type { Connection, DataConnection } from '../ftp/connections';

/**
 * Which comment a frame carries.
 * - A data connection carries one fixed text on every packet: built when its first frame is written,
 *   after the delay line gave the transfer command time to arrive.
 * - A control connection's comment follows its session: `user=` from the USER command on, `tls=1`
 *   from AUTH TLS on (a new text only when those facts change).
 */
export function commentNow(conn: Connection): string {
  if (conn.kind === 'data') return (conn.text ??= formatDataComment(conn));
  const s = conn.session;
  if (s === null) return '';
  if (conn.text === undefined || conn.textId !== s.id || conn.textUser !== s.user || conn.textTls !== s.tls) {
    conn.text = formatControlComment(conn);
    conn.textId = s.id;
    conn.textUser = s.user;
    conn.textTls = s.tls;
  }
  return conn.text;
}

/** A data connection whose fixed comment no longer says what is known about it. */
export function changedLate(conn: Connection): boolean {
  return conn.kind === 'data' && conn.text !== undefined && conn.text !== formatDataComment(conn);
}

/** Final comment texts remembered between the two passes of an exact rewrite; past it, a connection keeps its first text. */
export const MAX_REMEMBERED_TEXTS = 1_000_000;

/**
 * The exact rewrite (annotate-file.ts): pass 1 notes, per data connection ordinal, the final text
 * wherever it differs from the text the connection had at its first packet; pass 2, which replays
 * the same deterministic engine, writes it on every packet. Memory: only the changed ones.
 */
export class FinalTexts {
  private readonly changed = new Map<number, string>();

  constructor(private readonly counters: Counters) {}

  /** Pass 1, every packet: fix the connection's first text. */
  noteFirst(conn: Connection): void {
    if (conn.kind === 'data') commentNow(conn);
  }

  /** Pass 1, when a connection's facts are final (time-out, close, end of input). */
  noteFinal(conn: Connection): void {
    if (conn.kind !== 'data' || !changedLate(conn)) return;
    if (this.changed.size >= MAX_REMEMBERED_TEXTS) {
      this.counters.inc('annotate.labels_cap');
      return;
    }
    this.changed.set(conn.ordinal, formatDataComment(conn as DataConnection));
  }

  /** Pass 2: the text this frame carries ('' = none). */
  textFor(conn: Connection): string {
    if (conn.kind === 'data') return (conn.text ??= this.changed.get(conn.ordinal) ?? formatDataComment(conn));
    return commentNow(conn);
  }
}
