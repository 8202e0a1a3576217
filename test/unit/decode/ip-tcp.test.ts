import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { decodeFrame, LINKTYPE_ETHERNET, TCP_ACK, TCP_PSH, type Decoded } from '../../../src/decode';
import * as F from './frames';
import { fromHex } from './hex-dump';
import { bad, other, summarize, V4_USER_TCP, V6_USER_TCP, type Summary, type TcpSummary } from './summary';

const eth = (frame: Uint8Array): Decoded => decodeFrame(LINKTYPE_ETHERNET, frame);

/** A copy of `frame` with the bytes at `offset` replaced (the decoder checks no checksums). */
function patch(frame: Uint8Array, offset: number, hex: string): Uint8Array {
  const out = Uint8Array.from(frame);
  out.set(fromHex(hex), offset);
  return out;
}
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

// Offsets in V4_USER: IPv4 header at 14 (total length at 16, flags/offset at 20), TCP at 34
// (data offset at 46), payload at 66..82. In V6_USER: IPv6 at 14, TCP at 54, payload at 86..102.
const PWD_TCP: TcpSummary = {
  kind: 'tcp', ipVersion: 4, src: '192.168.0.10', dst: '192.168.0.20', srcPort: 50123, dstPort: 21,
  seq: 0x8a3b1c20, ack: 0x2f6e90a1, flags: 0x18, payload: 'PWD\r\n', missingBytes: 0,
};
const STOR_TCP: TcpSummary = {
  kind: 'tcp', ipVersion: 6, src: '2001:db8::1', dst: '2001:db8::2', srcPort: 40021, dstPort: 21,
  seq: 0x11223344, ack: 0x55667788, flags: 0x18, payload: 'STOR x\r\n', missingBytes: 0,
};

describe('IPv4', () => {
  const cases: Array<[string, Uint8Array, Summary]> = [
    ['real padded ACK: the 6 trailing bytes are not payload', F.PADDED_ACK, {
      kind: 'tcp', ipVersion: 4, src: '10.3.22.91', dst: '10.167.25.101', srcPort: 58218, dstPort: 21,
      seq: 3882096375, ack: 840403562, flags: 0x10, payload: '', missingBytes: 0,
    }],
    ['payload ends at the IP length, before pad byte and trailer', F.ETH_PADDED_PWD, PWD_TCP],
    ['total length 0 (TSO): the captured length counts', F.ETH_V4_LENGTH_0,
      { ...PWD_TCP, seq: 0x8a3b1c25, payload: 'NOOP\r\n' }],
    ['IP options (IHL 6) move the TCP header',
      concat(patch(F.V4_USER.subarray(0, 34), 14, '46 10 00 48'), fromHex('01010101'), F.V4_USER.subarray(34)),
      V4_USER_TCP],
    ['total length shorter than the frame cuts the payload', patch(F.V4_USER, 16, '0040'),
      { ...V4_USER_TCP, payload: 'USER anonymo' }],
    ['first fragment (MF set)', F.ETH_V4_FIRST_FRAGMENT, other('decode.ip_fragment')],
    ['later fragment (offset 3, MF clear)', F.ETH_V4_SECOND_FRAGMENT, other('decode.ip_fragment')],
    ['smallest non-zero fragment offset', patch(F.V4_USER, 20, '4001'), other('decode.ip_fragment')],
    ['DF alone is not a fragment', F.V4_USER, V4_USER_TCP],
    ['a UDP fragment counts as a fragment (checked before the protocol)', patch(F.ETH_UDP, 20, '2000'),
      other('decode.ip_fragment')],
    ['UDP', F.ETH_UDP, other('decode.not_tcp')],
    ['ESP (50)', patch(F.V4_USER, 23, '32'), other('decode.not_tcp')],
    ['IHL 4', patch(F.V4_USER, 14, '44'), bad('decode.bad_ip')],
    ['IHL 0', patch(F.V4_USER, 14, '40'), bad('decode.bad_ip')],
    ['IHL 15 with only 20 bytes captured', F.V4_USER.subarray(0, 34).map((v, i) => (i === 14 ? 0x4f : v)),
      bad('decode.bad_ip')],
    ['version 5 behind EtherType 0x0800', patch(F.V4_USER, 14, '55'), bad('decode.bad_ip')],
    ['total length 19, below the header', patch(F.V4_USER, 16, '0013'), bad('decode.bad_ip')],
    ['header cut short (19 bytes)', F.V4_USER.subarray(0, 33), bad('decode.bad_ip')],
  ];
  for (const [name, frame, want] of cases) it(name, () => assert.deepEqual(summarize(eth(frame)), want));
});

describe('IPv6 and its extension headers', () => {
  const cases: Array<[string, Uint8Array, Summary]> = [
    ['hop-by-hop + destination options + first fragment (M=1)', F.ETH_V6_EXT_FIRST_FRAGMENT,
      other('decode.ip_fragment')],
    ['the same chain with an atomic fragment header is whole', F.ETH_V6_EXT_ATOMIC_FRAGMENT, STOR_TCP],
    ['later fragment (offset 1, M=0)', patch(F.ETH_V6_EXT_ATOMIC_FRAGMENT, 80, '0008'), other('decode.ip_fragment')],
    ['fragment header reserved bits alone are not a fragment', patch(F.ETH_V6_EXT_ATOMIC_FRAGMENT, 80, '0006'),
      STOR_TCP],
    ['routing header + AH', F.ETH_V6_ROUTING_AH, {
      kind: 'tcp', ipVersion: 6, src: '2001:db8::1', dst: '2001:db8::2', srcPort: 40022, dstPort: 21,
      seq: 1, ack: 2, flags: 0x10, payload: '', missingBytes: 0,
    }],
    ['payload length 0 (TSO): the captured length counts', F.ETH_V6_LENGTH_0, {
      kind: 'tcp', ipVersion: 6, src: '2001:db8::1', dst: '2001:db8::2', srcPort: 40023, dstPort: 21,
      seq: 5, ack: 6, flags: 0x18, payload: 'LIST\r\n', missingBytes: 0,
    }],
    ['payload length shorter than the frame cuts the payload', patch(F.V6_USER, 18, '002c'),
      { ...V6_USER_TCP, payload: 'USER anonymo' }],
    ['no next header (59)', F.ETH_V6_NO_NEXT_HEADER, other('decode.not_tcp')],
    ['ICMPv6', F.ETH_ICMPV6, other('decode.not_tcp')],
    ['ESP (50)', patch(F.V6_USER, 20, '32'), other('decode.not_tcp')],
    // Hop-by-hop now names mobility (135), so the destination options are walked as a mobility header.
    ['mobility header (135) is walked', patch(F.ETH_V6_EXT_ATOMIC_FRAGMENT, 54, '87'), STOR_TCP],
    // Destination options now name HIP / shim6, so the 8-byte fragment header is walked as one.
    ['HIP (139) is walked', patch(F.ETH_V6_EXT_ATOMIC_FRAGMENT, 62, '8b'), STOR_TCP],
    ['shim6 (140) is walked', patch(F.ETH_V6_EXT_ATOMIC_FRAGMENT, 62, '8c'), STOR_TCP],
    ['destination options longer than the packet', patch(F.ETH_V6_EXT_ATOMIC_FRAGMENT, 63, 'ff'),
      bad('decode.bad_ip')],
    ['AH longer than the packet', patch(F.ETH_V6_ROUTING_AH, 79, 'ff'), bad('decode.bad_ip')],
    ['version 4 behind EtherType 0x86dd', patch(F.V6_USER, 14, '40'), bad('decode.bad_ip')],
    ['header cut short (39 bytes)', F.V6_USER.subarray(0, 53), bad('decode.bad_ip')],
  ];
  for (const [name, frame, want] of cases) it(name, () => assert.deepEqual(summarize(eth(frame)), want));

  it('a chain of 32 extension headers is walked, 33 is refused', () => {
    // 8-byte destination-options headers (next = 60, length 0, PadN) chained, the last naming TCP.
    const chain = (n: number) => {
      const hdrs = Array.from({ length: n }, (_, i) => fromHex(i === n - 1 ? '06 00 01 04 00000000' : '3c 00 01 04 00000000'));
      const tcp = F.V6_USER.subarray(54);
      const ip = patch(F.V6_USER.subarray(14, 54), 4, (8 * n + tcp.length).toString(16).padStart(4, '0') + '3c');
      return concat(F.V6_USER.subarray(0, 14), ip, ...hdrs, tcp);
    };
    assert.deepEqual(summarize(eth(chain(32))), V6_USER_TCP);
    assert.deepEqual(summarize(eth(chain(33))), bad('decode.bad_ip'));
  });
});

describe('TCP', () => {
  const cases: Array<[string, Uint8Array, Summary]> = [
    ['data offset 4', patch(F.V4_USER, 46, '40'), bad('decode.bad_tcp')],
    ['data offset 0', patch(F.V4_USER, 46, '00'), bad('decode.bad_tcp')],
    ['data offset 15 reaches past the 48-byte segment', patch(F.V4_USER, 46, 'f0'), bad('decode.bad_tcp')],
    ['data offset 12 ends exactly at the segment end: empty payload', patch(F.V4_USER, 46, 'c0'),
      { ...V4_USER_TCP, payload: '' }],
    ['IP length too short for the TCP header the capture holds', patch(F.V4_USER, 16, '0028'), bad('decode.bad_tcp')],
    ['snaplen cut in the payload (IPv4)', F.V4_USER.subarray(0, 70), { ...V4_USER_TCP, payload: 'USER', missingBytes: 12 }],
    ['snaplen cut in the payload (IPv6)', F.V6_USER.subarray(0, 90), { ...V6_USER_TCP, payload: 'USER', missingBytes: 12 }],
    ['snaplen cut in a padded frame counts only IP bytes', F.ETH_PADDED_PWD.subarray(0, 56),
      { ...PWD_TCP, payload: 'PW', missingBytes: 3 }],
    ['snaplen cut inside the TCP options', F.V4_USER.subarray(0, 60), bad('decode.bad_tcp')],
  ];
  for (const [name, frame, want] of cases) it(name, () => assert.deepEqual(summarize(eth(frame)), want));

  it('flags byte and unsigned 32-bit numbers', () => {
    const ack = eth(F.PADDED_ACK);
    const user = eth(F.V4_USER);
    assert.ok(ack.kind === 'tcp' && user.kind === 'tcp');
    assert.equal(ack.flags, TCP_ACK);
    assert.equal(user.flags, TCP_PSH | TCP_ACK);
    assert.equal(ack.seq, 3882096375); // above 2^31: must not come out negative
    const allOnes = eth(patch(F.V4_USER, 38, 'ffffffff ffffffff'));
    assert.ok(allOnes.kind === 'tcp');
    assert.equal(allOnes.seq, 4294967295);
    assert.equal(allOnes.ack, 4294967295);
  });
});

describe('a valid frame cut at every byte offset', () => {
  // [frame, first offset of the IP header, of TCP, of the payload]: below each, the named layer is short.
  const sweeps: Array<[string, Uint8Array, number, number, number, Summary]> = [
    ['Ethernet / IPv4 / TCP with options', F.V4_USER, 14, 34, 66, V4_USER_TCP],
    ['Ethernet / IPv6 / TCP with options', F.V6_USER, 14, 54, 86, V6_USER_TCP],
    ['Ethernet / IPv6 / three extension headers / TCP', F.ETH_V6_EXT_ATOMIC_FRAGMENT, 14, 86, 106, STOR_TCP],
    ['802.1ad + 802.1Q / IPv6', F.QINQ_V6_USER, 22, 62, 94, V6_USER_TCP],
  ];
  for (const [name, frame, ipAt, tcpAt, payloadAt, whole] of sweeps) {
    it(name, () => {
      for (let cut = 0; cut <= frame.length; cut++) {
        const got = summarize(eth(frame.subarray(0, cut)));
        let want: Summary;
        if (cut < ipAt) want = bad('decode.bad_link');
        else if (cut < tcpAt) want = bad('decode.bad_ip');
        else if (cut < payloadAt) want = bad('decode.bad_tcp');
        else if (whole.kind === 'tcp') {
          want = { ...whole, payload: whole.payload.slice(0, cut - payloadAt), missingBytes: frame.length - cut };
        } else want = whole;
        assert.deepEqual(got, want, `cut at ${cut}`);
      }
    });
  }

  it('a padded frame cut anywhere in its padding is whole', () => {
    for (let cut = 59; cut <= F.ETH_PADDED_PWD.length; cut++) {
      assert.deepEqual(summarize(eth(F.ETH_PADDED_PWD.subarray(0, cut))), PWD_TCP, `cut at ${cut}`);
    }
  });
});
