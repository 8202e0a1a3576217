import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  decodeFrame, LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_RAW, LINKTYPE_RAW_12, LINKTYPE_RAW_14,
} from '../../../src/decode';
import * as F from './frames';
import { fromHex } from './hex-dump';
import { bad, other, summarize, V4_USER_TCP, V6_USER_TCP, type Summary } from './summary';

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
const IP4 = F.V4_USER.subarray(14);
const IP6 = F.V6_USER.subarray(14);

describe('decodeFrame: every link type reaches the same TCP segment', () => {
  const cases: Array<[string, number, Uint8Array, Summary]> = [
    ['Ethernet / IPv4', LINKTYPE_ETHERNET, F.V4_USER, V4_USER_TCP],
    ['Ethernet / IPv6', LINKTYPE_ETHERNET, F.V6_USER, V6_USER_TCP],
    ['802.1Q', LINKTYPE_ETHERNET, F.VLAN_V4_USER, V4_USER_TCP],
    ['802.1ad + 802.1Q', LINKTYPE_ETHERNET, F.QINQ_V6_USER, V6_USER_TCP],
    ['0x9100 + 802.1ad + 802.1Q', LINKTYPE_ETHERNET, F.QINQ3_V4_USER, V4_USER_TCP],
    ['Linux SLL', LINKTYPE_LINUX_SLL, F.SLL_V4_USER, V4_USER_TCP],
    ['Linux SLL2', LINKTYPE_LINUX_SLL2, F.SLL2_V6_USER, V6_USER_TCP],
    ['NULL, AF_INET big-endian', LINKTYPE_NULL, F.NULL_BE_V4_USER, V4_USER_TCP],
    ['NULL, AF_INET6 30 little-endian (Darwin)', LINKTYPE_NULL, F.NULL_LE_V6_USER, V6_USER_TCP],
    ['NULL, AF_INET6 28 big-endian (FreeBSD)', LINKTYPE_NULL, F.NULL_BE_V6_USER, V6_USER_TCP],
    ['NULL, AF_INET6 24 little-endian (NetBSD)', LINKTYPE_NULL, concat(fromHex('18000000'), IP6), V6_USER_TCP],
    ['LOOP, AF_INET', LINKTYPE_LOOP, F.LOOP_V4_USER, V4_USER_TCP],
    ['LOOP, AF_INET6 24', LINKTYPE_LOOP, F.LOOP_V6_USER, V6_USER_TCP],
    ['raw (101), version 4', LINKTYPE_RAW, F.RAW_V4_USER, V4_USER_TCP],
    ['raw (101), version 6', LINKTYPE_RAW, F.RAW_V6_USER, V6_USER_TCP],
    ['raw IPv4 (228)', LINKTYPE_IPV4, F.RAW_V4_USER, V4_USER_TCP],
    ['raw IPv6 (229)', LINKTYPE_IPV6, F.RAW_V6_USER, V6_USER_TCP],
    ['DLT_RAW 12', LINKTYPE_RAW_12, F.RAW_V4_USER, V4_USER_TCP],
    ['DLT_RAW 14', LINKTYPE_RAW_14, F.RAW_V6_USER, V6_USER_TCP],
  ];
  for (const [name, linkType, frame, want] of cases) {
    it(name, () => assert.deepEqual(summarize(decodeFrame(linkType, frame)), want));
  }

  it('real BSD NULL capture, AF_INET little-endian (SYST on 127.0.0.1)', () => {
    assert.deepEqual(summarize(decodeFrame(LINKTYPE_NULL, F.NULL_LE_SYST)), {
      kind: 'tcp', ipVersion: 4, src: '127.0.0.1', dst: '127.0.0.1', srcPort: 62014, dstPort: 21,
      seq: 268435477, ack: 536871110, flags: 0x10, payload: 'SYST\r\n', missingBytes: 0,
    });
  });

  it('the payload is a view into the frame, not a copy', () => {
    const d = decodeFrame(LINKTYPE_ETHERNET, F.V4_USER);
    assert.equal(d.kind, 'tcp');
    if (d.kind !== 'tcp') return;
    assert.equal(d.payload.buffer, F.V4_USER.buffer);
    assert.equal(d.payload.byteOffset, F.V4_USER.byteOffset + 66);
  });
});

describe('decodeFrame: frames that carry no IP', () => {
  const vlanTags = (n: number) => concat(F.V4_USER.subarray(0, 12),
    ...Array.from({ length: n }, () => fromHex('8100 0064')), fromHex('0800'), IP4);
  const cases: Array<[string, number, Uint8Array, Summary]> = [
    ['ARP', LINKTYPE_ETHERNET, F.ETH_ARP, other('decode.not_ip')],
    ['802.3 length field (STP BPDU)', LINKTYPE_ETHERNET, F.ETH_8023_STP, other('decode.not_ip')],
    ['ARP inside a VLAN tag', LINKTYPE_ETHERNET,
      concat(F.ETH_ARP.subarray(0, 12), fromHex('8100 0064'), F.ETH_ARP.subarray(12)), other('decode.not_ip')],
    ['eight VLAN tags still decode', LINKTYPE_ETHERNET, vlanTags(8), V4_USER_TCP],
    ['nine VLAN tags are given up on', LINKTYPE_ETHERNET, vlanTags(9), other('decode.not_ip')],
    ['SLL, ARP protocol', LINKTYPE_LINUX_SLL, concat(F.SLL_V4_USER.subarray(0, 14), fromHex('0806'), IP4),
      other('decode.not_ip')],
    ['SLL2, protocol 0x0004 (802.2 LLC)', LINKTYPE_LINUX_SLL2, concat(fromHex('0004'), F.SLL2_V6_USER.subarray(2)),
      other('decode.not_ip')],
    ['NULL, AF_INET6 as Linux numbers it (10): not a BSD value', LINKTYPE_NULL, concat(fromHex('0a000000'), IP6),
      other('decode.not_ip')],
    ['NULL, unknown family 7', LINKTYPE_NULL, concat(fromHex('07000000'), IP4), other('decode.not_ip')],
    ['LOOP is network order only: 02 00 00 00 is not AF_INET', LINKTYPE_LOOP, concat(fromHex('02000000'), IP4),
      other('decode.not_ip')],
    ['IEEE 802.11 (105) is not decoded', 105, F.V4_USER, other('decode.other_link')],
    ['USB (189) is not decoded', 189, F.V4_USER, other('decode.other_link')],
    ['negative link type', -1, F.V4_USER, other('decode.other_link')],
  ];
  for (const [name, linkType, frame, want] of cases) {
    it(name, () => assert.deepEqual(summarize(decodeFrame(linkType, frame)), want));
  }
});

describe('decodeFrame: link headers cut short or contradicting the IP header', () => {
  const cases: Array<[string, number, Uint8Array, Summary]> = [
    ['empty Ethernet frame', LINKTYPE_ETHERNET, new Uint8Array(0), bad('decode.bad_link')],
    ['Ethernet, 13 bytes', LINKTYPE_ETHERNET, F.V4_USER.subarray(0, 13), bad('decode.bad_link')],
    ['Ethernet, header only', LINKTYPE_ETHERNET, F.V4_USER.subarray(0, 14), bad('decode.bad_ip')],
    ['cut inside the second VLAN tag', LINKTYPE_ETHERNET, F.QINQ_V6_USER.subarray(0, 19), bad('decode.bad_link')],
    ['cut before the inner EtherType', LINKTYPE_ETHERNET, F.VLAN_V4_USER.subarray(0, 17), bad('decode.bad_link')],
    ['SLL, 15 bytes', LINKTYPE_LINUX_SLL, F.SLL_V4_USER.subarray(0, 15), bad('decode.bad_link')],
    ['SLL2, 19 bytes', LINKTYPE_LINUX_SLL2, F.SLL2_V6_USER.subarray(0, 19), bad('decode.bad_link')],
    ['NULL, 3 bytes', LINKTYPE_NULL, F.NULL_LE_SYST.subarray(0, 3), bad('decode.bad_link')],
    ['LOOP, 3 bytes', LINKTYPE_LOOP, F.LOOP_V4_USER.subarray(0, 3), bad('decode.bad_link')],
    ['raw, empty', LINKTYPE_RAW, new Uint8Array(0), bad('decode.bad_ip')],
    ['raw, version 5', LINKTYPE_RAW, concat(fromHex('55'), IP4.subarray(1)), bad('decode.bad_ip')],
    ['raw IPv4 (228) holding IPv6', LINKTYPE_IPV4, IP6, bad('decode.bad_ip')],
    ['raw IPv6 (229) holding IPv4', LINKTYPE_IPV6, IP4, bad('decode.bad_ip')],
    ['EtherType IPv4 holding IPv6', LINKTYPE_ETHERNET, concat(F.V4_USER.subarray(0, 14), IP6), bad('decode.bad_ip')],
    ['EtherType IPv6 holding IPv4', LINKTYPE_ETHERNET, concat(F.V6_USER.subarray(0, 14), IP4), bad('decode.bad_ip')],
  ];
  for (const [name, linkType, frame, want] of cases) {
    it(name, () => assert.deepEqual(summarize(decodeFrame(linkType, frame)), want));
  }
});
