import type { TimestampNs } from './types';

/** Something DeadlineBuckets can file. */
export interface Filed {
  /** The bucket the item is filed in, HANDED_OUT, or null (never filed, or unfiled); only DeadlineBuckets writes it. */
  dueIn: Bucket | null;
}

/** Items filed under one bucket number (one stretch of packet time). */
export class Bucket {
  readonly items = new Set<Filed>();
  constructor(readonly n: number) {}
}

/** Where an item is once takeDue handed it out, until it is filed again or unfiled. */
export const HANDED_OUT = new Bucket(Infinity);

/** Bucket width: 2^27 ns, about 134 ms of packet time. */
const BUCKET_NS = 2 ** 27;

function isFiled(item: Filed): item is Filed & { dueIn: Bucket } {
  return item.dueIn !== null && item.dueIn !== HANDED_OUT;
}

/**
 * Items filed under a packet time before which nothing needs to look at them (a lower bound of their
 * deadline), in buckets of about a tenth of a second, so that a periodic sweep visits only the items
 * whose time may have come instead of every item (the way Zeek's timer manager works). The bound
 * may be lazy: an item handed out too early is simply checked and filed again. Buckets narrower
 * than the sweep interval keep those early visits few.
 *
 * Each item is in at most one bucket and knows which, so moving or removing one is O(1), and the
 * buckets hold exactly the filed items: nothing gone is kept alive, and no bucket is kept empty.
 */
export class DeadlineBuckets<T extends Filed> {
  private readonly buckets = new Map<number, Bucket>();
  /** The numbers of the buckets in `buckets`, for finding the earliest. */
  private readonly numbers = new MinHeap();
  /** Bucket numbers count from the first one used, so that they stay small integers (cheap Map keys). */
  private origin: number | null = null;

  /** Buckets that hold items (never more than the filed items). */
  get bucketCount(): number {
    return this.buckets.size;
  }

  /** Files `item` (moving it if already filed): takeDue hands it out at the latest once now > at. */
  file(item: T, at: TimestampNs): void {
    this.fileIn(item, this.bucketOf(at));
  }

  /** Moves a filed item to the bucket of `at`; an item not filed (handed out, or gone) stays so. */
  refile(item: T, at: TimestampNs): void {
    if (isFiled(item)) this.fileIn(item, this.bucketOf(at));
  }

  /** Like refile, but only if that is earlier (the item's deadline moved forward). */
  fileEarlier(item: T, at: TimestampNs): void {
    if (!isFiled(item)) return;
    const n = this.bucketOf(at);
    if (n < item.dueIn.n) this.fileIn(item, n);
  }

  /** The item is gone: it is handed out no more. */
  unfile(item: T): void {
    if (isFiled(item)) {
      const bucket = item.dueIn;
      bucket.items.delete(item);
      // An emptied bucket goes at once (its number stays in the heap until its time, and is skipped then):
      // kept, the buckets of far deadlines that moved (a control connection's hour of idle time, brought
      // forward when it closes) would pile up for as long as that deadline is away.
      if (bucket.items.size === 0) this.buckets.delete(bucket.n);
    }
    item.dueIn = null;
  }

  /**
   * Hands out (now HANDED_OUT) every item whose bound may have passed at `now`: all those filed
   * with at < now, and a few filed a little later (same bucket). No particular order.
   */
  takeDue(now: TimestampNs): T[] {
    const last = this.bucketOf(now);
    const due: T[] = [];
    while (this.numbers.size > 0 && this.numbers.min <= last) {
      const bucket = this.buckets.get(this.numbers.pop());
      if (bucket === undefined) continue; // emptied earlier, or a number pushed twice
      this.buckets.delete(bucket.n);
      for (const item of bucket.items as Set<T>) {
        item.dueIn = HANDED_OUT;
        due.push(item);
      }
    }
    return due;
  }

  private fileIn(item: T, n: number): void {
    if (item.dueIn?.n === n) return;
    this.unfile(item);
    let bucket = this.buckets.get(n);
    if (!bucket) {
      this.buckets.set(n, (bucket = new Bucket(n)));
      this.numbers.push(n);
    }
    bucket.items.add(item);
    item.dueIn = bucket;
  }

  private bucketOf(t: TimestampNs): number {
    const n = Math.floor(t / BUCKET_NS); // a division by a power of two: exact
    this.origin ??= n;
    return n - this.origin;
  }
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly a: number[] = [];

  get size(): number {
    return this.a.length;
  }

  /** The smallest number; only when size > 0. */
  get min(): number {
    return this.a[0]!;
  }

  push(x: number): void {
    const a = this.a;
    let i = a.length;
    a.push(x);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= x) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = x;
  }

  /** Removes and returns the smallest number; only when size > 0. */
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const c = l + 1 < a.length && a[l + 1]! < a[l]! ? l + 1 : l;
      if (a[c]! >= last) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}
