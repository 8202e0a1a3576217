import type { SessionIdSource } from '../ftp/tracker';
import { ID_BLOCK_SIZE } from './id-allocator';
import type { IdBlock } from './messages';

/**
 * The extcap's session numbers when a sidecar is around: numbers come from blocks the sidecar gave
 * (unique among every capture while it runs). More are asked for when less than half a block is left.
 * With no block — no sidecar, or it died and the numbers ran out — numbering goes on after the highest
 * number shown, which is what a capture without a sidecar shows anyway (1, 2, 3 …).
 */
export class BlockIdSource implements SessionIdSource {
  private readonly blocks: { next: number; end: number }[] = [];
  private highest = 0;
  private asked = false;
  /** Sessions numbered outside any block. */
  fallbacks = 0;

  constructor(private readonly onLow: () => void = () => {}) {}

  /** Numbers left in the blocks. */
  get remaining(): number {
    let n = 0;
    for (const b of this.blocks) n += b.end - b.next;
    return n;
  }

  /** One past the highest number this capture has shown (a restarted sidecar continues from there). */
  get nextFreeId(): number {
    return this.highest + 1;
  }

  add(block: IdBlock): void {
    this.blocks.push({ next: block.first, end: block.first + block.count });
    this.asked = false;
  }

  /** Drops the blocks of a sidecar that is gone (a new one hands out its own). */
  forgetBlocks(): void {
    this.blocks.length = 0;
    this.asked = false;
  }

  /** A number the capture shows that came from elsewhere (a session the sidecar numbered). */
  noteShown(id: number): void {
    if (id > this.highest) this.highest = id;
  }

  next(): number {
    while (this.blocks.length > 0 && this.blocks[0]!.next >= this.blocks[0]!.end) this.blocks.shift();
    const block = this.blocks[0];
    let id: number;
    if (block) {
      id = block.next++;
    } else {
      id = this.highest + 1;
      this.fallbacks++;
    }
    this.noteShown(id);
    if (!this.asked && this.remaining < ID_BLOCK_SIZE / 2) {
      this.asked = true;
      this.onLow();
    }
    return id;
  }
}
