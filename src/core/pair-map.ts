/**
 * A hash map keyed by a pair of non-negative integers below 2^53 (IPv4 endpoints as address × 65536 +
 * port), for the connection index. A Map of Maps boxes each key above 2^31 as a heap number on every
 * lookup; this table keeps keys in Float64Arrays and allocates nothing per lookup. Open addressing,
 * linear probing, deletion by backward shift (no tombstones), load at most 1/2.
 */
export class PairMap<T> {
  private mask: number;
  private lo: Float64Array;
  private hi: Float64Array;
  private values: (T | undefined)[];
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.mask = cap - 1;
    this.lo = new Float64Array(cap);
    this.hi = new Float64Array(cap);
    this.values = new Array<T | undefined>(cap).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  get(lo: number, hi: number): T | undefined {
    const mask = this.mask;
    for (let i = slot(lo, hi, mask); ; i = (i + 1) & mask) {
      const v = this.values[i];
      if (v === undefined) return undefined;
      if (this.lo[i] === lo && this.hi[i] === hi) return v;
    }
  }

  /** Sets the value (never undefined) of a pair; true when the pair is new. */
  set(lo: number, hi: number, value: T): boolean {
    const mask = this.mask;
    let i = slot(lo, hi, mask);
    for (; this.values[i] !== undefined; i = (i + 1) & mask) {
      if (this.lo[i] === lo && this.hi[i] === hi) {
        this.values[i] = value;
        return false;
      }
    }
    this.lo[i] = lo;
    this.hi[i] = hi;
    this.values[i] = value;
    this.count++;
    if (this.count * 2 > this.mask + 1) this.resize((this.mask + 1) * 2);
    return true;
  }

  /** Removes a pair; true when it was there. */
  delete(lo: number, hi: number): boolean {
    const mask = this.mask;
    let i = slot(lo, hi, mask);
    for (; ; i = (i + 1) & mask) {
      if (this.values[i] === undefined) return false;
      if (this.lo[i] === lo && this.hi[i] === hi) break;
    }
    // Backward shift: move later entries of the probe run into the hole when their home slot allows it.
    let hole = i;
    for (let j = (i + 1) & mask; this.values[j] !== undefined; j = (j + 1) & mask) {
      const home = slot(this.lo[j]!, this.hi[j]!, mask);
      // j may fill the hole unless its home lies cyclically in (hole, j].
      const homeAfterHole = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (homeAfterHole) continue;
      this.lo[hole] = this.lo[j]!;
      this.hi[hole] = this.hi[j]!;
      this.values[hole] = this.values[j];
      hole = j;
    }
    this.values[hole] = undefined;
    this.count--;
    return true;
  }

  private resize(capacity: number): void {
    const { lo, hi, values } = this;
    this.mask = capacity - 1;
    this.lo = new Float64Array(capacity);
    this.hi = new Float64Array(capacity);
    this.values = new Array<T | undefined>(capacity).fill(undefined);
    this.count = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== undefined) this.set(lo[i]!, hi[i]!, v);
    }
  }
}

/** Mixes both halves of both numbers (each < 2^53) into a slot index. */
function slot(lo: number, hi: number, mask: number): number {
  let h = Math.imul((lo >>> 0) ^ ((lo / 4294967296) | 0), 0x9e3779b1);
  h = Math.imul(h ^ (hi >>> 0) ^ Math.imul((hi / 4294967296) | 0, 0x85ebca6b), 0xc2b2ae35);
  return (h ^ (h >>> 15)) & mask;
}
