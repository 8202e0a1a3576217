import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fifo } from '../../../src/core/fifo';

test('Fifo behaves like an array used as a queue, across many compactions', () => {
  const fifo = new Fifo<number>();
  const model: number[] = [];
  let x = 12345;
  for (let step = 0; step < 50_000; step++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    if (x % 3 !== 0) {
      fifo.push(step);
      model.push(step);
    } else {
      assert.equal(fifo.shift(), model.shift());
    }
    assert.equal(fifo.size, model.length);
    assert.equal(fifo.peek(), model[0]);
  }
  while (model.length > 0) assert.equal(fifo.shift(), model.shift());
  assert.equal(fifo.shift(), undefined);
  assert.equal(fifo.peek(), undefined);
});
