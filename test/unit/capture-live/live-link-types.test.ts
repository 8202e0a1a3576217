import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { dltFromLinkType, linkTypeFromCap } from '../../../src/capture/live-link-types';

describe('cap link-type names to LINKTYPE_* values', () => {
  const table: [string, number, number][] = [
    ['ETHERNET', 1, 1],
    ['NULL', 0, 0],
    ['RAW', 12, 101],                   // DLT_RAW differs from LINKTYPE_RAW
    ['LINKTYPE_LINUX_SLL', 113, 113],
    ['IEEE802_11_RADIO', 127, 127],
    ['Unknown linktype 276', 276, 276], // Linux SLL2: same number both ways
    ['Unknown linktype 12', 12, 101],   // a raw-IP device named by number still maps
    ['Unknown linktype 228', 228, 228], // LINKTYPE_IPV4
  ];
  for (const [name, dlt, want] of table) {
    it(`${name} (DLT ${dlt}) -> ${want}`, () => assert.equal(linkTypeFromCap(name, dlt), want));
  }
});

describe('LINKTYPE_* values to the DLT libpcap wants', () => {
  const table: [number, number][] = [[1, 1], [101, process.platform === 'openbsd' ? 14 : 12], [113, 113], [276, 276], [0, 0]];
  for (const [lt, dlt] of table) it(`${lt} -> ${dlt}`, () => assert.equal(dltFromLinkType(lt), dlt));
});
