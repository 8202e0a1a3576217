import type { Endpoint, SetupMethod } from '../ftp/model';

/**
 * The sidecar protocol as TypeScript values (ftpflow.proto is the wire form; codec.ts converts).
 * This module loads nothing: the extcap may import its types without pulling in protobufjs.
 */

export const PROTOCOL_VERSION = 1;
/** Longest frame either side accepts (the varint length prefix not counted). */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Clients only ever send small messages (Hello, IdRequest): a sidecar reads at most this much per frame from them. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
/** Caps on strings a peer sends (longer is malformed): the same as the engine keeps. */
export const MAX_USER_CHARS = 128;
export const MAX_VERB_CHARS = 16;
export const MAX_ARG_CHARS = 4096;
export const MAX_TEXT_CHARS = 1024;
/** Most session numbers one IdBlock may hand out. */
export const MAX_ID_BLOCK = 1_000_000;

export type Role = 'sidecar' | 'extcap' | 'viewer';

export interface Hello {
  protocolVersion: number;
  software: string;
  role: Role;
  /** Sidecar: a random name for this run; '' from clients. */
  instance: string;
  /** Extcap: one past the highest session number it has shown; 0 = none. */
  nextFreeId: number;
}

export interface SessionInfo {
  id: number;
  client: Endpoint;
  server: Endpoint;
  user: string | null;
  tls: boolean;
  detected: boolean;
  openedAtNs: bigint;
  dataConnections: number;
}

export interface TransferInfo {
  verb: string;
  arg: string;
}

export interface ExpectationInfo {
  id: number;
  sessionId: number;
  method: SetupMethod;
  announced: Endpoint;
  announcedAtNs: bigint;
  transfer: TransferInfo | null;
}

export interface IdBlock {
  first: number;
  count: number;
}

export interface Snapshot {
  sessions: SessionInfo[];
  expectations: ExpectationInfo[];
  idBlock: IdBlock | null;
  last: boolean;
}

export type TransferStatus = 'complete' | 'aborted' | 'unknown';

export type Update =
  | { kind: 'session_opened'; session: SessionInfo }
  | { kind: 'expectation_announced'; session: SessionInfo; expectation: ExpectationInfo }
  | { kind: 'transfer_command'; sessionId: number; expectationId: number; transfer: TransferInfo }
  | { kind: 'expectation_used'; sessionId: number; expectationId: number; connector: Endpoint; listener: Endpoint }
  | {
      kind: 'transfer_finished'; sessionId: number; expectationId: number; transfer: TransferInfo | null;
      replyCode: number | null; bytesToServer: number; bytesToClient: number; status: TransferStatus;
    }
  | { kind: 'session_closed'; sessionId: number }
  | { kind: 'id_block'; block: IdBlock };

export type ErrorCode = 'version' | 'malformed' | 'too_large' | 'unexpected' | 'too_many_clients' | 'too_slow' | 'hello_timeout';

export type Message =
  | { kind: 'hello'; hello: Hello }
  | { kind: 'snapshot'; snapshot: Snapshot }
  | { kind: 'update'; update: Update }
  | { kind: 'error'; code: ErrorCode; message: string }
  | { kind: 'id_request'; count: number };

/** A frame that could not be turned into a Message, and why (one line). */
export interface BadMessage {
  kind: 'bad';
  why: string;
}
