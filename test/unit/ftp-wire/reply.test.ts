import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseReplyLine, type ReplyLine } from '../../../src/ftp/wire';

type Row = [label: string, line: string, expected: ReplyLine | null];

const reply = (code: number, more: boolean, text: string): ReplyLine => ({ code, more, text });

// Server names are taken from each capture's 220 greeting (files under /work/shared/captures and anchors).
const rows: Row[] = [
  ['vsftpd 3.0.3 (ndpi ftp.pcap)', '220 (vsFTPd 3.0.3)', reply(220, false, '(vsFTPd 3.0.3)')],
  ['vsftpd 3.0.3 (ndpi ftp.pcap)', '227 Entering Passive Mode (90,130,70,73,100,85).', reply(227, false, 'Entering Passive Mode (90,130,70,73,100,85).')],
  ['pyftpdlib 1.5.7', '229 Entering extended passive mode (|||58845|).', reply(229, false, 'Entering extended passive mode (|||58845|).')],
  ['NetBSD-ftpd (zeek ipv4.pcap) multi-line start, empty', '230-', reply(230, true, '')],
  ['NetBSD-ftpd (zeek ipv4.pcap) last line', '230 Guest login ok, access restrictions apply.', reply(230, false, 'Guest login ok, access restrictions apply.')],
  ['NetBSD-ftpd (zeek ipv4.pcap) banner text line', '    The NetBSD Project FTP Server located in Redwood City, CA, USA', null],
  ['JPIX (zeek ipv6-multiline-reply.pcap)', '220-     Welcome to FTP.JPIX.ad.jp,', reply(220, true, '     Welcome to FTP.JPIX.ad.jp,')],
  ['JPIX (zeek ipv6-multiline-reply.pcap)', '220- ', reply(220, true, ' ')],
  ['JPIX (zeek ipv6-multiline-reply.pcap)', '220 FTP server ready.', reply(220, false, 'FTP server ready.')],
  ['zeek ftp-missing-space-after-reply-code.pcap', '230_no_space', reply(230, false, '_no_space')],
  ['zeek ftp-invalid-reply-code.pcap (two digits)', '99 PASV invalid', null],
  ['no space before "("', '227(127,0,0,1,4,1)', reply(227, false, '(127,0,0,1,4,1)')],
  ['no space before text', '227Entering Passive Mode', reply(227, false, 'Entering Passive Mode')],
  ['bare code', '227', reply(227, false, '')],
  ['code and space', '227 ', reply(227, false, '')],
  ['lowest code', '100 x', reply(100, false, 'x')],
  ['highest code', '599 x', reply(599, false, 'x')],
  ['below 100', '099 x', null],
  ['600 and up', '600 x', null],
  ['RFC 2228 protected reply (zeek globus-url-copy.pcap)', '632-FwMBAFCMQDfFqB97Hjq', null],
  ['000', '000', null],
  ['four digits', '2270 Entering Passive Mode', null],
  ['two digits at end of line', '22', null],
  ['letter among the digits', '22a x', null],
  ['text before the code', 'x227 x', null],
  ['space before the code', ' 227 x', null],
  ['full-width digits', '\uff12\uff12\uff17 x', null],
  ['empty', '', null],
  ['Telnet WONT ECHO before the code', '\xff\xfc\x01220 ready', reply(220, false, 'ready')],
];

describe('parseReplyLine', () => {
  for (const [label, line, expected] of rows) {
    it(`${label}: ${JSON.stringify(line)}`, () => {
      assert.deepEqual(parseReplyLine(line), expected);
    });
  }
});
