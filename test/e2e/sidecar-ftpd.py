#!/usr/bin/python3
"""A pyftpdlib FTP server for the sidecar end-to-end test: one user with a password (the test checks
that the password appears nowhere ftpflow writes), read/write access to ROOT, a fixed passive port
range (the test holds the client's data SYNs back with an nftables rule on that range).

Runs in the foreground until SIGTERM or until --max-seconds passes, so a forgotten server never
outlives the test. Needs Debian's python3-pyftpdlib, i.e. /usr/bin/python3.
"""
import argparse
import signal
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--passive-ports", required=True)
    ap.add_argument("--max-seconds", type=float, default=300.0)
    args = ap.parse_args()

    authorizer = DummyAuthorizer()
    authorizer.add_user(args.user, args.password, args.root, perm="elradfmwMT")

    class Handler(FTPHandler):
        pass

    Handler.authorizer = authorizer
    Handler.banner = "ftpflow sidecar e2e"
    lo, hi = (int(x) for x in args.passive_ports.split("-"))
    Handler.passive_ports = range(lo, hi + 1)

    server = FTPServer((args.address, args.port), Handler)
    server.ioloop.call_later(args.max_seconds, server.close_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("listening", flush=True)
    server.serve_forever(timeout=0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
