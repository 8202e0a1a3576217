import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, sessionsTable } from '../../../src/sidecar/sessions-command';

test('sessions table: columns line up, ages read well, pending counts per session', () => {
  const now = 2_000_000_000_000_000_000n;
  const table = sessionsTable([
    { id: 3, client: { ip: '10.0.0.2', port: 40000 }, server: { ip: '10.0.0.1', port: 21 }, user: 'alice', tls: false, detected: false, openedAtNs: now - 75_000_000_000n, dataConnections: 2 },
    { id: 1002, client: { ip: '2001:db8::2', port: 51000 }, server: { ip: '2001:db8::1', port: 2121 }, user: null, tls: true, detected: true, openedAtNs: now - 7_500_000_000_000n, dataConnections: 0 },
  ], [
    { id: 1, sessionId: 3, method: 'PASV', announced: { ip: '10.0.0.1', port: 50000 }, announcedAtNs: now, transfer: null },
    { id: 2, sessionId: 3, method: 'PASV', announced: { ip: '10.0.0.1', port: 50001 }, announcedAtNs: now, transfer: null },
  ], now);
  assert.equal(table, [
    'SESSION  CLIENT               SERVER              USER   TLS  AGE    DATA  PENDING',
    '      3  10.0.0.2:40000       10.0.0.1:21         alice  no   1m15s     2        2',
    '   1002  [2001:db8::2]:51000  [2001:db8::1]:2121  -      yes  2h05m     0        0',
    '2 sessions, 2 pending data connections',
    '',
  ].join('\n'));
});

test('sessions table: an empty sidecar, and ages at their boundaries', () => {
  assert.equal(sessionsTable([], [], 0n), 'SESSION  CLIENT  SERVER  USER  TLS  AGE  DATA  PENDING\n0 sessions, 0 pending data connections\n');
  const cases: [number, string][] = [[0, '0s'], [59.9, '59s'], [60, '1m00s'], [3599, '59m59s'], [3600, '1h00m'], [-5, '0s']];
  for (const [s, want] of cases) assert.equal(formatAge(s), want, String(s));
});
