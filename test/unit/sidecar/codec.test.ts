import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { decodeMessage, encodeMessage, encodeMessageFrame, schemaRoot } from '../../../src/sidecar/codec';
import { FrameReader } from '../../../src/sidecar/framing';
import type { Message, SessionInfo } from '../../../src/sidecar/messages';
import { SCHEMA_PROTO } from '../../../src/sidecar/schema';
import { repoPath } from '../../helpers/paths';

const session: SessionInfo = {
  id: 7, client: { ip: '2001:db8::2', port: 40000 }, server: { ip: '192.0.2.1', port: 21 }, user: 'alice ü',
  tls: true, detected: false, openedAtNs: 1_763_725_000_123_456_789n, dataConnections: 3,
};

const MESSAGES: Message[] = [
  { kind: 'hello', hello: { protocolVersion: 1, software: 'ftpflow 0.1.0', role: 'sidecar', instance: 'abcd', nextFreeId: 0 } },
  { kind: 'hello', hello: { protocolVersion: 1, software: 'x', role: 'extcap', instance: '', nextFreeId: 4242 } },
  { kind: 'hello', hello: { protocolVersion: 1, software: 'x', role: 'viewer', instance: '', nextFreeId: 0 } },
  {
    kind: 'snapshot',
    snapshot: {
      sessions: [session, { ...session, id: 8, user: null, tls: false }],
      expectations: [
        { id: 1, sessionId: 7, method: 'EPSV', announced: { ip: '192.0.2.1', port: 50000 }, announcedAtNs: 1n, transfer: null },
        { id: 2, sessionId: 8, method: 'PORT', announced: { ip: '0.0.0.0', port: 20 }, announcedAtNs: 18_000_000_000_000_000_000n, transfer: { verb: 'STOR', arg: 'a "quoted" name.txt' } },
      ],
      idBlock: { first: 1001, count: 1000 },
      last: true,
    },
  },
  { kind: 'snapshot', snapshot: { sessions: [], expectations: [], idBlock: null, last: false } },
  { kind: 'update', update: { kind: 'session_opened', session } },
  {
    kind: 'update',
    update: { kind: 'expectation_announced', session, expectation: { id: 9, sessionId: 7, method: 'LPSV', announced: { ip: '192.0.2.1', port: 1 }, announcedAtNs: 5n, transfer: null } },
  },
  { kind: 'update', update: { kind: 'transfer_command', sessionId: 7, expectationId: 9, transfer: { verb: 'RETR', arg: '' } } },
  { kind: 'update', update: { kind: 'expectation_used', sessionId: 7, expectationId: 9, connector: { ip: '192.0.2.9', port: 60000 }, listener: { ip: '192.0.2.1', port: 65535 } } },
  {
    kind: 'update',
    update: { kind: 'transfer_finished', sessionId: 7, expectationId: 9, transfer: { verb: 'RETR', arg: 'f' }, replyCode: 226, bytesToServer: 0, bytesToClient: 2 ** 40, status: 'complete' },
  },
  { kind: 'update', update: { kind: 'transfer_finished', sessionId: 7, expectationId: 0, transfer: null, replyCode: null, bytesToServer: 1, bytesToClient: 2, status: 'unknown' } },
  { kind: 'update', update: { kind: 'session_closed', sessionId: 7 } },
  { kind: 'update', update: { kind: 'id_block', block: { first: 2001, count: 1000 } } },
  { kind: 'error', code: 'version', message: 'protocol version 2 is not 1' },
  { kind: 'error', code: 'too_slow', message: '' },
  { kind: 'id_request', count: 1000 },
];

test('schema: the embedded text is ftpflow.proto, byte for byte', () => {
  const file = fs.readFileSync(repoPath('src', 'sidecar', 'ftpflow.proto'), 'utf8');
  assert.equal(SCHEMA_PROTO.slice(1), file, 'regenerate src/sidecar/schema.ts from ftpflow.proto');
  assert.ok(schemaRoot.lookupType('ftpflow.sidecar.v1.Envelope'));
});

test('codec: every message kind survives encode → frame → decode unchanged, and verifies', () => {
  const Envelope = schemaRoot.lookupType('ftpflow.sidecar.v1.Envelope');
  for (const m of MESSAGES) {
    const wire = encodeMessage(m);
    assert.equal(Envelope.verify(Envelope.decode(wire)), null, m.kind);
    const ev = new FrameReader(1 << 20).push(encodeMessageFrame(m));
    assert.equal(ev.length, 1);
    assert.ok(ev[0]!.kind === 'frame');
    assert.deepEqual(decodeMessage(ev[0]!.payload), m, JSON.stringify(m, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
});

/** An envelope written straight with protobufjs, bypassing our encoder's types: what a hostile peer sends. */
function raw(obj: Record<string, unknown>): Uint8Array {
  const Envelope = schemaRoot.lookupType('ftpflow.sidecar.v1.Envelope');
  return Envelope.encode(Envelope.fromObject(obj)).finish();
}

const goodSession = { id: 1, client: { ip: '10.0.0.2', port: 40000 }, server: { ip: '10.0.0.1', port: 21 } };

test('codec: malformed frames are values with a reason, never exceptions', () => {
  const helloBytes = encodeMessage(MESSAGES[0]!);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty envelope', new Uint8Array(0), /without a body/],
    ['truncated hello', helloBytes.subarray(0, helloBytes.length - 3), /not a protobuf Envelope/],
    ['garbage bytes', Buffer.from('GET / HTTP/1.1\r\n\r\n'), /not a protobuf Envelope|does not verify|without a body/],
    ['wire type mismatch', Buffer.from([0x0a, 0x05, 0x08]), /not a protobuf Envelope/],
    ['hello without role', raw({ hello: { protocol_version: 1 } }), /unknown role/],
    ['unknown enum value', raw({ hello: { protocol_version: 1, role: 99 } }), /unknown role/],
    ['port 0', raw({ update: { session_opened: { ...goodSession, client: { ip: '10.0.0.2', port: 0 } } } }), /client port out of range/],
    ['port over 65535', raw({ update: { session_opened: { ...goodSession, server: { ip: '10.0.0.1', port: 70000 } } } }), /server port out of range/],
    ['not an address', raw({ update: { session_opened: { ...goodSession, client: { ip: '10.0.0.256', port: 1 } } } }), /not an IP address/],
    ['missing endpoint', raw({ update: { session_opened: { id: 1, client: { ip: '10.0.0.2', port: 1 } } } }), /server is missing/],
    ['session id 0', raw({ update: { session_opened: { ...goodSession, id: 0 } } }), /session id out of range/],
    ['user too long', raw({ update: { session_opened: { ...goodSession, user: 'u'.repeat(129) } } }), /user longer than 128/],
    ['update without event', raw({ update: {} }), /update without an event/],
    ['unknown method', raw({ snapshot: { expectations: [{ id: 1, session_id: 1, announced: { ip: '10.0.0.1', port: 5 } }] } }), /unknown data-connection method/],
    ['verb not a command', raw({ update: { transfer_command: { session_id: 1, transfer: { verb: 'RETR /etc', arg: '' } } } }), /verb/],
    ['expectation of another session', raw({ update: { expectation_announced: { session: goodSession, expectation: { id: 1, session_id: 2, method: 'METHOD_PASV', announced: { ip: '10.0.0.1', port: 5 } } } } }), /another session/],
    ['id block of size 0', raw({ update: { id_block: { first: 1, count: 0 } } }), /id block size/],
    ['id block past 2^32', raw({ update: { id_block: { first: 4294967000, count: 1000 } } }), /past 2\^32/],
  ];
  for (const [name, bytes, why] of cases) {
    const r = decodeMessage(bytes);
    assert.equal(r.kind, 'bad', name);
    assert.match((r as { why: string }).why, why, name);
  }
});

test('codec: random garbage never throws', () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.alloc(1 + (i % 64));
    for (let j = 0; j < b.length; j++) b[j] = rnd();
    const r = decodeMessage(b);
    assert.ok(typeof r.kind === 'string');
  }
});
