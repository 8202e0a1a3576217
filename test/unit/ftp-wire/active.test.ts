import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseEprtArg, parseLprtArg, parsePortArg, type HostPort } from '../../../src/ftp/wire';

type Row = [label: string, arg: string, expected: HostPort | null];

const at = (ip: string, port: number): HostPort => ({ ip, port });

function table(name: string, parse: (arg: string) => HostPort | null, rows: Row[]): void {
  describe(name, () => {
    for (const [label, arg, expected] of rows) {
      it(`${label}: ${JSON.stringify(arg)}`, () => {
        assert.deepEqual(parse(arg), expected);
      });
    }
  });
}

table('parsePortArg', parsePortArg, [
  ['curl 7.88 -P', '127,0,0,1,203,183', at('127.0.0.1', 52151)],
  ['vsftpd 2.3.5 session (suricata bug-4877.pcap)', '192,168,100,16,167,235', at('192.168.100.16', 42987)],
  ['zeek ipv4.pcap', '141,142,220,235,131,46', at('141.142.220.235', 33582)],
  ['zeek ftp-many-port-expected.pcap', '10,0,0,200,78,100', at('10.0.0.200', 20068)],
  ['spaces around the numbers', '10, 0, 0, 1, 4, 1', at('10.0.0.1', 1025)],
  ['spaces and tabs at both ends', ' \t10,0,0,1,4,1 \t', at('10.0.0.1', 1025)],
  ['leading zeros', '010,000,000,001,004,001', at('10.0.0.1', 1025)],
  ['every value 255', '255,255,255,255,255,255', at('255.255.255.255', 65535)],
  ['port 1, address 0.0.0.0 kept for the caller', '0,0,0,0,0,1', at('0.0.0.0', 1)],
  ['port 0', '1,2,3,4,0,0', null],
  ['address octet 256', '256,0,0,1,4,1', null],
  ['port byte 256 (rejected, not masked)', '10,0,0,1,256,1', null],
  ['low port byte 256', '10,0,0,1,4,256', null],
  ['five numbers', '10,0,0,1,4', null],
  ['seven numbers', '10,0,0,1,4,1,7', null],
  ['suricata ftp-port-memcap.pcap', '1234', null],
  ['suricata ftp-port-memcap.pcap', '1234123412341234123412341234123412341234123412341234123412341234', null],
  ['text after the numbers', '10,0,0,1,4,1 extra', null],
  ['negative number', '10,0,0,1,4,-1', null],
  ['empty field', '10,,0,1,4,1', null],
  ['dotted address', '10.0.0.1,4,1', null],
  ['in parentheses', '(10,0,0,1,4,1)', null],
  ['empty', '', null],
]);

table('parseEprtArg', parseEprtArg, [
  ['curl 7.88 -P', '|1|127.0.0.1|49669|', at('127.0.0.1', 49669)],
  ['curl 7.88 -P ::1', '|2|::1|57451|', at('::1', 57451)],
  ['lftp 4.9 on ::1 (unspecified address kept for the caller)', '|2|::|56211|', at('::', 56211)],
  ['zeek ipv6.pcap', '|2|2001:470:1f11:81f:c999:d94:aa7c:2e3e|49189|', at('2001:470:1f11:81f:c999:d94:aa7c:2e3e', 49189)],
  ['IPv6 made canonical (RFC 5952)', '|2|2001:DB8:0:0:0:0:0:1|2000|', at('2001:db8::1', 2000)],
  ['IPv4-mapped IPv6', '|2|::ffff:1.2.3.4|21|', at('::ffff:1.2.3.4', 21)],
  ['RFC 2428 example', '|1|132.235.1.2|6275|', at('132.235.1.2', 6275)],
  ['RFC 2428 example', '|2|1080::8:800:200C:417A|5282|', at('1080::8:800:200c:417a', 5282)],
  ['"!" delimiter', '!1!10.0.0.1!1025!', at('10.0.0.1', 1025)],
  ['"~" delimiter (ASCII 126) and port 65535', '~2~fe80::1~65535~', at('fe80::1', 65535)],
  ['"!" is ASCII 33', '!1!10.0.0.1!1!', at('10.0.0.1', 1)],
  ['spaces around the argument', ' |1|10.0.0.1|1025| ', at('10.0.0.1', 1025)],
  ['port 0', '|1|10.0.0.1|0|', null],
  ['port 65536', '|1|10.0.0.1|65536|', null],
  ['address family 3 with an IPv4 address', '|3|10.0.0.1|1025|', null],
  ['address family 3 with an IPv6 address', '|3|::1|1025|', null],
  ['address family 01', '|01|10.0.0.1|1025|', null],
  ['IPv4 address under af 2', '|2|10.0.0.1|1025|', null],
  ['IPv6 address under af 1', '|1|::1|1025|', null],
  ['Zeek parse_ftp.zeek baseline: bad octet', '|1|192.168.0.313|257|', null],
  ['three delimiters', '|1|10.0.0.1|1025', null],
  ['five delimiters', '|1|10.0.0.1|1025||', null],
  ['mixed delimiters', '|1|10.0.0.1!1025|', null],
  ['empty address', '|1||1025|', null],
  ['empty family', '||10.0.0.1|1025|', null],
  ['empty port', '|1|10.0.0.1||', null],
  ['port with sign', '|1|10.0.0.1|+80|', null],
  ['port with letters', '|1|10.0.0.1|80a|', null],
  ['digit delimiter', '5152.0.0.151025', null],
  ['space delimiter (ASCII 32)', ' 1 10.0.0.1 1025 x', null],
  ['control-character delimiter', '\x011\x0110.0.0.1\x011025\x01', null],
  ['non-ASCII delimiter', '\xe91\xe910.0.0.1\xe91025\xe9', null],
  ['IPv6 zone index', '|2|fe80::1%eth0|1025|', null],
  ['PORT-style argument', '10,0,0,1,4,1', null],
  ['empty', '', null],
]);

table('parseLprtArg', parseLprtArg, [
  ['IPv4', '4,4,127,0,0,1,2,195,80', at('127.0.0.1', 50000)],
  ['IPv6 loopback', '6,16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2,195,80', at('::1', 50000)],
  ['IPv6 documentation address', '6,16,32,1,13,184,0,0,0,0,0,0,0,0,0,0,0,1,2,0,21', at('2001:db8::1', 21)],
  ['IPv4-mapped IPv6', '6,16,0,0,0,0,0,0,0,0,0,0,255,255,10,0,0,1,2,4,1', at('::ffff:10.0.0.1', 1025)],
  ['spaces around the numbers', '4, 4, 10, 0, 0, 1, 2, 4, 1', at('10.0.0.1', 1025)],
  ['port 65535', '4,4,10,0,0,1,2,255,255', at('10.0.0.1', 65535)],
  ['port 0', '4,4,127,0,0,1,2,0,0', null],
  ['octet 256', '4,4,127,0,0,256,2,4,1', null],
  ['af 4 with 16 address bytes', '4,16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,2,195,80', null],
  ['af 6 with 4 address bytes', '6,4,10,0,0,1,2,4,1', null],
  ['af 5', '5,4,10,0,0,1,2,4,1', null],
  ['port length 3', '4,4,10,0,0,1,3,4,1,1', null],
  ['port length 1', '4,4,10,0,0,1,1,4', null],
  ['one number short', '4,4,10,0,0,1,2,4', null],
  ['one number too many', '4,4,10,0,0,1,2,4,1,9', null],
  ['a PORT argument', '10,0,0,1,4,1', null],
  ['empty', '', null],
]);
