#!/usr/bin/python3
"""Replays the first COUNT frames of a pcap onto a network interface at a fixed rate, through an AF_PACKET
socket (the live benchmark's sender: Node has no raw sockets, and tcpreplay is not part of the set-up).

    replay-sender.py --iface IF --pcap FILE --count N --pps RATE [--max-seconds S]

The frames' own timestamps are ignored: frame i leaves at start + i/RATE, sent in bursts of about 1 ms of
traffic with a busy wait between bursts. Prints one JSON line: frames sent, send errors, seconds taken and the
rate achieved. Bounded: stops after COUNT frames or --max-seconds, whichever comes first. Needs CAP_NET_RAW.
"""
import argparse
import json
import socket
import struct
import sys
import time

PCAP_MAGICS = {0xA1B2C3D4: "<", 0xD4C3B2A1: ">", 0xA1B23C4D: "<", 0x4D3CB2A1: ">"}
LINKTYPE_ETHERNET = 1


def read_frames(path, count):
    """The first `count` frames of a classic pcap (µs or ns), as bytes; fewer if the file is shorter."""
    frames = []
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            raise SystemExit(f"{path}: not a pcap file")
        endian = PCAP_MAGICS.get(struct.unpack("<I", head[:4])[0])
        if endian is None:
            raise SystemExit(f"{path}: not a classic pcap file (pcapng is not read here)")
        link = struct.unpack(endian + "I", head[20:24])[0] & 0x0FFFFFFF
        if link != LINKTYPE_ETHERNET:
            raise SystemExit(f"{path}: link type {link}, need Ethernet")
        rec = struct.Struct(endian + "IIII")
        while len(frames) < count:
            h = f.read(16)
            if len(h) < 16:
                break
            _, _, caplen, _ = rec.unpack(h)
            data = f.read(caplen)
            if len(data) < caplen:
                break
            frames.append(data)
    return frames


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--pps", type=float, required=True)
    ap.add_argument("--max-seconds", type=float, default=120.0)
    args = ap.parse_args()

    frames = read_frames(args.pcap, args.count)
    if not frames:
        raise SystemExit(f"{args.pcap}: no frames")
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((args.iface, 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
    send = sock.send
    clock = time.perf_counter

    burst = max(1, int(args.pps / 1000))
    interval = 1.0 / args.pps
    n = len(frames)
    sent = errors = 0
    start = clock()
    deadline = start + args.max_seconds
    while sent < n:
        now = clock()
        if now > deadline:
            break
        due = start + sent * interval
        if now < due:
            if due - now > 0.002:
                time.sleep(due - now - 0.001)
            continue
        end = min(n, sent + burst)
        for i in range(sent, end):
            try:
                send(frames[i])
            except OSError:
                errors += 1  # ENOBUFS: counted, not retried (the rate is what is measured)
        sent = end
    seconds = clock() - start
    print(json.dumps({"frames": n, "sent": sent - errors, "errors": errors, "seconds": round(seconds, 4),
                      "pps": round((sent - errors) / seconds) if seconds > 0 else 0}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
