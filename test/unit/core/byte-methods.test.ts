import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyWithinBytes, indexOfByte, setBytes, viewOf } from '../../../src/core/byte-methods';

test('viewOf is subarray: same memory, same class (a Buffer stays a Buffer), clamped bounds', () => {
  const u = Uint8Array.from([0, 1, 2, 3, 4, 5]);
  const v = viewOf(u, 2, 5);
  assert.deepEqual([...v], [2, 3, 4]);
  v[0] = 9;
  assert.equal(u[2], 9, 'a view, not a copy');
  assert.equal(Object.getPrototypeOf(v), Uint8Array.prototype);
  const b = Buffer.from('hello world');
  const bv = viewOf(b, 6, 11);
  assert.ok(Buffer.isBuffer(bv));
  assert.equal(bv.toString(), 'world');
  assert.deepEqual([...viewOf(u, 4, 100)], [4, 5]);
  assert.equal(viewOf(u, 3, 3).length, 0);
});

test('copyWithinBytes copies overlapping ranges like copyWithin', () => {
  for (const [target, start, end] of [[0, 2, 6], [2, 0, 4], [1, 1, 3], [5, 0, 8]] as const) {
    const a = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const b = Uint8Array.from(a);
    copyWithinBytes(a, target, start, end);
    b.copyWithin(target, start, end);
    assert.deepEqual(a, b, `${target} ${start} ${end}`);
  }
});

test('indexOfByte finds a byte from a position, -1 when absent', () => {
  const line = Buffer.from('USER a\r\nPASS b\r\n');
  assert.equal(indexOfByte(line, 0x0a, 0), 7);
  assert.equal(indexOfByte(line, 0x0a, 8), 15);
  assert.equal(indexOfByte(line, 0x0a, 16), -1);
  assert.equal(indexOfByte(new Uint8Array(0), 0x0a, 0), -1);
});

test('setBytes copies all of the source at an offset, like set', () => {
  const target = new Uint8Array(10);
  setBytes(target, Uint8Array.from([7, 8, 9]), 6);
  assert.deepEqual([...target], [0, 0, 0, 0, 0, 0, 7, 8, 9, 0]);
  assert.throws(() => setBytes(target, new Uint8Array(5), 6), RangeError);
});
