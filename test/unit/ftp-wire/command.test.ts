import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseCommandLine, type CommandLine } from '../../../src/ftp/wire';

type Row = [label: string, line: string, expected: CommandLine | null];

const cmd = (verb: string, arg = ''): CommandLine => ({ verb, arg });

// Sources: "curl 7.88" / "lftp 4.9" = lines these clients sent to pyftpdlib 1.5.7 on loopback (recorded for this
// table); "zeek <file>" / "suricata <file>" = lines in the third-party captures under /work/shared/captures.
const accepted: Row[] = [
  ['curl 7.88', 'USER anonymous', cmd('USER', 'anonymous')],
  ['curl 7.88', 'PWD', cmd('PWD')],
  ['curl 7.88', 'EPSV', cmd('EPSV')],
  ['curl 7.88', 'PASV', cmd('PASV')],
  ['curl 7.88', 'TYPE I', cmd('TYPE', 'I')],
  ['curl 7.88', 'SIZE file.txt', cmd('SIZE', 'file.txt')],
  ['curl 7.88', 'RETR file.txt', cmd('RETR', 'file.txt')],
  ['curl 7.88 -T', 'STOR up.txt', cmd('STOR', 'up.txt')],
  ['curl 7.88 -P', 'PORT 127,0,0,1,203,183', cmd('PORT', '127,0,0,1,203,183')],
  ['curl 7.88 -P', 'EPRT |1|127.0.0.1|49669|', cmd('EPRT', '|1|127.0.0.1|49669|')],
  ['curl 7.88 -P ::1', 'EPRT |2|::1|57451|', cmd('EPRT', '|2|::1|57451|')],
  ['lftp 4.9 on ::1', 'EPRT |2|::|56211|', cmd('EPRT', '|2|::|56211|')],
  ['lftp 4.9', 'OPTS UTF8 ON', cmd('OPTS', 'UTF8 ON')],
  ['lftp 4.9', 'OPTS MLST type;perm;size;modify;unix.mode;unix.uid;unix.gid;', cmd('OPTS', 'MLST type;perm;size;modify;unix.mode;unix.uid;unix.gid;')],
  ['lftp 4.9', 'MLSD', cmd('MLSD')],
  ['lftp 4.9 ABOR after IAC IP IAC DM', '\xff\xf4\xff\xf2ABOR', cmd('ABOR')],
  ['zeek ipv6.pcap', 'EPRT |2|2001:470:1f11:81f:c999:d94:aa7c:2e3e|49189|', cmd('EPRT', '|2|2001:470:1f11:81f:c999:d94:aa7c:2e3e|49189|')],
  ['zeek ipv6-multiline-reply.pcap', 'CWD pub/FreeBSD/ports/local-distfiles/avl', cmd('CWD', 'pub/FreeBSD/ports/local-distfiles/avl')],
  ['zeek ipv6-multiline-reply.pcap', 'PASS root@sponge.es.net', cmd('PASS', 'root@sponge.es.net')],
  ['zeek globus-url-copy.pcap', 'AUTH GSSAPI', cmd('AUTH', 'GSSAPI')],
  ['suricata ruletype-firewall-118', 'STOU', cmd('STOU')],
  ['RFC 959 case-insensitive', 'port 10,0,0,1,4,1', cmd('PORT', '10,0,0,1,4,1')],
  ['mixed case', 'Retr file.txt', cmd('RETR', 'file.txt')],
  ['inner and trailing spaces kept', 'RETR My File.txt  ', cmd('RETR', 'My File.txt  ')],
  ['only the first space separates', 'RETR  leading-space', cmd('RETR', ' leading-space')],
  ['space and nothing', 'STOR ', cmd('STOR', '')],
  ['tab inside the argument', 'RETR a\tb', cmd('RETR', 'a\tb')],
  ['UTF-8 bytes in the argument (RFC 2640)', 'RETR caf\xc3\xa9.txt', cmd('RETR', 'caf\xc3\xa9.txt')],
  ['UTF-8 with a byte in 0x80..0x9f', 'RETR \xe2\x82\xac.txt', cmd('RETR', '\xe2\x82\xac.txt')],
  ['RFC 775 X-verb', 'XMKD newdir', cmd('XMKD', 'newdir')],
  ['8 letters is the limit', 'ABCDEFGH x', cmd('ABCDEFGH', 'x')],
  ['3 letters is the minimum', 'PWD', cmd('PWD')],
  ['Telnet WILL ECHO (3 bytes) before the verb', '\xff\xfb\x01PASV', cmd('PASV')],
  ['dangling IAC at the end', 'NOOP\xff', cmd('NOOP')],
  ['IAC IAC is an escaped 0xFF data byte', 'RETR a\xff\xffb', cmd('RETR', 'a\xffb')],
  ['IAC before an ordinary byte stays data', 'RETR a\xffb', cmd('RETR', 'a\xffb')],
];

const rejected: Row[] = [
  ['empty', '', null],
  ['only a space', ' ', null],
  ['leading space', ' PASV', null],
  ['a reply, not a command', '227 Entering Passive Mode (127,0,0,1,4,1)', null],
  ['starts with a digit', '1USER x', null],
  ['digit inside the verb', 'US3R x', null],
  ['two letters', 'AB', null],
  ['nine letters', 'ABCDEFGHI x', null],
  ['tab instead of the space', 'RETR\tfile', null],
  ['punctuation after the verb', 'PASV,', null],
  ['NUL in the argument', 'RETR a\x00b', null],
  ['bare CR inside', 'RETR a\rb', null],
  ['DEL', 'RETR a\x7f', null],
  ['TLS ClientHello bytes after AUTH TLS', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', null],
  ['only Telnet commands', '\xff\xf4\xff\xf2', null],
  ['IAC IAC before the verb', '\xff\xffRETR', null],
];

describe('parseCommandLine', () => {
  for (const [label, line, expected] of [...accepted, ...rejected]) {
    it(`${label}: ${JSON.stringify(line)}`, () => {
      assert.deepEqual(parseCommandLine(line), expected);
    });
  }
});
