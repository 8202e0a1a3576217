import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseEpsvReply, parseLpsvReply, parsePasvReply, type HostPort } from '../../../src/ftp/wire';

const at = (ip: string, port: number): HostPort => ({ ip, port });

function table<T>(name: string, parse: (text: string) => T | null, rows: [string, string, T | null][]): void {
  describe(name, () => {
    for (const [label, text, expected] of rows) {
      it(`${label}: ${JSON.stringify(text)}`, () => {
        assert.deepEqual(parse(text), expected);
      });
    }
  });
}

// "wireshark scenario X" = anchors/loopback-scenarios (a scripted server; see anchors README).
table('parsePasvReply (227)', parsePasvReply, [
  ['vsftpd 3.0.3 (ndpi ftp.pcap)', '227 Entering Passive Mode (90,130,70,73,100,85).', at('90.130.70.73', 25685)],
  ['NetBSD-ftpd (zeek ipv4.pcap), no final "."', '227 Entering Passive Mode (199,233,217,249,221,90)', at('199.233.217.249', 56666)],
  ['pyftpdlib 1.5.7', '227 Entering passive mode (127,0,0,1,224,227).', at('127.0.0.1', 57571)],
  ['suricata ruletype-firewall-116', '227 Entering passive mode (172,23,0,2,82,11).', at('172.23.0.2', 21003)],
  ['wireshark scenario F, no parentheses', '227 Entering passive mode. 127,0,0,2,195,86', at('127.0.0.2', 50006)],
  ['"=" form (RFC 1123 4.1.2.6 allows any text)', '227 =127,0,0,1,4,1', at('127.0.0.1', 1025)],
  ['text after the numbers', '227 Passive 10,0,0,1,7,231 ok', at('10.0.0.1', 2023)],
  ['no space after the code', '227(127,0,0,1,4,1)', at('127.0.0.1', 1025)],
  ['spaces after the commas', '227 Entering Passive Mode (192, 168, 1, 2, 19, 137)', at('192.168.1.2', 5001)],
  ['multi-line, address on the last line (wireshark scenario H shape)', '227-Passive mode follows\n227 (127,0,0,2,195,81)', at('127.0.0.2', 50001)],
  ['multi-line, NetBSD-style prose with numbers first', '227-Ports: hp[300,700], acorn[26,32]\n227 Entering Passive Mode (10,0,0,1,4,1)', at('10.0.0.1', 1025)],
  ['a run of seven numbers before the address is prose', '227-Build 1,2,3,4,5,6,7\n227 Entering Passive Mode (10,0,0,1,4,1)', at('10.0.0.1', 1025)],
  ['multi-line, address on the first line', '227-Entering Passive Mode (10,0,0,1,4,1)\n227 OK', at('10.0.0.1', 1025)],
  ['NAT: private address kept (wireshark scenario J)', '227 Entering Passive Mode (10,9,9,9,195,89).', at('10.9.9.9', 50009)],
  ['NAT: 0.0.0.0 kept (wireshark scenario K)', '227 Entering Passive Mode (0,0,0,0,195,90).', at('0.0.0.0', 50010)],
  ['every value 255', '227 (255,255,255,255,255,255)', at('255.255.255.255', 65535)],
  ['port 1', '227 (1,2,3,4,0,1)', at('1.2.3.4', 1)],
  ['split reply, first segment (wireshark scenario G)', '227 Entering Passive Mode (127', null],
  ['no numbers', '227 Entering Passive Mode', null],
  ['five numbers', '227 Entering Passive Mode (10,0,0,1,4)', null],
  ['seven numbers', '227 Entering Passive Mode (1,2,3,4,5,6,7)', null],
  ['curl test 237: bad host', '227 Entering Passive Mode (1216,256,2,127,127,127)', null],
  ['port byte 256 (rejected, not masked)', '227 Entering Passive Mode (10,0,0,1,4,256)', null],
  ['port 0', '227 Entering Passive Mode (10,0,0,1,0,0)', null],
  ['numbers split over two lines', '227-Entering Passive Mode (10,0,0,1,\n227 4,1)', null],
  ['empty', '', null],
]);

table('parseEpsvReply (229)', parseEpsvReply, [
  ['vsftpd 3.0.x / NetBSD-ftpd', '229 Entering Extended Passive Mode (|||50004|)', { port: 50004 }],
  ['ProFTPD 1.3.0a (suricata ftp-epsv.pcap)', '229 Entering Extended Passive Mode (|||35656|)', { port: 35656 }],
  ['pyftpdlib 1.5.7', '229 Entering extended passive mode (|||58845|).', { port: 58845 }],
  ['pure-ftpd (published session transcript)', '229 Extended Passive mode OK (|||33693|)', { port: 33693 }],
  ['"!" delimiter', '229 EPSV ok (!!!8080!)', { port: 8080 }],
  ['"~" delimiter and port 65535', '229 (~~~65535~)', { port: 65535 }],
  ['port 1', '229 (|||1|)', { port: 1 }],
  ['multi-line', '229-Extended passive\n229 Entering Extended Passive Mode (|||60931|)', { port: 60931 }],
  ['an earlier parenthesis is skipped', '229 Entering Extended Passive Mode (EPSV) (|||50004|)', { port: 50004 }],
  ['port 0', '229 (|||0|)', null],
  ['port 65536', '229 (|||65536|)', null],
  ['port of 20 digits', '229 (|||99999999999999999999|)', null],
  ['port not a number', '229 (|||x|)', null],
  ['different delimiters', '229 (|!|2021|)', null],
  ['last delimiter differs', '229 (!!!2021|)', null],
  ['no closing parenthesis', '229 (|||2021|', null],
  ['three delimiters', '229 (||2021|)', null],
  ['an extra delimiter', '229 (||||2021|)', null],
  ['space delimiter', '229 (   2021 )', null],
  ['digit delimiter', '229 (111501111)', null],
  ['address fields filled in', '229 (|1|::1|2021|)', null],
  ['no parentheses', '229 Entering Extended Passive Mode |||2021|', null],
  ['no port at all', '229 Entering Extended Passive Mode', null],
  ['empty', '', null],
]);

// 2001:470:1f11:81f:c999:d94:aa7c:2e3e as bytes: 32,1 4,112 31,17 8,31 201,153 13,148 170,124 46,62.
const V6_BYTES = '32,1,4,112,31,17,8,31,201,153,13,148,170,124,46,62';

table('parseLpsvReply (228)', parseLpsvReply, [
  ['NetBSD/OpenBSD ftpd format, IPv4', '228 Entering Long Passive Mode (4,4,192,168,1,2,2,19,137)', at('192.168.1.2', 5001)],
  ['NetBSD/OpenBSD ftpd format, IPv6', `228 Entering Long Passive Mode (6,16,${V6_BYTES},2,192,37)`, at('2001:470:1f11:81f:c999:d94:aa7c:2e3e', 49189)],
  ['IPv6 loopback', '228 Entering Long Passive Mode (6,16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2,195,80)', at('::1', 50000)],
  ['spaces after the commas', '228 Entering Long Passive Mode (4, 4, 10, 0, 0, 1, 2, 4, 1)', at('10.0.0.1', 1025)],
  ['multi-line', '228-Long passive\n228 Entering Long Passive Mode (4,4,10,0,0,1,2,4,1)', at('10.0.0.1', 1025)],
  ['a run of ten numbers before the address is prose', '228-Build 1,2,3,4,5,6,7,8,9,10\n228 Entering Long Passive Mode (4,4,10,0,0,1,2,4,1)', at('10.0.0.1', 1025)],
  ['port 65535', '228 (4,4,10,0,0,1,2,255,255)', at('10.0.0.1', 65535)],
  ['port 0', '228 Entering Long Passive Mode (4,4,192,168,1,2,2,0,0)', null],
  ['octet 256', '228 Entering Long Passive Mode (4,4,192,168,1,256,2,19,137)', null],
  ['af 6 with 4 address bytes', '228 Entering Long Passive Mode (6,4,192,168,1,2,2,19,137)', null],
  ['port length 3', '228 Entering Long Passive Mode (4,4,192,168,1,2,3,19,137)', null],
  ['eight numbers', '228 Entering Long Passive Mode (4,4,192,168,1,2,2,19)', null],
  ['a 227 body', '227 Entering Passive Mode (192,168,1,2,19,137)', null],
  ['empty', '', null],
]);
