/**
 * A first-in first-out queue on an array and a head index: shift() is O(1) (no Array#shift copy), and
 * the consumed front is cut off once it is most of the array, so memory follows what is queued.
 */
import { emptyList } from './empty-list';

export class Fifo<T> {
  private readonly items: T[] = emptyList();
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, or undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as T; // let it go
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      // In place, so `items` is never reassigned: a first reassignment late in a run would deoptimise
      // the compiled code that read it as a constant (V8's field-constness tracking).
      this.items.copyWithin(0, this.head);
      this.items.length -= this.head;
      this.head = 0;
    }
    return item;
  }
}
