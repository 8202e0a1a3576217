import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { unpackBatch } from '../../../src/capture/live-batch';
import { BATCH_RECORD_BYTES } from '../../../src/capture/live-binding';

/** A batch as binding.cc lays it out: [u64 tsNs][u32 offset][u32 caplen][u32 origLen][u32 0], host order. */
function batch(records: [bigint, number, number, number][]): Buffer {
  const meta = Buffer.alloc(records.length * BATCH_RECORD_BYTES);
  const u64 = new BigUint64Array(meta.buffer, meta.byteOffset, records.length * 3);
  const u32 = new Uint32Array(meta.buffer, meta.byteOffset, records.length * 6);
  records.forEach(([ts, off, cap, orig], i) => {
    u64[i * 3] = ts;
    u32[i * 6 + 2] = off;
    u32[i * 6 + 3] = cap;
    u32[i * 6 + 4] = orig;
  });
  return meta;
}

describe('unpackBatch', () => {
  const data = Buffer.from('aaaabbbbbbcc');
  it('cuts the data block into packets with their stamps and lengths', () => {
    const pkts = unpackBatch(data, batch([[1n, 0, 4, 4], [18_446_744_073_709_551_615n, 4, 6, 1514], [3n, 10, 2, 2]]), 3);
    assert.deepEqual(pkts.map((p) => [p.tsNs, Buffer.from(p.data).toString(), p.origLen]), [
      [1n, 'aaaa', 4], [18_446_744_073_709_551_615n, 'bbbbbb', 1514], [3n, 'cc', 2],
    ]);
  });
  it('skips records pointing outside the data, and never trusts count beyond the metadata', () => {
    const pkts = unpackBatch(data, batch([[1n, 10, 4, 4], [2n, 0, 4, 4]]), 5);
    assert.deepEqual(pkts.map((p) => p.tsNs), [2n]);
  });
  it('origLen is never below the captured length', () => {
    assert.equal(unpackBatch(data, batch([[1n, 0, 4, 0]]), 1)[0]?.origLen, 4);
  });
  it('a misaligned metadata view is copied, not misread', () => {
    const meta = batch([[7n, 0, 4, 4]]);
    const shifted = Buffer.alloc(meta.length + 1).subarray(1);
    meta.copy(shifted);
    assert.deepEqual(unpackBatch(data, shifted, 1).map((p) => p.tsNs), [7n]);
  });
});
