/**
 * Telnet commands inside an FTP control line (RFC 959 §4.1.3, RFC 854).
 *
 * Clients interrupt a transfer with `IAC IP IAC DM ABOR` (lftp 4.9 sends exactly FF F4 FF F2 "ABOR"), and a
 * few peers negotiate options. Those bytes are not part of the line's text, so they are removed before the
 * verb is read. Lines are expected one char per byte (latin1 / 'binary' decoding), so IAC is '\xff'.
 */

const IAC = 0xff;
const FIRST_COMMAND = 0xf0; // SE; everything from SE to DONT is a Telnet command
const FIRST_NEGOTIATION = 0xfb; // WILL, WONT, DO, DONT carry one option byte after them

/** The line without Telnet commands; `IAC IAC` (an escaped 0xFF data byte) becomes one '\xff'. */
export function stripTelnetCommands(line: string): string {
  if (line.indexOf('\xff') < 0) return line;
  let out = '';
  let i = 0;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c !== IAC) {
      out += line[i];
      i++;
      continue;
    }
    const next = i + 1 < line.length ? line.charCodeAt(i + 1) : -1;
    if (next === IAC) {
      out += '\xff';
      i += 2;
    } else if (next >= FIRST_NEGOTIATION && next < IAC) {
      i += 3;
    } else if (next >= FIRST_COMMAND && next < FIRST_NEGOTIATION) {
      i += 2;
    } else if (next < 0) {
      i += 1; // a dangling IAC at the end of the line carries nothing
    } else {
      out += line[i]; // IAC before an ordinary byte is not a Telnet command: keep it as data
      i++;
    }
  }
  return out;
}
