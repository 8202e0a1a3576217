/**
 * The commands that move data over a data connection (RFC 959, RFC 1123, RFC 3659). MLST, SIZE, MDTM, REST
 * and the like answer on the control connection and are deliberately absent: a data connection is labelled
 * with its transfer command, not with whatever was sent in between.
 */

/** 'down': the data flows from server to client (files, listings); 'up': from client to server. */
export type TransferDirection = 'down' | 'up';

const DIRECTIONS: ReadonlyMap<string, TransferDirection> = new Map([
  ['RETR', 'down'],
  ['LIST', 'down'],
  ['NLST', 'down'],
  ['MLSD', 'down'],
  ['STOR', 'up'],
  ['STOU', 'up'],
  ['APPE', 'up'],
]);

export const TRANSFER_VERBS: ReadonlySet<string> = new Set(DIRECTIONS.keys());

/** The direction of a transfer verb (any case), or null for verbs that use no data connection. */
export function transferDirection(verb: string): TransferDirection | null {
  return DIRECTIONS.get(verb.toUpperCase()) ?? null;
}
