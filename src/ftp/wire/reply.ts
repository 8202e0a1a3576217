/**
 * One line of a server reply: `ddd SP text`, `ddd-text` (a multi-line reply continues), or a bare `ddd`
 * (RFC 959 §4.2). Lines of a multi-line reply that do not start with a code return null; the framer,
 * which knows the open reply, treats them as text.
 */

import { stripTelnetCommands } from './telnet';

export interface ReplyLine {
  code: number;
  /** True for `ddd-`: the first or a middle line of a multi-line reply. */
  more: boolean;
  text: string;
}

const CODE = /^[1-5][0-9][0-9]/;

/** Parses one reply line (LF split off, trailing CR removed); null when it does not start with a valid code. */
export function parseReplyLine(line: string): ReplyLine | null {
  const text = stripTelnetCommands(line);
  if (!CODE.test(text)) return null;
  const code = Number(text.slice(0, 3));
  const after = text.charAt(3);
  if (after === '') return { code, more: false, text: '' };
  if (after === ' ') return { code, more: false, text: text.slice(4) };
  if (after === '-') return { code, more: true, text: text.slice(4) };
  if (after >= '0' && after <= '9') return null; // four digits: not a reply code
  // Lenient like Zeek: `227(…` and `230_no_space` (Zeek's ftp-missing-space-after-reply-code.pcap) still carry a code.
  return { code, more: false, text: text.slice(3) };
}
