import type { Counters } from '../core/counters';
import { formatComment } from '../annotate/format';
import type { Connection } from '../ftp/connections';

/** Final comment texts remembered between the two passes of an offline run; past it, a connection keeps its first text. */
export const MAX_REMEMBERED_TEXTS = 1_000_000;

/**
 * Offline, every packet of a connection must carry the same text, and that text must hold facts
 * learnt after the connection's first packet (curl opens the data connection before it sends RETR).
 * Pass 1 notes, per connection ordinal, the final text wherever it differs from the text the
 * connection had at its first packet; pass 2, which replays the same deterministic engine, uses it.
 * Memory: only connections whose text changed are remembered (bounded by MAX_REMEMBERED_TEXTS).
 */
export class FinalTexts {
  private readonly changed = new Map<number, string>();

  constructor(private readonly counters: Counters) {}

  /** Pass 1, every packet: fix the connection's first text. */
  noteFirst(conn: Connection): void {
    conn.text ??= formatComment(conn);
  }

  /** Pass 1, when a connection's facts are final (time-out, close, end of input). */
  noteFinal(conn: Connection): void {
    const final = formatComment(conn);
    if (final === (conn.text ?? '')) return;
    if (this.changed.size >= MAX_REMEMBERED_TEXTS) {
      this.counters.inc('annotate.labels_cap');
      return;
    }
    this.changed.set(conn.ordinal, final);
  }

  /** Pass 2: the text every packet of this connection carries ('' = none). */
  textFor(conn: Connection): string {
    return (conn.text ??= this.changed.get(conn.ordinal) ?? formatComment(conn));
  }
}
