/**
 * The text of ftpflow.proto, kept here so the compiled program needs no file beside it (the .proto is the
 * published schema; test/unit/sidecar/codec.test.ts fails when the two differ). Regenerate by pasting the file.
 */
export const SCHEMA_PROTO = String.raw`
// The ftpflow sidecar protocol, version 1.
//
// Transport: a Unix socket (default /run/ftpflow/sidecar.sock), a Windows named pipe
// (\\.\pipe\ftpflow-sidecar), or TCP when asked (127.0.0.1 unless told otherwise).
// Framing: every frame is a base-128 varint length followed by one Envelope of that many bytes
// (protobuf's "length-delimited" form, as writeDelimitedTo / encodeDelimited produce). A frame is at
// most 1 MiB; a peer that sends a larger, malformed or unexpected frame is sent an Error and dropped.
//
// Conversation:
//   sidecar -> client   Hello (role SIDECAR)
//   client  -> sidecar  Hello (role EXTCAP or VIEWER, the same protocol_version)
//   sidecar -> client   Snapshot, in one or more parts; the part with last = true ends it
//   sidecar -> client   Update, Update, ... (EXTCAP only; a VIEWER is done after the snapshot)
//   client  -> sidecar  IdRequest whenever an EXTCAP runs low on session numbers
// Updates are sent in the order the sidecar saw the packets, and never overlap the snapshot:
// everything up to the snapshot is in it, everything after comes as updates.
//
// Passwords are never carried: the sidecar does not keep the argument of PASS (or of anything but
// USER and the transfer commands).
syntax = "proto3";

package ftpflow.sidecar.v1;

message Envelope {
  oneof body {
    Hello hello = 1;
    Snapshot snapshot = 2;
    Update update = 3;
    Error error = 4;
    IdRequest id_request = 5;
  }
}

enum Role {
  ROLE_UNSPECIFIED = 0;
  ROLE_SIDECAR = 1;
  // A capture (the extcap): takes the snapshot, follows updates, gets blocks of session numbers.
  ROLE_EXTCAP = 2;
  // A one-shot reader ("ftpflow sessions"): takes the snapshot and leaves.
  ROLE_VIEWER = 3;
}

message Hello {
  uint32 protocol_version = 1;
  // "ftpflow 0.1.0".
  string software = 2;
  Role role = 3;
  // Sidecar only: a random name for this run of the daemon (a restart changes it).
  string instance = 4;
  // Extcap only: one past the highest session number it has shown so far. A restarted sidecar
  // numbers new sessions from here, so a capture that outlives a sidecar keeps its numbers unique.
  uint32 next_free_id = 5;
}

message Endpoint {
  // Canonical text: dotted IPv4, or RFC 5952 IPv6.
  string ip = 1;
  uint32 port = 2;
}

message Session {
  // The session number every capture shows for this control connection.
  uint32 id = 1;
  Endpoint client = 2;
  Endpoint server = 3;
  // Argument of the last USER command; empty when none was seen.
  string user = 4;
  // The control channel went into TLS (AUTH TLS answered 234): commands are no longer visible.
  bool tls = 5;
  // Recognised by its greeting on a port that is not a control port (--detect-control).
  bool detected = 6;
  // Packet time of the session's first packet, ns since the Unix epoch.
  uint64 opened_at_ns = 7;
  // Data connections tied to the session so far.
  uint32 data_connections = 8;
}

enum Method {
  METHOD_UNSPECIFIED = 0;
  METHOD_PORT = 1;
  METHOD_EPRT = 2;
  METHOD_LPRT = 3;
  METHOD_PASV = 4;
  METHOD_EPSV = 5;
  METHOD_LPSV = 6;
}

message TransferCommand {
  // RETR, STOR, STOU, APPE, LIST, NLST or MLSD.
  string verb = 1;
  string arg = 2;
}

// An announced data connection no connection has used yet.
message Expectation {
  // The sidecar's number for this announcement (unique while the sidecar runs).
  uint32 id = 1;
  uint32 session_id = 2;
  Method method = 3;
  // Address and port the PORT/EPRT/LPRT command or the 227/228/229 reply named.
  Endpoint announced = 4;
  // Packet time of the announcement, ns since the Unix epoch (expectations expire 5 min later).
  uint64 announced_at_ns = 5;
  // The command that will use it, once sent (curl sends RETR only after connecting).
  TransferCommand transfer = 6;
}

message IdBlock {
  // Session numbers first .. first + count - 1 are the receiver's to give to sessions the sidecar
  // does not know.
  uint32 first = 1;
  uint32 count = 2;
}

message Snapshot {
  repeated Session sessions = 1;
  repeated Expectation expectations = 2;
  // Only in the last part, and only for an EXTCAP.
  IdBlock id_block = 3;
  // True in the last part: the snapshot is whole.
  bool last = 4;
}

message ExpectationAnnounced {
  // The session as it is now (its user may have become known since session_opened).
  Session session = 1;
  Expectation expectation = 2;
}

message TransferCommandSeen {
  uint32 session_id = 1;
  uint32 expectation_id = 2;
  TransferCommand transfer = 3;
}

message ExpectationUsed {
  uint32 session_id = 1;
  uint32 expectation_id = 2;
  // The data connection: who connected, and to whom.
  Endpoint connector = 3;
  Endpoint listener = 4;
}

enum Status {
  STATUS_UNSPECIFIED = 0;
  // The transfer command's final reply was 2xx.
  STATUS_COMPLETE = 1;
  // The final reply was 4xx/5xx (426 transfer aborted, 451, 550 ...).
  STATUS_ABORTED = 2;
  // No final reply was seen within the wait (TLS control channel, lost packets, a client that left).
  STATUS_UNKNOWN = 3;
}

// A data connection is over: it closed and its final reply came (or the wait for it timed out).
message TransferFinished {
  uint32 session_id = 1;
  uint32 expectation_id = 2;
  // Unset when no transfer command was seen.
  TransferCommand transfer = 3;
  // 0 when no final reply was seen.
  uint32 reply_code = 4;
  uint64 bytes_to_server = 5;
  uint64 bytes_to_client = 6;
  Status status = 7;
}

message SessionClosed {
  uint32 session_id = 1;
}

message Update {
  oneof event {
    Session session_opened = 1;
    ExpectationAnnounced expectation_announced = 2;
    TransferCommandSeen transfer_command = 3;
    ExpectationUsed expectation_used = 4;
    TransferFinished transfer_finished = 5;
    SessionClosed session_closed = 6;
    // More session numbers, the answer to an IdRequest.
    IdBlock id_block = 7;
  }
}

// Extcap -> sidecar: the block of session numbers is running low.
message IdRequest {
  uint32 count = 1;
}

enum ErrorCode {
  ERROR_UNSPECIFIED = 0;
  // protocol_version differs: nothing else will be understood.
  ERROR_VERSION = 1;
  // A frame that is not a valid Envelope, or a field out of range.
  ERROR_MALFORMED = 2;
  // A frame longer than the limit.
  ERROR_TOO_LARGE = 3;
  // A valid message at the wrong time (anything before Hello, a second Hello, a Snapshot from a client...).
  ERROR_UNEXPECTED = 4;
  ERROR_TOO_MANY_CLIENTS = 5;
  // The client read so slowly that its queue reached the cap.
  ERROR_TOO_SLOW = 6;
  // No Hello within the time limit.
  ERROR_HELLO_TIMEOUT = 7;
}

message Error {
  ErrorCode code = 1;
  string message = 2;
}
`;
