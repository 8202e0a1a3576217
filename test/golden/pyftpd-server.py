#!/usr/bin/python3
"""A pyftpdlib FTP server for record.sh: anonymous login with write access to ROOT.

Runs in the foreground until SIGTERM or until --max-seconds passes, so a
forgotten server can never outlive the recording. Needs Debian's
python3-pyftpdlib, i.e. /usr/bin/python3 (not a pyenv python).
"""
import argparse
import signal
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", required=True)
    ap.add_argument("--port", type=int, default=21)
    ap.add_argument("--root", required=True)
    ap.add_argument("--passive-ports", default="41000-41099")
    ap.add_argument("--masquerade", default=None, help="address announced in 227 replies")
    ap.add_argument("--max-seconds", type=float, default=120.0)
    args = ap.parse_args()

    authorizer = DummyAuthorizer()
    authorizer.add_anonymous(args.root, perm="elradfmwMT")

    class Handler(FTPHandler):
        pass

    Handler.authorizer = authorizer
    Handler.banner = "ftpflow golden pyftpdlib"
    lo, hi = (int(x) for x in args.passive_ports.split("-"))
    Handler.passive_ports = range(lo, hi + 1)
    if args.masquerade:
        Handler.masquerade_address = args.masquerade

    server = FTPServer((args.address, args.port), Handler)
    # Bounded lifetime: the IO loop ends once close_all() empties its socket map.
    server.ioloop.call_later(args.max_seconds, server.close_all)
    # SystemExit is caught by serve_forever(), which then closes every socket.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever(timeout=0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
