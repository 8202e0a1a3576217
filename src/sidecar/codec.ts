/**
 * Messages to and from wire frames, through protobufjs and the schema in ftpflow.proto. This is the
 * only module that loads protobufjs: the extcap imports it lazily, only when a sidecar is wanted.
 *
 * Decoding never throws: a frame becomes a Message or a BadMessage. Every decoded envelope is checked
 * with protobufjs' `verify`, then every field against the protocol's own rules (ports, addresses,
 * string lengths, known enum values), so nothing out of range reaches the tracker.
 */
import * as protobuf from 'protobufjs';
import { canonicalIp } from '../core/ip';
import type { Endpoint, SetupMethod } from '../ftp/model';
import { encodeFrame } from './framing';
import {
  MAX_ARG_CHARS, MAX_ID_BLOCK, MAX_TEXT_CHARS, MAX_USER_CHARS, MAX_VERB_CHARS,
  type BadMessage, type ErrorCode, type ExpectationInfo, type Hello, type IdBlock, type Message, type Role,
  type SessionInfo, type Snapshot, type TransferInfo, type TransferStatus, type Update,
} from './messages';
import { SCHEMA_PROTO } from './schema';

const root = protobuf.parse(SCHEMA_PROTO, { keepCase: true }).root;
const Envelope = root.lookupType('ftpflow.sidecar.v1.Envelope');

/** The protobufjs root of the schema (tests use it to build hostile frames). */
export const schemaRoot: protobuf.Root = root;

const ROLE_NAMES: Record<Role, string> = { sidecar: 'ROLE_SIDECAR', extcap: 'ROLE_EXTCAP', viewer: 'ROLE_VIEWER' };
const METHODS: readonly SetupMethod[] = ['PORT', 'EPRT', 'LPRT', 'PASV', 'EPSV', 'LPSV'];
const STATUS_NAMES: Record<TransferStatus, string> = { complete: 'STATUS_COMPLETE', aborted: 'STATUS_ABORTED', unknown: 'STATUS_UNKNOWN' };
const ERROR_NAMES: Record<ErrorCode, string> = {
  version: 'ERROR_VERSION', malformed: 'ERROR_MALFORMED', too_large: 'ERROR_TOO_LARGE', unexpected: 'ERROR_UNEXPECTED',
  too_many_clients: 'ERROR_TOO_MANY_CLIENTS', too_slow: 'ERROR_TOO_SLOW', hello_timeout: 'ERROR_HELLO_TIMEOUT',
};

// Encoding ---------------------------------------------------------------------------------------

type Plain = Record<string, unknown>;

const endpointOut = (e: Endpoint): Plain => ({ ip: e.ip, port: e.port });
const transferOut = (t: TransferInfo): Plain => ({ verb: t.verb, arg: t.arg });

function sessionOut(s: SessionInfo): Plain {
  return {
    id: s.id, client: endpointOut(s.client), server: endpointOut(s.server), user: s.user ?? '', tls: s.tls,
    detected: s.detected, opened_at_ns: s.openedAtNs.toString(), data_connections: s.dataConnections,
  };
}

function expectationOut(e: ExpectationInfo): Plain {
  const o: Plain = {
    id: e.id, session_id: e.sessionId, method: `METHOD_${e.method}`, announced: endpointOut(e.announced),
    announced_at_ns: e.announcedAtNs.toString(),
  };
  if (e.transfer) o.transfer = transferOut(e.transfer);
  return o;
}

function updateOut(u: Update): Plain {
  switch (u.kind) {
    case 'session_opened': return { session_opened: sessionOut(u.session) };
    case 'expectation_announced':
      return { expectation_announced: { session: sessionOut(u.session), expectation: expectationOut(u.expectation) } };
    case 'transfer_command':
      return { transfer_command: { session_id: u.sessionId, expectation_id: u.expectationId, transfer: transferOut(u.transfer) } };
    case 'expectation_used':
      return { expectation_used: { session_id: u.sessionId, expectation_id: u.expectationId, connector: endpointOut(u.connector), listener: endpointOut(u.listener) } };
    case 'transfer_finished': {
      const o: Plain = {
        session_id: u.sessionId, expectation_id: u.expectationId, reply_code: u.replyCode ?? 0,
        bytes_to_server: String(u.bytesToServer), bytes_to_client: String(u.bytesToClient), status: STATUS_NAMES[u.status],
      };
      if (u.transfer) o.transfer = transferOut(u.transfer);
      return { transfer_finished: o };
    }
    case 'session_closed': return { session_closed: { session_id: u.sessionId } };
    case 'id_block': return { id_block: { first: u.block.first, count: u.block.count } };
  }
}

function envelopeOut(m: Message): Plain {
  switch (m.kind) {
    case 'hello':
      return { hello: { protocol_version: m.hello.protocolVersion, software: m.hello.software, role: ROLE_NAMES[m.hello.role], instance: m.hello.instance, next_free_id: m.hello.nextFreeId } };
    case 'snapshot': {
      const s: Plain = { sessions: m.snapshot.sessions.map(sessionOut), expectations: m.snapshot.expectations.map(expectationOut), last: m.snapshot.last };
      if (m.snapshot.idBlock) s.id_block = { first: m.snapshot.idBlock.first, count: m.snapshot.idBlock.count };
      return { snapshot: s };
    }
    case 'update': return { update: updateOut(m.update) };
    case 'error': return { error: { code: ERROR_NAMES[m.code], message: m.message.slice(0, MAX_TEXT_CHARS) } };
    case 'id_request': return { id_request: { count: m.count } };
  }
}

/** The protobuf bytes of one message (no length prefix). */
export function encodeMessage(m: Message): Uint8Array {
  return Envelope.encode(Envelope.fromObject(envelopeOut(m))).finish();
}

/** One whole frame: length prefix and message. */
export function encodeMessageFrame(m: Message): Buffer {
  return encodeFrame(encodeMessage(m));
}

// Decoding ---------------------------------------------------------------------------------------

/** Thrown only inside this module, to leave a deep check; decodeMessage turns it into a BadMessage. */
class Malformed extends Error {}

function fail(why: string): never {
  throw new Malformed(why);
}

function obj(v: unknown, what: string): Plain {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} is missing`);
  return v as Plain;
}

function optionalObj(v: unknown): Plain | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Plain) : null;
}

function uint(v: unknown, what: string, min = 0, max = 0xffffffff): number {
  const n = v === undefined ? 0 : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) fail(`${what} out of range`);
  return n;
}

function bool(v: unknown): boolean {
  return v === true;
}

function text(v: unknown, what: string, max: number): string {
  const s = v === undefined ? '' : v;
  if (typeof s !== 'string') fail(`${what} is not text`);
  if (s.length > max) fail(`${what} longer than ${max} characters`);
  return s;
}

/** uint64 fields arrive as decimal strings (toObject with longs: String). */
function u64(v: unknown, what: string): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== 'string' || !/^\d{1,20}$/.test(v)) fail(`${what} is not a number`);
  return BigInt(v);
}

function safeCount(v: unknown, what: string): number {
  const b = u64(v, what);
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} out of range`);
  return Number(b);
}

function endpointIn(v: unknown, what: string): Endpoint {
  const o = obj(v, what);
  const ip = canonicalIp(text(o.ip, `${what} address`, 64));
  if (ip === null) fail(`${what} address is not an IP address`);
  return { ip, port: uint(o.port, `${what} port`, 1, 65535) };
}

function transferIn(v: unknown): TransferInfo {
  const o = obj(v, 'transfer');
  const verb = text(o.verb, 'transfer verb', MAX_VERB_CHARS);
  if (!/^[A-Za-z]{3,16}$/.test(verb)) fail('transfer verb is not a command');
  return { verb: verb.toUpperCase(), arg: text(o.arg, 'transfer argument', MAX_ARG_CHARS) };
}

function sessionIn(v: unknown): SessionInfo {
  const o = obj(v, 'session');
  const user = text(o.user, 'user', MAX_USER_CHARS);
  return {
    id: uint(o.id, 'session id', 1), client: endpointIn(o.client, 'client'), server: endpointIn(o.server, 'server'),
    user: user === '' ? null : user, tls: bool(o.tls), detected: bool(o.detected),
    openedAtNs: u64(o.opened_at_ns, 'opened_at_ns'), dataConnections: uint(o.data_connections, 'data_connections'),
  };
}

function methodIn(v: unknown): SetupMethod {
  const name = typeof v === 'string' && v.startsWith('METHOD_') ? v.slice(7) : '';
  const m = METHODS.find((x) => x === name);
  if (!m) fail('unknown data-connection method');
  return m;
}

function expectationIn(v: unknown): ExpectationInfo {
  const o = obj(v, 'expectation');
  const t = optionalObj(o.transfer);
  return {
    id: uint(o.id, 'expectation id', 1), sessionId: uint(o.session_id, 'session id', 1), method: methodIn(o.method),
    announced: endpointIn(o.announced, 'announced'), announcedAtNs: u64(o.announced_at_ns, 'announced_at_ns'),
    transfer: t ? transferIn(t) : null,
  };
}

function idBlockIn(v: unknown): IdBlock {
  const o = obj(v, 'id block');
  const first = uint(o.first, 'id block start', 1);
  const count = uint(o.count, 'id block size', 1, MAX_ID_BLOCK);
  if (first + count - 1 > 0xffffffff) fail('id block runs past 2^32');
  return { first, count };
}

function roleIn(v: unknown): Role {
  const found = (Object.keys(ROLE_NAMES) as Role[]).find((r) => ROLE_NAMES[r] === v);
  if (!found) fail('unknown role');
  return found;
}

function statusIn(v: unknown): TransferStatus {
  const found = (Object.keys(STATUS_NAMES) as TransferStatus[]).find((s) => STATUS_NAMES[s] === v);
  if (!found) fail('unknown transfer status');
  return found;
}

function errorCodeIn(v: unknown): ErrorCode {
  const found = (Object.keys(ERROR_NAMES) as ErrorCode[]).find((c) => ERROR_NAMES[c] === v);
  return found ?? 'malformed';
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(`${what} is not a list`);
  return v;
}

function updateIn(u: Plain): Update {
  switch (u.event) {
    case 'session_opened': return { kind: 'session_opened', session: sessionIn(u.session_opened) };
    case 'expectation_announced': {
      const o = obj(u.expectation_announced, 'expectation_announced');
      const session = sessionIn(o.session);
      const expectation = expectationIn(o.expectation);
      if (expectation.sessionId !== session.id) fail('expectation belongs to another session');
      return { kind: 'expectation_announced', session, expectation };
    }
    case 'transfer_command': {
      const o = obj(u.transfer_command, 'transfer_command');
      return { kind: 'transfer_command', sessionId: uint(o.session_id, 'session id', 1), expectationId: uint(o.expectation_id, 'expectation id'), transfer: transferIn(o.transfer) };
    }
    case 'expectation_used': {
      const o = obj(u.expectation_used, 'expectation_used');
      return {
        kind: 'expectation_used', sessionId: uint(o.session_id, 'session id', 1), expectationId: uint(o.expectation_id, 'expectation id', 1),
        connector: endpointIn(o.connector, 'connector'), listener: endpointIn(o.listener, 'listener'),
      };
    }
    case 'transfer_finished': {
      const o = obj(u.transfer_finished, 'transfer_finished');
      const t = optionalObj(o.transfer);
      const code = uint(o.reply_code, 'reply code', 0, 999);
      return {
        kind: 'transfer_finished', sessionId: uint(o.session_id, 'session id', 1), expectationId: uint(o.expectation_id, 'expectation id'),
        transfer: t ? transferIn(t) : null, replyCode: code === 0 ? null : code,
        bytesToServer: safeCount(o.bytes_to_server, 'bytes_to_server'), bytesToClient: safeCount(o.bytes_to_client, 'bytes_to_client'),
        status: statusIn(o.status),
      };
    }
    case 'session_closed':
      return { kind: 'session_closed', sessionId: uint(obj(u.session_closed, 'session_closed').session_id, 'session id', 1) };
    case 'id_block': return { kind: 'id_block', block: idBlockIn(u.id_block) };
    default: return fail('update without an event');
  }
}

function snapshotIn(s: Plain): Snapshot {
  const block = optionalObj(s.id_block);
  return {
    sessions: list(s.sessions, 'sessions').map(sessionIn),
    expectations: list(s.expectations, 'expectations').map(expectationIn),
    idBlock: block ? idBlockIn(block) : null,
    last: bool(s.last),
  };
}

function envelopeIn(e: Plain): Message {
  switch (e.body) {
    case 'hello': {
      const h = obj(e.hello, 'hello');
      const hello: Hello = {
        protocolVersion: uint(h.protocol_version, 'protocol version'), software: text(h.software, 'software', MAX_TEXT_CHARS),
        role: roleIn(h.role), instance: text(h.instance, 'instance', 64), nextFreeId: uint(h.next_free_id, 'next free id'),
      };
      return { kind: 'hello', hello };
    }
    case 'snapshot': return { kind: 'snapshot', snapshot: snapshotIn(obj(e.snapshot, 'snapshot')) };
    case 'update': return { kind: 'update', update: updateIn(obj(e.update, 'update')) };
    case 'error': {
      const o = obj(e.error, 'error');
      return { kind: 'error', code: errorCodeIn(o.code), message: text(o.message, 'error message', MAX_TEXT_CHARS) };
    }
    case 'id_request':
      return { kind: 'id_request', count: uint(obj(e.id_request, 'id_request').count, 'id count', 0, MAX_ID_BLOCK) };
    default: return fail('envelope without a body');
  }
}

/** One frame's payload as a Message, or why it is not one. Never throws. */
export function decodeMessage(payload: Uint8Array): Message | BadMessage {
  let decoded: protobuf.Message;
  try {
    decoded = Envelope.decode(payload);
  } catch (err) {
    return { kind: 'bad', why: `not a protobuf Envelope: ${err instanceof Error ? err.message : String(err)}` };
  }
  const invalid = Envelope.verify(decoded);
  if (invalid !== null) return { kind: 'bad', why: `envelope does not verify: ${invalid}` };
  try {
    const plain = Envelope.toObject(decoded, { longs: String, enums: String, oneofs: true, defaults: false, arrays: false }) as Plain;
    return envelopeIn(plain);
  } catch (err) {
    if (err instanceof Malformed) return { kind: 'bad', why: err.message };
    return { kind: 'bad', why: `cannot read the envelope: ${err instanceof Error ? err.message : String(err)}` };
  }
}
