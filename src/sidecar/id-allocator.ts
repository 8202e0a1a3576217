import type { SessionIdSource } from '../ftp/tracker';
import type { IdBlock } from './messages';

/** Session numbers handed to one extcap at a time; it asks for more when half are used. */
export const ID_BLOCK_SIZE = 1000;
const MAX_ID = 0xffffffff;

/**
 * The sidecar's session numbering: one counter for the sessions it tracks itself and for the blocks it
 * gives to extcaps (for sessions it does not know), so no two captures show the same number for two
 * different sessions while the sidecar runs. Numbers start at 1 and only grow; near 2^32 they start
 * again at 1 (years of sessions).
 */
export class IdAllocator implements SessionIdSource {
  private nextId = 1;

  next(): number {
    return this.reserve(1).first;
  }

  /** `count` consecutive numbers nobody else gets. */
  reserve(count: number): IdBlock {
    const n = Math.max(1, Math.min(count, ID_BLOCK_SIZE * 1000));
    if (this.nextId + n - 1 > MAX_ID) this.nextId = 1;
    const block = { first: this.nextId, count: n };
    this.nextId += n;
    return block;
  }

  /** A client has shown numbers below `next`: never hand them out again (a restarted sidecar learns it here). */
  raiseTo(next: number): void {
    if (next > this.nextId && next <= MAX_ID) this.nextId = next;
  }

  /** The number the next session would get. */
  get peek(): number {
    return this.nextId;
  }
}
