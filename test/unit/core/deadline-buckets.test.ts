import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeadlineBuckets, HANDED_OUT, type Filed } from '../../../src/core/deadline-buckets';
import { Prng } from '../../fixtures/gen/prng';

interface Item extends Filed { id: number }

/** How far past `now` a bound may be and still be handed out: the bucket width. */
const SLACK = 2 ** 27;

describe('DeadlineBuckets', () => {
  it('hands out every item whose bound has passed, only those (within a bucket), once', () => {
    for (const seed of [1, 2, 3]) {
      const rng = new Prng(seed);
      const buckets = new DeadlineBuckets<Item>();
      const bound = new Map<Item, number>(); // the model: what each filed item is filed under
      const items = Array.from({ length: 200 }, (_, id): Item => ({ id, dueIn: null }));
      let now = 1.7e18;
      const later = (): number => now + rng.int(-3_000, 60_000) * 1e6;
      for (let step = 0; step < 20_000; step++) {
        const item = rng.pick(items);
        const r = rng.next();
        if (r < 0.4) {
          const at = later();
          buckets.file(item, at);
          bound.set(item, at);
        } else if (r < 0.5) {
          const at = later();
          buckets.refile(item, at);
          if (bound.has(item)) bound.set(item, at);
        } else if (r < 0.6) {
          const at = later();
          buckets.fileEarlier(item, at);
          const was = bound.get(item);
          if (was !== undefined && at < was) bound.set(item, at);
        } else if (r < 0.7) {
          buckets.unfile(item);
          bound.delete(item);
        } else if (r < 0.75) {
          now += rng.int(0, 3_000) * 1e6;
          const due = buckets.takeDue(now);
          assert.equal(new Set(due).size, due.length, 'each item once');
          for (const it of due) {
            const at = bound.get(it);
            assert.ok(at !== undefined && at < now + SLACK, `item ${it.id} handed out too early`);
            assert.equal(it.dueIn, HANDED_OUT);
            bound.delete(it);
          }
          for (const [it, at] of bound) assert.ok(at >= now, `item ${it.id} (due at ${at}) not handed out at ${now}`);
        }
        assert.ok(buckets.bucketCount <= bound.size, `${buckets.bucketCount} buckets for ${bound.size} filed items`);
      }
    }
  });

  it('keeps no empty bucket: far deadlines moved earlier or dropped leave nothing behind', () => {
    const buckets = new DeadlineBuckets<Item>();
    const now = 1.7e18;
    const hour = 3600e9;
    // Connections filed an hour ahead, one bucket apart (a control connection's idle time-out), then each
    // moved to a near deadline (it closed) or unfiled (it ended): the far buckets must not stay.
    const items = Array.from({ length: 5000 }, (_, id): Item => ({ id, dueIn: null }));
    items.forEach((it, i) => buckets.file(it, now + hour + i * SLACK));
    assert.equal(buckets.bucketCount, 5000);
    items.forEach((it, i) => (i % 2 === 0 ? buckets.fileEarlier(it, now + 30e9) : buckets.unfile(it)));
    assert.equal(buckets.bucketCount, 1);
    // The moved ones are still handed out, once, and the far buckets' numbers are skipped when their time comes.
    assert.equal(buckets.takeDue(now + 31e9).length, 2500);
    assert.equal(buckets.bucketCount, 0);
    assert.deepEqual(buckets.takeDue(now + 2 * hour), []);
  });
});
