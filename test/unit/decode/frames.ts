/**
 * Test frames, each written as the hex dump `tshark -x` prints (fromHexDump reads the hex columns and
 * checks the offsets, so the dump you read is exactly the bytes the tests use). In the ASCII column,
 * the characters ` \ and $ are shown as . so that the dumps can sit in template literals.
 *
 * "Real" frames are copied from public FTP captures. The others were built for these tests with correct
 * IP/TCP/UDP/ICMPv6 checksums; every frame here was run through tshark, which decodes it the way the
 * comment says. Frames that wrap V4_USER / V6_USER carry that packet's IP bytes unchanged.
 */
import { fromHexDump } from './hex-dump';

/**
 * Ethernet / IPv4 / TCP "USER anonymous\r\n" with timestamp options (32-byte TCP header).
 * Real: frame 6 of Zeek's testing/btest/Traces/ftp/ipv4.pcap (shared/captures/zeek/). 82 bytes.
 */
export const V4_USER = fromHexDump(`
0000  00 13 7f be 8c ff 00 1d 09 05 cf 48 08 00 45 10   ...........H..E.
0010  00 44 36 c8 40 00 40 06 f7 7e 8d 8e dc eb c7 e9   .D6.@.@..~......
0020  d9 f9 c3 53 00 15 6d e4 a6 8e 24 b8 66 35 80 18   ...S..m.....f5..
0030  00 e5 ea 43 00 00 01 01 08 0a 01 5c 93 1c 00 00   ...C............
0040  00 01 55 53 45 52 20 61 6e 6f 6e 79 6d 6f 75 73   ..USER anonymous
0050  0d 0a                                             ..
`);

/**
 * Ethernet / IPv6 / TCP "USER anonymous\r\n", timestamp options.
 * Real: frame 6 of Zeek's testing/btest/Traces/ftp/ipv6.pcap (shared/captures/zeek/). 102 bytes.
 */
export const V6_USER = fromHexDump(`
0000  d8 30 62 48 c5 b5 c4 2c 03 3b 6c aa 86 dd 60 00   .0bH...,.;l.....
0010  00 00 00 30 06 40 20 01 04 70 1f 11 08 1f c9 99   ...0.@ ..p......
0020  0d 94 aa 7c 2e 3e 20 01 04 70 48 67 00 99 00 00   ...|.> ..pHg....
0030  00 00 00 00 00 21 c0 21 00 15 26 8a 7e 60 06 72   .....!.!..&.~..r
0040  f8 62 80 18 80 4c 75 d0 00 00 01 01 08 0a 3a 01   .b...Lu.......:.
0050  f1 97 00 00 00 01 55 53 45 52 20 61 6e 6f 6e 79   ......USER anony
0060  6d 6f 75 73 0d 0a                                 mous..
`);

/**
 * Ethernet / IPv4 / TCP pure ACK, IP total length 40, frame 60: six trailing bytes (00 00 31 42 f3 ea)
 * that are not payload. Real: frame 3 of Zeek's testing/btest/Traces/ftp/cwd-navigation.pcap (shared/captures/zeek/).
 */
export const PADDED_ACK = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 08 00 45 00   .....+........E.
0010  00 28 21 4a 40 00 7e 06 97 1c 0a 03 16 5b 0a a7   .(!J@.~......[..
0020  19 65 e3 6a 00 15 e7 64 16 f7 32 17 8a 6a 50 10   .e.j...d..2..jP.
0030  fa f0 d2 1c 00 00 00 00 31 42 f3 ea               ........1B..
`);

/**
 * BSD NULL, family 2 little-endian (written on x86) / IPv4 127.0.0.1 / TCP "SYST\r\n".
 * Real: frame 9 of suricata-verify tests/ftp-port-memcap/input.pcap (shared/captures/suricata-verify/ftp-port-memcap.pcap).
 */
export const NULL_LE_SYST = fromHexDump(`
0000  02 00 00 00 45 00 00 2e 00 00 40 00 40 06 00 00   ....E.....@.@...
0010  7f 00 00 01 7f 00 00 01 f2 3e 00 15 10 00 00 15   .........>......
0020  20 00 00 c6 50 10 ff ff 00 00 00 00 53 59 53 54    ...P.......SYST
0030  0d 0a                                             ..
`);

/**
 * Ethernet / IPv4 / TCP "PWD\r\n": IP total length 45, then one pad byte and a 4-byte trailer.
 */
export const ETH_PADDED_PWD = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 08 00 45 00   .....+........E.
0010  00 2d 1c 46 40 00 40 06 9d 16 c0 a8 00 0a c0 a8   .-.F@.@.........
0020  00 14 c3 cb 00 15 8a 3b 1c 20 2f 6e 90 a1 50 18   .......;. /n..P.
0030  fa f0 6a b7 00 00 50 57 44 0d 0a 00 de ad be ef   ..j...PWD.......
`);

/**
 * Ethernet / IPv4 total length 0 (as TSO captures show it) / TCP "NOOP\r\n".
 */
export const ETH_V4_LENGTH_0 = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 08 00 45 00   .....+........E.
0010  00 00 1c 46 40 00 40 06 9d 43 c0 a8 00 0a c0 a8   ...F@.@..C......
0020  00 14 c3 cb 00 15 8a 3b 1c 25 2f 6e 90 a1 50 18   .......;.%/n..P.
0030  fa f0 5e 6c 00 00 4e 4f 4f 50 0d 0a               ..^l..NOOP..
`);

/**
 * Ethernet / IPv4 first fragment (MF set, offset 0) holding the TCP header and "RETR".
 */
export const ETH_V4_FIRST_FRAGMENT = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 08 00 45 00   .....+........E.
0010  00 2c 00 77 20 00 40 06 d8 e6 c0 a8 00 0a c0 a8   .,.w .@.........
0020  00 14 c3 cb 00 15 8a 3b 1c 25 2f 6e 90 a1 50 18   .......;.%/n..P.
0030  fa f0 35 11 00 00 52 45 54 52                     ..5...RETR
`);

/**
 * Ethernet / IPv4 second fragment (MF clear, offset 3 = 24 bytes) holding " a\r\n".
 */
export const ETH_V4_SECOND_FRAGMENT = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 08 00 45 00   .....+........E.
0010  00 18 00 77 00 03 40 06 f8 f7 c0 a8 00 0a c0 a8   ...w..@.........
0020  00 14 20 61 0d 0a                                 .. a..
`);

/**
 * Ethernet / IPv4 / UDP DNS query for ftp.example.com.
 */
export const ETH_UDP = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 08 00 45 00   .....+........E.
0010  00 3d 1c 46 40 00 40 11 9d 0e c0 a8 00 0a c0 a8   .=.F@.@.........
0020  00 01 cf 09 00 35 00 29 bb ef ab cd 01 00 00 01   .....5.)........
0030  00 00 00 00 00 00 03 66 74 70 07 65 78 61 6d 70   .......ftp.examp
0040  6c 65 03 63 6f 6d 00 00 01 00 01                  le.com.....
`);

/**
 * Ethernet / ARP request: who has 192.168.0.20? tell 192.168.0.10.
 */
export const ETH_ARP = fromHexDump(`
0000  ff ff ff ff ff ff a8 d0 e5 e1 ab de 08 06 00 01   ................
0010  08 00 06 04 00 01 a8 d0 e5 e1 ab de c0 a8 00 0a   ................
0020  00 00 00 00 00 00 c0 a8 00 14                     ..........
`);

/**
 * IEEE 802.3 frame (length 0x0026, not an EtherType) / LLC / STP configuration BPDU.
 */
export const ETH_8023_STP = fromHexDump(`
0000  01 80 c2 00 00 00 a8 d0 e5 e1 ab de 00 26 42 42   .............&BB
0010  03 00 00 00 00 80 00 a8 d0 e5 e1 ab de 00 00 00   ................
0020  00 80 00 a8 d0 e5 e1 ab de 80 01 00 00 14 00 02   ................
0030  00 0f 00 00 00 00 00 00 00 00 00                  ...........
`);

/**
 * Ethernet / IPv6 / ICMPv6 echo request "ping".
 */
export const ETH_ICMPV6 = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 86 dd 60 00   .....+..........
0010  00 00 00 0c 3a 40 20 01 0d b8 00 00 00 00 00 00   ....:@ .........
0020  00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00   ...... .........
0030  00 00 00 00 00 02 80 00 33 3e 12 34 00 01 70 69   ........3>.4..pi
0040  6e 67                                             ng
`);

/**
 * Ethernet / IPv6 / hop-by-hop (router alert) / destination options (PadN) / fragment header
 * (offset 0, M=1: the first fragment) / TCP "STOR x\r\n".
 */
export const ETH_V6_EXT_FIRST_FRAGMENT = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 86 dd 60 00   .....+..........
0010  00 00 00 3c 00 40 20 01 0d b8 00 00 00 00 00 00   ...<.@ .........
0020  00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00   ...... .........
0030  00 00 00 00 00 02 3c 00 05 02 00 00 01 00 2c 01   ......<.......,.
0040  01 0c 00 00 00 00 00 00 00 00 00 00 00 00 06 00   ................
0050  00 01 00 00 ab cd 9c 55 00 15 11 22 33 44 55 66   .......U..."3DUf
0060  77 88 50 18 fa f0 db 76 00 00 53 54 4f 52 20 78   w.P....v..STOR x
0070  0d 0a                                             ..
`);

/**
 * The same chain with an atomic fragment header (offset 0, M=0, RFC 6946): a whole packet.
 */
export const ETH_V6_EXT_ATOMIC_FRAGMENT = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 86 dd 60 00   .....+..........
0010  00 00 00 3c 00 40 20 01 0d b8 00 00 00 00 00 00   ...<.@ .........
0020  00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00   ...... .........
0030  00 00 00 00 00 02 3c 00 05 02 00 00 01 00 2c 01   ......<.......,.
0040  01 0c 00 00 00 00 00 00 00 00 00 00 00 00 06 00   ................
0050  00 00 00 00 ab cd 9c 55 00 15 11 22 33 44 55 66   .......U..."3DUf
0060  77 88 50 18 fa f0 db 76 00 00 53 54 4f 52 20 78   w.P....v..STOR x
0070  0d 0a                                             ..
`);

/**
 * Ethernet / IPv6 / routing header (segment routing, 24 bytes) / AH (payload length 4: 24 bytes) /
 * TCP ACK without payload.
 */
export const ETH_V6_ROUTING_AH = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 86 dd 60 00   .....+..........
0010  00 00 00 44 2b 40 20 01 0d b8 00 00 00 00 00 00   ...D+@ .........
0020  00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00   ...... .........
0030  00 00 00 00 00 02 33 02 04 01 00 00 00 00 20 01   ......3....... .
0040  0d b8 00 00 00 00 00 00 00 00 00 00 00 02 06 04   ................
0050  00 00 00 00 10 00 00 00 00 01 01 02 03 04 05 06   ................
0060  07 08 09 0a 0b 0c 9c 56 00 15 00 00 00 01 00 00   .......V........
0070  00 02 50 10 fa f0 bd 00 00 00                     ..P.......
`);

/**
 * Ethernet / IPv6 next header 59 (no next header), payload length 0.
 */
export const ETH_V6_NO_NEXT_HEADER = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 86 dd 60 00   .....+..........
0010  00 00 00 00 3b 40 20 01 0d b8 00 00 00 00 00 00   ....;@ .........
0020  00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00   ...... .........
0030  00 00 00 00 00 02                                 ......
`);

/**
 * Ethernet / IPv6 payload length 0 (TSO capture; no jumbo option) / TCP "LIST\r\n".
 */
export const ETH_V6_LENGTH_0 = fromHexDump(`
0000  00 d0 f6 f4 15 2b a8 d0 e5 e1 ab de 86 dd 60 00   .....+..........
0010  00 00 00 00 06 40 20 01 0d b8 00 00 00 00 00 00   .....@ .........
0020  00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00   ...... .........
0030  00 00 00 00 00 02 9c 57 00 15 00 00 00 05 00 00   .......W........
0040  00 06 50 18 fa f0 10 42 00 00 4c 49 53 54 0d 0a   ..P....B..LIST..
`);

/**
 * V4_USER with one 802.1Q tag (VID 100).
 */
export const VLAN_V4_USER = fromHexDump(`
0000  00 13 7f be 8c ff 00 1d 09 05 cf 48 81 00 00 64   ...........H...d
0010  08 00 45 10 00 44 36 c8 40 00 40 06 f7 7e 8d 8e   ..E..D6.@.@..~..
0020  dc eb c7 e9 d9 f9 c3 53 00 15 6d e4 a6 8e 24 b8   .......S..m.....
0030  66 35 80 18 00 e5 ea 43 00 00 01 01 08 0a 01 5c   f5.....C........
0040  93 1c 00 00 00 01 55 53 45 52 20 61 6e 6f 6e 79   ......USER anony
0050  6d 6f 75 73 0d 0a                                 mous..
`);

/**
 * V6_USER in 802.1ad S-tag (VID 10) + 802.1Q C-tag (VID 100).
 */
export const QINQ_V6_USER = fromHexDump(`
0000  d8 30 62 48 c5 b5 c4 2c 03 3b 6c aa 88 a8 00 0a   .0bH...,.;l.....
0010  81 00 00 64 86 dd 60 00 00 00 00 30 06 40 20 01   ...d.......0.@ .
0020  04 70 1f 11 08 1f c9 99 0d 94 aa 7c 2e 3e 20 01   .p.........|.> .
0030  04 70 48 67 00 99 00 00 00 00 00 00 00 21 c0 21   .pHg.........!.!
0040  00 15 26 8a 7e 60 06 72 f8 62 80 18 80 4c 75 d0   ..&.~..r.b...Lu.
0050  00 00 01 01 08 0a 3a 01 f1 97 00 00 00 01 55 53   ......:.......US
0060  45 52 20 61 6e 6f 6e 79 6d 6f 75 73 0d 0a         ER anonymous..
`);

/**
 * V4_USER under three tags: 0x9100 (VID 5), 0x88a8 (VID 10), 0x8100 (VID 100).
 */
export const QINQ3_V4_USER = fromHexDump(`
0000  00 13 7f be 8c ff 00 1d 09 05 cf 48 91 00 00 05   ...........H....
0010  88 a8 00 0a 81 00 00 64 08 00 45 10 00 44 36 c8   .......d..E..D6.
0020  40 00 40 06 f7 7e 8d 8e dc eb c7 e9 d9 f9 c3 53   @.@..~.........S
0030  00 15 6d e4 a6 8e 24 b8 66 35 80 18 00 e5 ea 43   ..m.....f5.....C
0040  00 00 01 01 08 0a 01 5c 93 1c 00 00 00 01 55 53   ..............US
0050  45 52 20 61 6e 6f 6e 79 6d 6f 75 73 0d 0a         ER anonymous..
`);

/**
 * Linux cooked (SLL, link type 113), protocol 0x0800 / the IPv4 packet of V4_USER.
 */
export const SLL_V4_USER = fromHexDump(`
0000  00 00 00 01 00 06 00 1d 09 05 cf 48 00 00 08 00   ...........H....
0010  45 10 00 44 36 c8 40 00 40 06 f7 7e 8d 8e dc eb   E..D6.@.@..~....
0020  c7 e9 d9 f9 c3 53 00 15 6d e4 a6 8e 24 b8 66 35   .....S..m.....f5
0030  80 18 00 e5 ea 43 00 00 01 01 08 0a 01 5c 93 1c   .....C..........
0040  00 00 00 01 55 53 45 52 20 61 6e 6f 6e 79 6d 6f   ....USER anonymo
0050  75 73 0d 0a                                       us..
`);

/**
 * Linux cooked v2 (SLL2, link type 276), protocol 0x86dd, ifindex 2 / the IPv6 packet of V6_USER.
 */
export const SLL2_V6_USER = fromHexDump(`
0000  86 dd 00 00 00 00 00 02 00 01 04 06 c4 2c 03 3b   .............,.;
0010  6c aa 00 00 60 00 00 00 00 30 06 40 20 01 04 70   l........0.@ ..p
0020  1f 11 08 1f c9 99 0d 94 aa 7c 2e 3e 20 01 04 70   .........|.> ..p
0030  48 67 00 99 00 00 00 00 00 00 00 21 c0 21 00 15   Hg.........!.!..
0040  26 8a 7e 60 06 72 f8 62 80 18 80 4c 75 d0 00 00   &.~..r.b...Lu...
0050  01 01 08 0a 3a 01 f1 97 00 00 00 01 55 53 45 52   ....:.......USER
0060  20 61 6e 6f 6e 79 6d 6f 75 73 0d 0a                anonymous..
`);

/**
 * BSD NULL, family 2 big-endian (written on a big-endian host) / the IPv4 packet of V4_USER.
 */
export const NULL_BE_V4_USER = fromHexDump(`
0000  00 00 00 02 45 10 00 44 36 c8 40 00 40 06 f7 7e   ....E..D6.@.@..~
0010  8d 8e dc eb c7 e9 d9 f9 c3 53 00 15 6d e4 a6 8e   .........S..m...
0020  24 b8 66 35 80 18 00 e5 ea 43 00 00 01 01 08 0a   ..f5.....C......
0030  01 5c 93 1c 00 00 00 01 55 53 45 52 20 61 6e 6f   ........USER ano
0040  6e 79 6d 6f 75 73 0d 0a                           nymous..
`);

/**
 * BSD NULL, family 30 little-endian (Darwin AF_INET6) / the IPv6 packet of V6_USER.
 */
export const NULL_LE_V6_USER = fromHexDump(`
0000  1e 00 00 00 60 00 00 00 00 30 06 40 20 01 04 70   .........0.@ ..p
0010  1f 11 08 1f c9 99 0d 94 aa 7c 2e 3e 20 01 04 70   .........|.> ..p
0020  48 67 00 99 00 00 00 00 00 00 00 21 c0 21 00 15   Hg.........!.!..
0030  26 8a 7e 60 06 72 f8 62 80 18 80 4c 75 d0 00 00   &.~..r.b...Lu...
0040  01 01 08 0a 3a 01 f1 97 00 00 00 01 55 53 45 52   ....:.......USER
0050  20 61 6e 6f 6e 79 6d 6f 75 73 0d 0a                anonymous..
`);

/**
 * BSD NULL, family 28 big-endian (FreeBSD AF_INET6) / the IPv6 packet of V6_USER.
 */
export const NULL_BE_V6_USER = fromHexDump(`
0000  00 00 00 1c 60 00 00 00 00 30 06 40 20 01 04 70   .........0.@ ..p
0010  1f 11 08 1f c9 99 0d 94 aa 7c 2e 3e 20 01 04 70   .........|.> ..p
0020  48 67 00 99 00 00 00 00 00 00 00 21 c0 21 00 15   Hg.........!.!..
0030  26 8a 7e 60 06 72 f8 62 80 18 80 4c 75 d0 00 00   &.~..r.b...Lu...
0040  01 01 08 0a 3a 01 f1 97 00 00 00 01 55 53 45 52   ....:.......USER
0050  20 61 6e 6f 6e 79 6d 6f 75 73 0d 0a                anonymous..
`);

/**
 * OpenBSD LOOP (link type 108), family 2 in network order / the IPv4 packet of V4_USER.
 */
export const LOOP_V4_USER = fromHexDump(`
0000  00 00 00 02 45 10 00 44 36 c8 40 00 40 06 f7 7e   ....E..D6.@.@..~
0010  8d 8e dc eb c7 e9 d9 f9 c3 53 00 15 6d e4 a6 8e   .........S..m...
0020  24 b8 66 35 80 18 00 e5 ea 43 00 00 01 01 08 0a   ..f5.....C......
0030  01 5c 93 1c 00 00 00 01 55 53 45 52 20 61 6e 6f   ........USER ano
0040  6e 79 6d 6f 75 73 0d 0a                           nymous..
`);

/**
 * OpenBSD LOOP, family 24 (OpenBSD AF_INET6) / the IPv6 packet of V6_USER.
 */
export const LOOP_V6_USER = fromHexDump(`
0000  00 00 00 18 60 00 00 00 00 30 06 40 20 01 04 70   .........0.@ ..p
0010  1f 11 08 1f c9 99 0d 94 aa 7c 2e 3e 20 01 04 70   .........|.> ..p
0020  48 67 00 99 00 00 00 00 00 00 00 21 c0 21 00 15   Hg.........!.!..
0030  26 8a 7e 60 06 72 f8 62 80 18 80 4c 75 d0 00 00   &.~..r.b...Lu...
0040  01 01 08 0a 3a 01 f1 97 00 00 00 01 55 53 45 52   ....:.......USER
0050  20 61 6e 6f 6e 79 6d 6f 75 73 0d 0a                anonymous..
`);

/**
 * Raw IP: the IPv4 packet of V4_USER with no link header.
 */
export const RAW_V4_USER = fromHexDump(`
0000  45 10 00 44 36 c8 40 00 40 06 f7 7e 8d 8e dc eb   E..D6.@.@..~....
0010  c7 e9 d9 f9 c3 53 00 15 6d e4 a6 8e 24 b8 66 35   .....S..m.....f5
0020  80 18 00 e5 ea 43 00 00 01 01 08 0a 01 5c 93 1c   .....C..........
0030  00 00 00 01 55 53 45 52 20 61 6e 6f 6e 79 6d 6f   ....USER anonymo
0040  75 73 0d 0a                                       us..
`);

/**
 * Raw IP: the IPv6 packet of V6_USER with no link header.
 */
export const RAW_V6_USER = fromHexDump(`
0000  60 00 00 00 00 30 06 40 20 01 04 70 1f 11 08 1f   .....0.@ ..p....
0010  c9 99 0d 94 aa 7c 2e 3e 20 01 04 70 48 67 00 99   .....|.> ..pHg..
0020  00 00 00 00 00 00 00 21 c0 21 00 15 26 8a 7e 60   .......!.!..&.~.
0030  06 72 f8 62 80 18 80 4c 75 d0 00 00 01 01 08 0a   .r.b...Lu.......
0040  3a 01 f1 97 00 00 00 01 55 53 45 52 20 61 6e 6f   :.......USER ano
0050  6e 79 6d 6f 75 73 0d 0a                           nymous..
`);

