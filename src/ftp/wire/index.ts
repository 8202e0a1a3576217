/**
 * Pure parsers for FTP control-channel text: no state, no exceptions (bad input gives null).
 * Inputs are single lines with LF and the trailing CR removed, one char per byte, except the 227/228/229
 * parsers, which take the whole reply text with its lines joined by '\n'.
 */

export type { HostPort } from './types';
export { parseCommandLine, type CommandLine } from './command';
export { parseReplyLine, type ReplyLine } from './reply';
export { parsePortArg, parseEprtArg, parseLprtArg } from './active';
export { parsePasvReply, parseEpsvReply, parseLpsvReply } from './passive';
export { TRANSFER_VERBS, transferDirection, type TransferDirection } from './transfer';
