/**
 * Recognising a control connection on a port that is not a control port (--detect-control), from
 * the first payload of a connection: a server greeting or an FTP-only client command.
 */

/** Client commands that, as a connection's first words, say "FTP" (SMTP and POP3 share none of them). */
const FTP_FIRST_COMMANDS = /^(USER|PASS|AUTH|FEAT|SYST|OPTS|PASV|EPSV|PORT|EPRT|TYPE|PWD|CWD|RETR|STOR|LIST|NLST|MLSD|SIZE) /i;
/** 220 greetings of mail servers: the same code, another protocol. */
const NOT_FTP_GREETING = /SMTP|Postfix|Exim|Sendmail|LMTP/i;
const MAX_INSPECT = 256;

/** 'reply' if the payload opens like an FTP server, 'command' like an FTP client, else null. */
export function looksLikeFtpStart(payload: Uint8Array): 'reply' | 'command' | null {
  if (payload.length < 4) return null;
  const head = Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.length, MAX_INSPECT)).toString('latin1');
  const eol = head.indexOf('\n');
  const line = eol < 0 ? head : head.slice(0, eol);
  if (/^220[ -]/.test(line)) return NOT_FTP_GREETING.test(line) ? null : 'reply';
  if (FTP_FIRST_COMMANDS.test(line)) return 'command';
  return null;
}
