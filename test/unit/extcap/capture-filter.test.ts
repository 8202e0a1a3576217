import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlPortsFilter, effectiveCaptureFilter } from '../../../src/extcap/capture-filter';

test('capture filter: control ports fold into ranges', () => {
  assert.equal(controlPortsFilter([21]), 'tcp port 21');
  assert.equal(controlPortsFilter([2121, 21, 2100, 2101, 2102]), 'tcp port 21 or tcp portrange 2100-2102 or tcp port 2121');
});

test('capture filter: no user filter captures everything (data ports are not known in advance)', () => {
  assert.equal(effectiveCaptureFilter(null, new Set([21])), '');
  assert.equal(effectiveCaptureFilter('  ', new Set([21])), '');
});

test('capture filter: the user filter is OR-ed with the control ports, control ports first (vlan shifts offsets)', () => {
  assert.equal(effectiveCaptureFilter('vlan and host 10.0.0.1', new Set([21, 2121])), '(tcp port 21 or tcp port 2121) or (vlan and host 10.0.0.1)');
});
