import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { connKey, endpointKey } from '../../../src/decode';

describe('connKey', () => {
  const pairs: Array<[string, number, string, number]> = [
    ['10.0.0.1', 21, '10.0.0.2', 50000],
    ['192.168.0.10', 50123, '10.0.0.2', 21],
    ['2001:db8::1', 21, '2001:db8::2', 40021],
    ['::1', 21, '127.0.0.1', 21],
    ['127.0.0.1', 21, '127.0.0.1', 40000],   // same host: the port decides the order
    ['127.0.0.1', 40000, '127.0.0.1', 40000], // a connection to itself
  ];
  for (const [a, ap, b, bp] of pairs) {
    it(`is the same both ways: ${a} ${ap} / ${b} ${bp}`, () => {
      assert.equal(connKey(a, ap, b, bp), connKey(b, bp, a, ap));
    });
  }

  it('lists the lower endpoint first', () => {
    assert.equal(connKey('10.0.0.2', 50000, '10.0.0.1', 21), '10.0.0.1/21 10.0.0.2/50000');
    assert.equal(connKey('127.0.0.1', 40000, '127.0.0.1', 21), '127.0.0.1/21 127.0.0.1/40000');
  });

  it('tells apart connections that differ in one field, including ones that would collide under naive joining', () => {
    const keys = [
      connKey('10.0.0.1', 21, '10.0.0.2', 50000),
      connKey('10.0.0.1', 21, '10.0.0.2', 50001),
      connKey('10.0.0.1', 20, '10.0.0.2', 50000),
      connKey('10.0.0.1', 21, '10.0.0.3', 50000),
      // '::1' + ':21' would read like the address '::1:21'
      connKey('::1', 21, '::2', 5),
      connKey('::1:21', 0, '::2', 5),
      connKey('1.2.3.4', 11, '1.2.3.4', 1),
      connKey('1.2.3.4', 1, '1.2.3.4', 11),
    ];
    assert.equal(new Set(keys.slice(0, 6)).size, 6);
    assert.equal(keys[6], keys[7]); // the same pair, given in the other direction
  });
});

describe('endpointKey', () => {
  it('joins address and port with a character no address text contains', () => {
    assert.equal(endpointKey('10.0.0.1', 21), '10.0.0.1/21');
    assert.equal(endpointKey('2001:db8::1', 21), '2001:db8::1/21');
    assert.notEqual(endpointKey('::1', 21), endpointKey('::1:2', 1));
  });
});
