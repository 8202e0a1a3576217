import { COUNTER_NAMES, type CounterName } from './counter-names';

/**
 * Named event counters. Every anomaly and every cap hit increments one; the summary prints them.
 * Backed by a plain object so that the per-packet increment is a property store.
 */
export class Counters {
  private readonly values: Record<string, number> = Object.create(null);

  inc(name: CounterName, n = 1): void {
    this.values[name] = (this.values[name] ?? 0) + n;
  }

  /** Set a gauge-like value (for example a table's high-water mark). */
  max(name: CounterName, value: number): void {
    const cur = this.values[name] ?? 0;
    if (value > cur) this.values[name] = value;
  }

  /** Set a value kept elsewhere (for example a writer's own line count). */
  set(name: CounterName, value: number): void {
    this.values[name] = value;
  }

  get(name: CounterName): number {
    return this.values[name] ?? 0;
  }

  /** Non-zero counters, in registry order. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of Object.keys(COUNTER_NAMES) as CounterName[]) {
      const v = this.values[name];
      if (v) out[name] = v;
    }
    return out;
  }
}
