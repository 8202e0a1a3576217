#!/usr/bin/python3
"""Ground truth for a golden case, derived WITHOUT ftpflow.

usage: derive-truth.py CASE_DIR...            write CASE_DIR/truth.json
       derive-truth.py --check CASE_DIR...    derive again, compare with the stored truth.json, write nothing
       derive-truth.py --all [--check]        every folder beside this script that holds a plan.json

Two independent sources, the same method as the third-party corpus (shared/captures/README.md):
  * tshark 4.0.x fields: tcp.stream, endpoints, ftp.request.command/arg, ftp.response.code,
    ftp.passive.ip/port, ftp.epsv.port, ftp.active.cip/port, ftp.eprt.ip/ipv6/port. A data connection
    is the TCP stream whose responder (SYN destination) is the announced port at the announced address
    or at the control peer's real address (NAT), starting after the announcement; it belongs to the
    next transfer command on that control connection.
  * plan.json, written by record.sh: which sessions it ran, in which order, with which method,
    which files and how many bytes. Every derived data connection must agree with it (method,
    command, file name, payload bytes), and no TCP stream may be left unexplained.
tshark's own ftp-data conclusions (-2, ftp-data.*) are recorded per connection and every place where
they differ from the truth is listed under oracles.disagreements.

Python standard library + tshark/capinfos only. Exits non-zero on any inconsistency.
"""
import hashlib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEP = "\x1e"
TRANSFER_COMMANDS = {"RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD"}
SETUP_COMMANDS = {"PORT", "EPRT", "PASV", "EPSV"}
DOWNLOADS = {"RETR", "LIST", "NLST", "MLSD"}

FIELDS = [
    "frame.number", "tcp.stream", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
    "tcp.srcport", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset",
    "tcp.seq", "tcp.len", "tcp.payload",
    "ftp.request.command", "ftp.request.arg", "ftp.response.code",
    "ftp.passive.ip", "ftp.passive.port", "ftp.epsv.port",
    "ftp.active.cip", "ftp.active.port", "ftp.eprt.ip", "ftp.eprt.ipv6", "ftp.eprt.port",
]
FTP_DATA_FIELDS = ["frame.number", "tcp.stream", "ftp-data.setup-frame", "ftp-data.setup-method",
                   "ftp-data.command", "ftp-data.command-frame"]


class Inconsistent(Exception):
    """The capture, tshark and the plan do not tell one story: no truth is written."""


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise Inconsistent(f"{' '.join(cmd)} failed: {out.stderr.strip()}")
    return out.stdout


def decode_as(control_ports):
    args = []
    for port in control_ports:
        if port != 21:
            args += ["-d", f"tcp.port=={port},ftp"]
    return args


def tshark_rows(capture, control_ports, fields, extra):
    cmd = ["tshark", "-n", "-r", capture] + decode_as(control_ports) + extra + [
        "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=" + SEP]
    for f in fields:
        cmd += ["-e", f]
    rows = []
    for line in run(cmd).splitlines():
        values = line.split("\t")
        if len(values) != len(fields):
            raise Inconsistent(f"tshark row with {len(values)} fields, expected {len(fields)}: {line!r}")
        rows.append(dict(zip(fields, values)))
    return rows


def one(row, field):
    """The single value of a field, None when absent; more than one value is an inconsistency."""
    v = row[field]
    if v == "":
        return None
    if SEP in v:
        raise Inconsistent(f"frame {row['frame.number']}: several values for {field}: {v!r}")
    return v


def endpoint(ip, port):
    return {"ip": ip, "port": int(port)}


class Frame:
    def __init__(self, row):
        self.no = int(row["frame.number"])
        self.stream = int(row["tcp.stream"]) if row["tcp.stream"] else None
        self.src = one(row, "ip.src") or one(row, "ipv6.src")
        self.dst = one(row, "ip.dst") or one(row, "ipv6.dst")
        self.sport = int(row["tcp.srcport"]) if row["tcp.srcport"] else None
        self.dport = int(row["tcp.dstport"]) if row["tcp.dstport"] else None
        self.syn = row["tcp.flags.syn"] in ("1", "True")
        self.ack = row["tcp.flags.ack"] in ("1", "True")
        self.fin = row["tcp.flags.fin"] in ("1", "True")
        self.rst = row["tcp.flags.reset"] in ("1", "True")
        self.seq = int(row["tcp.seq"]) if row["tcp.seq"] else None
        self.len = int(row["tcp.len"]) if row["tcp.len"] else 0
        self.payload = bytes.fromhex(row["tcp.payload"].replace(":", "")) if row["tcp.payload"] else b""
        self.row = row

    def src_ep(self):
        return endpoint(self.src, self.sport)

    def dst_ep(self):
        return endpoint(self.dst, self.dport)


def check_control_payload(frame, from_client):
    """tshark's FTP dissector reads one line per frame: make sure that is all there is to read."""
    data = frame.payload
    if not data.endswith(b"\r\n"):
        raise Inconsistent(f"frame {frame.no}: control payload does not end in CRLF (a line split across segments)")
    lines = data[:-2].split(b"\r\n")
    if from_client:
        if len(lines) != 1:
            raise Inconsistent(f"frame {frame.no}: {len(lines)} commands in one segment (pipelining)")
        word = lines[0].split(b" ", 1)[0].decode("ascii", "replace").upper()
        if one(frame.row, "ftp.request.command") is None or one(frame.row, "ftp.request.command").upper() != word:
            raise Inconsistent(f"frame {frame.no}: tshark's command {frame.row['ftp.request.command']!r} != {word!r}")
    else:
        for i, line in enumerate(lines):
            if re.match(rb"^(227|229)[ -]", line) and i != 0:
                raise Inconsistent(f"frame {frame.no}: a {line[:3].decode()} reply is not the first line of its segment")
        m = re.match(rb"^(\d{3})[ -]", lines[0])
        if m and frame.row["ftp.response.code"].split(SEP)[0] != m.group(1).decode():
            raise Inconsistent(f"frame {frame.no}: tshark's reply code {frame.row['ftp.response.code']!r} != {m.group(1)!r}")


def derive(case_dir):
    plan = json.load(open(os.path.join(case_dir, "plan.json")))
    cap_name = plan["capture"]
    capture = os.path.join(case_dir, cap_name)
    control_ports = plan["control_ports"]

    frames = [Frame(r) for r in tshark_rows(capture, control_ports, FIELDS, [])]
    streams = {}
    for f in frames:
        if f.stream is not None:
            streams.setdefault(f.stream, []).append(f)

    def syn_of(fs):
        return next((f for f in fs if f.syn and not f.ack), None)

    # ------------------------------------------------------------ control sessions
    controls = []
    for sid in sorted(streams):
        fs = streams[sid]
        syn = syn_of(fs)
        if syn is None:
            if any(f.sport in control_ports or f.dport in control_ports for f in fs):
                raise Inconsistent(f"stream {sid}: control connection without SYN")
            continue
        if syn.dport not in control_ports:
            continue
        controls.append({
            "id": f"c{len(controls)}", "tcp_stream": sid,
            "client": syn.src_ep(), "server": syn.dst_ep(),
            "first_frame": fs[0].no, "last_frame": fs[-1].no, "n_frames": len(fs),
            "handshake_seen": True, "auth_tls_frame": None, "n_requests_parsed_by_tshark": 0,
        })
    if not controls:
        raise Inconsistent("no control connection")

    setups, transfers = [], []   # in capture order, across all control sessions
    for c in controls:
        next_seq = {}
        pending_setup = None
        for f in streams[c["tcp_stream"]]:
            from_client = f.src == c["client"]["ip"] and f.sport == c["client"]["port"]
            if f.len:
                expected = next_seq.get(from_client)
                if expected is not None and f.seq != expected:
                    raise Inconsistent(f"frame {f.no}: control segment out of order or retransmitted")
                next_seq[from_client] = f.seq + f.len
                check_control_payload(f, from_client)
            if from_client and one(f.row, "ftp.request.command"):
                c["n_requests_parsed_by_tshark"] += 1
                cmd = one(f.row, "ftp.request.command").upper()
                arg = one(f.row, "ftp.request.arg")
                if cmd == "AUTH":
                    c["auth_tls_frame"] = f.no
                if cmd == "USER" and "user" not in c:
                    c["user"] = arg
                if cmd in SETUP_COMMANDS:
                    s = {"control": c, "method": cmd, "request_frame": f.no, "reply_frame": None,
                         "reply_code": None, "announced": None, "command": None}
                    if cmd == "PORT":
                        s["announced"] = endpoint(one(f.row, "ftp.active.cip"), one(f.row, "ftp.active.port"))
                    elif cmd == "EPRT":
                        ip = one(f.row, "ftp.eprt.ip") or one(f.row, "ftp.eprt.ipv6")
                        s["announced"] = endpoint(ip, one(f.row, "ftp.eprt.port"))
                    setups.append(s)
                    pending_setup = s
                elif cmd in TRANSFER_COMMANDS:
                    t = {"control": c, "command": cmd, "arg": arg, "frame": f.no}
                    transfers.append(t)
                    # The transfer command after a setup (and before the next one) is that setup's command.
                    cur = next((s for s in reversed(setups) if s["control"] is c), None)
                    if cur is not None and cur["command"] is None:
                        cur["command"] = t
            elif not from_client and f.row["ftp.response.code"]:
                code = int(f.row["ftp.response.code"].split(SEP)[0])
                if pending_setup is not None:
                    s, pending_setup = pending_setup, None
                    s["reply_frame"], s["reply_code"] = f.no, code
                    if s["method"] == "PASV":
                        if code != 227:
                            raise Inconsistent(f"frame {f.no}: PASV answered {code}")
                        s["announced"] = endpoint(one(f.row, "ftp.passive.ip"), one(f.row, "ftp.passive.port"))
                    elif s["method"] == "EPSV":
                        if code != 229:
                            raise Inconsistent(f"frame {f.no}: EPSV answered {code}")
                        # EPSV names no address: the data connection goes to the control server's address.
                        s["announced"] = endpoint(c["server"]["ip"], one(f.row, "ftp.epsv.port"))
        for s in setups:
            if s["control"] is c and s["announced"] is None:
                raise Inconsistent(f"{s['method']} at frame {s['request_frame']}: no announced endpoint")

    for s in setups:
        s["setup_frame"] = s["reply_frame"] if s["method"] in ("PASV", "EPSV") else s["request_frame"]

    # ------------------------------------------------------------ data connections by endpoint match
    control_streams = {c["tcp_stream"] for c in controls}
    used = set()
    data = []
    for sid in sorted(streams):
        if sid in control_streams:
            continue
        fs = streams[sid]
        syn = syn_of(fs)
        if syn is None:
            raise Inconsistent(f"stream {sid}: no SYN, cannot tell initiator from responder")
        resp = syn.dst_ep()
        candidates = []
        for i, s in enumerate(setups):
            if i in used or s["setup_frame"] is None or s["setup_frame"] >= fs[0].no:
                continue
            c = s["control"]
            peer = c["server"]["ip"] if s["method"] in ("PASV", "EPSV") else c["client"]["ip"]
            if resp["port"] == s["announced"]["port"] and resp["ip"] in (s["announced"]["ip"], peer):
                candidates.append(i)
        if not candidates:
            raise Inconsistent(f"stream {sid} ({syn.src}:{syn.sport} -> {resp['ip']}:{resp['port']}): matches no announcement")
        open_ones = {setups[i]["control"]["id"] for i in candidates}
        if len(open_ones) > 1:
            raise Inconsistent(f"stream {sid}: announced on several control connections {sorted(open_ones)}")
        i = candidates[-1]            # the most recent announcement of that endpoint
        used.add(i)
        s = setups[i]
        c = s["control"]
        passive = s["method"] in ("PASV", "EPSV")
        init = syn.src_ep()
        want_initiator_ip = c["client"]["ip"] if passive else c["server"]["ip"]
        if init["ip"] != want_initiator_ip:
            raise Inconsistent(f"stream {sid}: {s['method']} data connection initiated by {init['ip']}, expected {want_initiator_ip}")
        t = s["command"]
        client_end, server_end = (init, resp) if passive else (resp, init)
        up = sum(f.len for f in fs if f.src == client_end["ip"] and f.sport == client_end["port"])
        down = sum(f.len for f in fs if f.src == server_end["ip"] and f.sport == server_end["port"])
        data.append({
            "id": f"d{sid}", "tcp_stream": sid,
            "initiator": init, "responder": resp,
            "initiated_by": "ftp-client" if passive else "ftp-server",
            "initiator_observed_syn": True,
            "ftp_client_end": client_end, "ftp_server_end": server_end,
            "first_frame": fs[0].no, "last_frame": fs[-1].no, "n_frames": len(fs),
            "frames": [f.no for f in fs],
            "control": {"id": c["id"], "tcp_stream": c["tcp_stream"], "client": c["client"], "server": c["server"]},
            "mode": "passive" if passive else "active", "method": s["method"],
            "setup_frame": s["setup_frame"], "setup_request_frame": s["request_frame"],
            "setup_reply_frame": s["reply_frame"], "setup_reply_code": s["reply_code"],
            "announced": s["announced"],
            "announced_ip_equals_actual": s["announced"]["ip"] == (resp["ip"]),
            "command": t["command"] if t else None,
            "command_arg": t["arg"] if t else None,
            "command_frame": t["frame"] if t else None,
            "payload_bytes": {"client_to_server": up, "server_to_client": down},
            "closed": any(f.fin or f.rst for f in fs),
        })
        data[-1]["expect"] = comment_expectations(data[-1])

    announced_only = []
    for i, s in enumerate(setups):
        if i in used:
            continue
        t = s["command"]
        announced_only.append({
            "control": s["control"]["id"], "method": s["method"], "setup_frame": s["setup_frame"],
            "setup_request_frame": s["request_frame"], "setup_reply_frame": s["reply_frame"],
            "setup_reply_code": s["reply_code"], "announced": s["announced"],
            "command": t["command"] if t else None, "command_arg": t["arg"] if t else None,
            "command_frame": t["frame"] if t else None})

    # ------------------------------------------------------------ oracle (b): tshark's own ftp-data labels
    tshark_labels = {}
    for r in tshark_rows(capture, control_ports, FTP_DATA_FIELDS, ["-2", "-Y", "ftp-data"]):
        tshark_labels.setdefault(int(r["tcp.stream"]), []).append(r)
    disagreements, affected = [], []
    truth_streams = {d["tcp_stream"] for d in data}
    for d in data:
        rows = tshark_labels.get(d["tcp_stream"])
        view = None
        if rows:
            r0 = rows[0]
            cmd_text = r0["ftp-data.command"] or None
            cmd, _, cmd_arg = (cmd_text or "").partition(" ")
            view = {"setup_method": r0["ftp-data.setup-method"] or None,
                    "setup_frame": int(r0["ftp-data.setup-frame"]) if r0["ftp-data.setup-frame"] else None,
                    "command": cmd or None, "command_arg": cmd_arg or None,
                    "command_frame": int(r0["ftp-data.command-frame"]) if r0["ftp-data.command-frame"] else None,
                    "first_ftp_data_frame": int(r0["frame.number"]), "n_ftp_data_frames": len(rows)}
        d["oracles"] = {"recorder_plan": None, "tshark_ftp_data": view}
        why = []
        if view is None:
            why.append("tshark does not label it ftp-data at all"
                       + (" (active data connection not from port 20)" if d["mode"] == "active" and d["ftp_server_end"]["port"] != 20 else "")
                       + (" (announced address differs from the one used)" if not d["announced_ip_equals_actual"] else ""))
        else:
            method = {"EPASV": "EPSV", "EPORT": "EPRT"}.get(view["setup_method"], view["setup_method"])
            if method != d["method"]:
                why.append(f"tshark setup method {view['setup_method']!r}")
            if view["setup_frame"] != d["setup_frame"]:
                why.append(f"tshark setup frame {view['setup_frame']}")
            if view["command"] != d["command"] or view["command_arg"] != d["command_arg"]:
                why.append(f"tshark command {cmd_text!r} at frame {view['command_frame']}")
        if why:
            disagreements.append(f"{d['id']} ({d['method']} {d['command']} {d['command_arg'] or ''}, truth setup frame "
                                 f"{d['setup_frame']}, command frame {d['command_frame']}): " + "; ".join(why))
            affected.append(d["id"])
    for sid in sorted(set(tshark_labels) - truth_streams):
        disagreements.append(f"tcp stream {sid}: tshark labels it ftp-data, but it is no data connection")

    # ------------------------------------------------------------ oracle (a): what record.sh did
    checks = cross_check(plan, controls, data, announced_only, streams, control_streams)
    for d in data:
        d["oracles"]["recorder_plan"] = True

    # ------------------------------------------------------------ the truth document
    data_frames = sum(d["n_frames"] for d in data)
    sha = hashlib.sha256(open(capture, "rb").read()).hexdigest()
    tshark_version = run(["tshark", "--version"]).splitlines()[0]
    # Cases live in test/golden/<case>; record.sh derives in a staging copy of that folder first.
    rel_case = "test/golden/" + os.path.basename(os.path.normpath(case_dir))
    truth = {
        "schema_version": 1,
        "capture": cap_name,
        "source": {"repo": "ftpflow (this repository)", "path": f"{rel_case}/{cap_name}", "commit": None,
                   "git_blob": None, "license": "MIT (this repository); recorded by test/golden/record.sh",
                   "transform": None, "recorded_with": plan["recorded_with"]},
        "sha256": sha,
        "capinfos": capinfos(capture),
        "ftpflow_options": plan.get("ftpflow_options", []),
        "exercises": plan.get("exercises", []),
        "notes": plan.get("notes", []),
        "control_sessions": [{k: v for k, v in c.items() if k != "user"} for c in controls],
        "control_expect": [{"client": c["client"], "server": c["server"],
                            "keys": {"role": "control", "user": c["user"]}} for c in controls if c.get("user")],
        "data_connections": data,
        "undecodable_data_connections": [],
        "announced_without_data_connection": announced_only,
        "totals": {"packets": len(frames), "tcp_streams": len(streams), "control_sessions": len(controls),
                   "data_connections": len(data), "data_connection_frames": data_frames,
                   "frames_not_in_any_data_connection": len(frames) - data_frames,
                   "data_connections_by_method": {m: sum(1 for d in data if d["method"] == m)
                                                  for m in ("PASV", "EPSV", "PORT", "EPRT")}},
        "oracles": {
            "a_recorder_plan": {"file": "plan.json", "sessions": len(plan["sessions"]),
                                "transfers": sum(len(s["transfers"]) for s in plan["sessions"]),
                                "consistent": True, "checks": checks},
            "b_tshark": {"version": tshark_version,
                         "decode_as": decode_as(control_ports),
                         "ftp_data_streams": len(tshark_labels),
                         "endpoint_match_streams": len(data),
                         "regenerate": f"/usr/bin/python3 test/golden/derive-truth.py {rel_case}"},
            "disagreements": disagreements,
            "tshark_wrong_data_connections": affected,
            "tshark_wrong_frames": sum(d["n_frames"] for d in data if d["id"] in affected),
            "explanations": [
                "The truth is the endpoint match, confirmed connection by connection by plan.json "
                "(method, command, file name, payload bytes); tshark's ftp-data labels are only compared.",
                "tshark marks only frames with payload as ftp-data; the truth covers every frame of the connection.",
                "tshark ties a data connection to the first command after the setup (curl's TYPE/SIZE, lftp's "
                "TYPE), not to the transfer command; it misses active connections whose server port is not 20 "
                "and connections to an address other than the announced one.",
            ],
        },
    }
    return truth


def comment_expectations(d):
    """Comment keys beyond the scored ones whose value is certain here (ftpflow's truth extension).
    confidence: 'nat' when the data connection went to another address than the announced one, else
    'exact' (every setup is in the capture); dir: which way the bytes flow (checked against the payload);
    setup_frame: the corpus convention (PORT/EPRT request, 227/229 reply); arg: as sent, when there is one."""
    e = {"confidence": "exact" if d["announced_ip_equals_actual"] else "nat",
         "dir": "down" if d["command"] in DOWNLOADS else "up",
         "setup_frame": str(d["setup_frame"])}
    if d["command_arg"]:
        e["arg"] = d["command_arg"]
    return e


def capinfos(capture):
    out = run(["capinfos", "-M", "-t", "-E", "-c", capture])
    kv = {}
    for line in out.splitlines():
        k, _, v = line.partition(":")
        kv[k.strip()] = v.strip()
    ftype = kv.get("File type", "")
    return {"file_type": "pcapng" if "pcapng" in ftype else ftype,
            "link_type": {"Ethernet": "ether"}.get(kv.get("File encapsulation"), kv.get("File encapsulation")),
            "packets": int(kv.get("Number of packets", "0")),
            "bytes": os.path.getsize(capture), "capinfos_ok": True}


def cross_check(plan, controls, data, announced_only, streams, control_streams):
    """Compare the derived truth with what record.sh says it did; raise on any difference."""
    checks = []
    sessions = plan["sessions"]
    if len(sessions) != len(controls):
        raise Inconsistent(f"plan has {len(sessions)} sessions, capture {len(controls)} control connections")
    checks.append(f"{len(controls)} control connections, as many as sessions in the plan, in the order started")
    if announced_only:
        raise Inconsistent(f"announcements without a data connection: {announced_only}")
    explained = control_streams | {d["tcp_stream"] for d in data}
    if set(streams) - explained:
        raise Inconsistent(f"unexplained TCP streams {sorted(set(streams) - explained)}")
    checks.append("every TCP stream is a control connection or an announced data connection")
    for c in controls:
        if c["client"]["ip"] not in plan["client_addresses"] or c["server"]["ip"] not in plan["server_addresses"]:
            raise Inconsistent(f"{c['id']}: unexpected addresses {c['client']} -> {c['server']}")
        if c["client"]["ip"] == c["server"]["ip"]:
            raise Inconsistent(f"{c['id']}: client and server share one address")
    checks.append("client and server addresses are the recorder's, and distinct")
    nat = plan.get("announced_passive_address")
    for c, s in zip(controls, sessions):
        mine = sorted((d for d in data if d["control"]["id"] == c["id"]), key=lambda d: d["setup_frame"])
        want = s["transfers"]
        if len(mine) != len(want):
            raise Inconsistent(f"{c['id']} ({s['client']}): {len(mine)} data connections, plan {len(want)}")
        for d, w in zip(mine, want):
            where = f"{c['id']}/{d['id']} ({s['client']})"
            if (d["method"], d["command"]) != (w["method"], w["command"]):
                raise Inconsistent(f"{where}: {d['method']} {d['command']}, plan {w['method']} {w['command']}")
            if w["file"] is not None and os.path.basename(d["command_arg"] or "") != w["file"]:
                raise Inconsistent(f"{where}: argument {d['command_arg']!r}, plan file {w['file']}")
            moved = d["payload_bytes"]["server_to_client" if d["command"] in DOWNLOADS else "client_to_server"]
            back = d["payload_bytes"]["client_to_server" if d["command"] in DOWNLOADS else "server_to_client"]
            if ("bytes" in w and moved != w["bytes"]) or moved == 0 or back != 0:
                raise Inconsistent(f"{where}: moved {moved} bytes (other way {back}), plan {w.get('bytes', '>0')}")
            if not d["closed"]:
                raise Inconsistent(f"{where}: data connection not closed inside the capture")
            if d["method"] == "PASV" and nat:
                if d["announced"]["ip"] != nat or d["announced_ip_equals_actual"]:
                    raise Inconsistent(f"{where}: announced {d['announced']}, plan says the server announces {nat}")
            elif not d["announced_ip_equals_actual"]:
                raise Inconsistent(f"{where}: announced {d['announced']} but used {d['responder']}")
    checks.append("per session, in order: method, transfer command, file name and payload bytes as planned")
    checks.append("every data connection opened with a SYN seen and closed with FIN/RST inside the capture")
    if plan.get("parallel_sessions"):
        overlapping = [(a["id"], b["id"]) for a in data for b in data
                       if a["control"]["id"] < b["control"]["id"]
                       and a["first_frame"] < b["last_frame"] and b["first_frame"] < a["last_frame"]]
        if not overlapping:
            raise Inconsistent("parallel sessions planned, but no two data connections of different sessions overlap: record again")
        checks.append("data connections of different sessions overlap in the capture: "
                      + ", ".join(f"{a}/{b}" for a, b in overlapping))
    if nat:
        checks.append(f"every PASV reply announces {nat}; the data connection goes to the control server's address")
    return checks


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if not a.startswith("--")]
    if "--all" in argv:
        args = sorted(os.path.join(HERE, d) for d in os.listdir(HERE)
                      if os.path.isfile(os.path.join(HERE, d, "plan.json")))
    if not args:
        sys.exit(__doc__)
    failed = 0
    for case_dir in args:
        name = os.path.basename(os.path.normpath(case_dir))
        try:
            truth = derive(case_dir)
        except Inconsistent as e:
            print(f"FAIL {name}: {e}")
            failed += 1
            continue
        text = json.dumps(truth, indent=1) + "\n"
        path = os.path.join(case_dir, "truth.json")
        t = truth["totals"]
        summary = (f"{name}: {t['packets']} packets, {t['control_sessions']} sessions, "
                   f"{t['data_connections']} data connections {t['data_connections_by_method']}, "
                   f"tshark wrong on {len(truth['oracles']['tshark_wrong_data_connections'])}")
        if check:
            same = os.path.exists(path) and open(path).read() == text
            print(("ok   " if same else "DIFF ") + summary)
            failed += 0 if same else 1
        else:
            open(path, "w").write(text)
            print("wrote " + summary)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
