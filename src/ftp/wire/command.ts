/**
 * A client command line: `VERB` or `VERB SP argument` (RFC 959 §4.1, §5.3).
 */

import { stripTelnetCommands } from './telnet';

export interface CommandLine {
  /** Upper-cased: RFC 959 commands are case-insensitive and some clients send `port …`. */
  verb: string;
  /** Everything after the one separating space, exactly as sent (inner and trailing spaces kept). */
  arg: string;
}

/** Standard verbs have 3 or 4 letters; extensions (XMKD, HOST, CLNT…) stay short too. */
const VERB = /^[A-Za-z]{3,8}(?= |$)/;
/** C0 controls except tab, and DEL: binary junk, never part of a command. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Parses one line (LF split off, trailing CR already removed); null when it is not a command. */
export function parseCommandLine(line: string): CommandLine | null {
  const text = stripTelnetCommands(line);
  if (CONTROL.test(text)) return null;
  const verb = VERB.exec(text);
  if (!verb) return null;
  const length = verb[0].length;
  return { verb: verb[0].toUpperCase(), arg: text.length > length ? text.slice(length + 1) : '' };
}
