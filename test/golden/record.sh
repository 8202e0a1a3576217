#!/usr/bin/env bash
# Records the golden FTP captures: real servers (vsftpd, pyftpdlib) and real clients (curl, lftp) talking
# across a veth pair between two network namespaces, captured with dumpcap inside the client namespace.
# Each case makes <case>.pcapng and plan.json (what this script did: sessions, modes, files, sizes), then
# derive-truth.py turns capture + plan into truth.json without using ftpflow; only when that succeeds do
# the three files replace test/golden/<case>/.
#
# Only on explicit request, never from the test suite; needs root:
#   sudo test/golden/record.sh            # every case
#   sudo test/golden/record.sh vsftpd-curl-pasv pyftpdlib-lftp-mixed
#   test/golden/record.sh --list
#   GOLDEN_KEEP_WORK=1 test/golden/record.sh CASE   # keep the temporary folder (logs, staged capture)
set -euo pipefail
export LC_ALL=C TZ=UTC

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3                       # Debian's python3-pyftpdlib lives here, not in a pyenv python

NS_SRV=ftpflow-golden-srv
NS_CLI=ftpflow-golden-cli
IF_SRV=fgsrv0
IF_CLI=fgcli0
SRV4=10.200.1.1
CLI4=10.200.1.2
SRV6=fd00:200::1
CLI6=fd00:200::2
NAT_ANNOUNCED=10.9.9.9                    # what the "NAT" server announces instead of SRV4

CLIENT_TIMEOUT=60                          # seconds any one client run may take
RECORD_ATTEMPTS=3                          # recordings of one case before giving up
SERVER_LIFETIME=300                        # a server outliving its case is stopped by timeout(1)

ALL_CASES=(
  vsftpd-curl-pasv vsftpd-curl-epsv vsftpd-curl-port vsftpd-curl-eprt vsftpd-curl-upload
  vsftpd-port2121 vsftpd-nat-pasv
  pyftpdlib-lftp-pasv pyftpdlib-lftp-active pyftpdlib-lftp-mixed
  pyftpdlib-curl-ipv6-epsv pyftpdlib-curl-ipv6-eprt
)

# File sizes (bytes) of the test files; plan.json repeats them so the oracle can check every transfer's length.
SZ_ALPHA=12000 SZ_BETA=30000 SZ_GAMMA=20000
SZ_ONE=3000 SZ_TWO=5000 SZ_THREE=2000
SZ_UP=8000 SZ_MORE=4000

log() { printf 'record: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- process bookkeeping (only our PIDs)
PIDS=()
WORK=""
NETNS_OURS=no                             # set once this run has created the namespaces

stop_pid() {            # stop_pid PID SIGNAL: signal one of our processes and wait (bounded) for it to go
  local pid=$1 sig=${2:-TERM} i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -s "$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ignored SIG$sig for 5 s, sending KILL"
    kill -s KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  local keep=() p
  for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
}

kill_netns_pids() {     # processes still inside our own namespace were started by us (server children)
  local ns=$1 pid
  ip netns list 2>/dev/null | grep -qw "$ns" || return 0
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    kill -s TERM "$pid" 2>/dev/null || true
  done
}

cleanup() {
  local rc=$? pid
  set +e
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do stop_pid "$pid" TERM; done
  if [[ $NETNS_OURS == yes ]]; then
    kill_netns_pids "$NS_CLI"
    kill_netns_pids "$NS_SRV"
    sleep 0.2
    ip netns del "$NS_CLI" 2>/dev/null
    ip netns del "$NS_SRV" 2>/dev/null
  fi
  if [[ -n $WORK && -d $WORK ]]; then
    if [[ ${GOLDEN_KEEP_WORK:-} == 1 ]]; then log "kept $WORK (GOLDEN_KEEP_WORK=1)"; else rm -rf "$WORK"; fi
  fi
  exit "$rc"
}

wait_until() {          # wait_until SECONDS CMD...: poll CMD every 0.1 s, bounded
  local limit=$1 i
  shift
  for ((i = 0; i < limit * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------- network namespaces
veth_up() { ip -n "$NS_CLI" link show "$IF_CLI" | grep -q 'state UP'; }

setup_network() {
  local ns
  for ns in "$NS_SRV" "$NS_CLI"; do
    # A namespace of that name may be a concurrent run's: never take it over, say what to do.
    ! ip netns list | grep -qw "$ns" || die "namespace $ns exists (another run, or a crashed one: ip netns pids $ns; ip netns del $ns)"
  done
  NETNS_OURS=yes
  ip netns add "$NS_SRV"
  ip netns add "$NS_CLI"
  ip link add "$IF_SRV" netns "$NS_SRV" address 02:00:0a:c8:01:01 type veth \
    peer name "$IF_CLI" netns "$NS_CLI" address 02:00:0a:c8:01:02
  for ns in "$NS_SRV" "$NS_CLI"; do ip -n "$ns" link set lo up; done
  # gso_max_segs 1: the stack hands the veth MTU-sized segments, as a real NIC puts them on the wire,
  # instead of 64 KB GSO super-frames.
  ip -n "$NS_SRV" link set "$IF_SRV" gso_max_segs 1
  ip -n "$NS_CLI" link set "$IF_CLI" gso_max_segs 1
  ip -n "$NS_SRV" addr add "$SRV4/24" dev "$IF_SRV"
  ip -n "$NS_CLI" addr add "$CLI4/24" dev "$IF_CLI"
  ip -n "$NS_SRV" addr add "$SRV6/64" dev "$IF_SRV" nodad
  ip -n "$NS_CLI" addr add "$CLI6/64" dev "$IF_CLI" nodad
  ip -n "$NS_SRV" link set "$IF_SRV" up
  ip -n "$NS_CLI" link set "$IF_CLI" up
  # Static neighbours: no ARP/ND round trip delays the first SYN of a case.
  ip -n "$NS_CLI" neigh replace "$SRV4" lladdr 02:00:0a:c8:01:01 dev "$IF_CLI" nud permanent
  ip -n "$NS_SRV" neigh replace "$CLI4" lladdr 02:00:0a:c8:01:02 dev "$IF_SRV" nud permanent
  ip -n "$NS_CLI" neigh replace "$SRV6" lladdr 02:00:0a:c8:01:01 dev "$IF_CLI" nud permanent
  ip -n "$NS_SRV" neigh replace "$CLI6" lladdr 02:00:0a:c8:01:02 dev "$IF_SRV" nud permanent
  wait_until 5 veth_up || die "the veth pair does not come up"
}

shape_link() {          # shape_link on|off: token bucket on both veth ends (netem is not available everywhere)
  if [[ $1 == on ]]; then
    tc -n "$NS_SRV" qdisc replace dev "$IF_SRV" root tbf rate 512kbit burst 3000 limit 200000
    tc -n "$NS_CLI" qdisc replace dev "$IF_CLI" root tbf rate 512kbit burst 3000 limit 200000
  else
    tc -n "$NS_SRV" qdisc del dev "$IF_SRV" root 2>/dev/null || true
    tc -n "$NS_CLI" qdisc del dev "$IF_CLI" root 2>/dev/null || true
  fi
}

# ---------------------------------------------------------------- test files
mkfile() {              # mkfile PATH SIZE KIND(text|binary) SEED: deterministic content
  "$PY" - "$1" "$2" "$3" "$4" <<'EOF'
import sys
path, size, kind, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
if kind == "text":
    out, n = bytearray(), 0
    while len(out) < size:
        out += b"ftpflow golden file %d line %06d: the quick brown fox jumps over the lazy dog\n" % (seed, n)
        n += 1
else:
    x, out = seed * 2654435761 % 2**32 or 1, bytearray()
    while len(out) < size:
        x ^= (x << 13) & 0xFFFFFFFF; x ^= x >> 17; x ^= (x << 5) & 0xFFFFFFFF
        out.append(x & 0xFF)
open(path, "wb").write(bytes(out[:size]))
EOF
}

make_case_dirs() {      # make_case_dirs CASE: fresh server tree and client folders under $WORK/CASE
  local d=$WORK/$1
  mkdir -p "$d/root/pub/tree" "$d/root/upload" "$d/cli/in" "$d/cli/out"
  chmod 755 "$d" "$d/root" "$d/root/pub" "$d/root/pub/tree" "$d/cli"
  mkfile "$d/root/pub/alpha.txt" $SZ_ALPHA text 1
  mkfile "$d/root/pub/beta.bin" $SZ_BETA binary 2
  mkfile "$d/root/pub/gamma.bin" $SZ_GAMMA binary 3
  mkfile "$d/root/pub/tree/one.txt" $SZ_ONE text 4
  mkfile "$d/root/pub/tree/two.txt" $SZ_TWO text 5
  mkfile "$d/root/pub/tree/three.txt" $SZ_THREE text 6
  mkfile "$d/cli/in/up.txt" $SZ_UP text 7
  mkfile "$d/cli/in/more.txt" $SZ_MORE text 8
  chmod 644 "$d"/root/pub/*.* "$d"/root/pub/tree/*
  chown ftp "$d/root/upload"              # vsftpd's anonymous user writes here; the root stays root's
  chmod 755 "$d/root/upload"
}

same_file() { cmp -s "$1" "$2" || die "transfer check failed: $1 differs from $2"; }

# ---------------------------------------------------------------- servers
start_bg() {            # start_bg LOG CMD...: run CMD in the background, remember its PID in $BG_PID
  local logfile=$1.log
  shift
  "$@" >"$logfile" 2>&1 &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

listening() { ip netns exec "$NS_SRV" ss -ltnH "sport = :$1" | grep -q LISTEN; }

vsftpd_start() {        # vsftpd_start CASE PORT EXTRA-CONFIG-LINE...
  local c=$1 port=$2 conf=$WORK/$1/vsftpd.conf
  shift 2
  cat >"$conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=$SRV4
listen_port=$port
background=NO
anonymous_enable=YES
local_enable=NO
no_anon_password=YES
anon_root=$WORK/$c/root
write_enable=YES
anon_upload_enable=YES
anon_other_write_enable=YES
anon_umask=022
pasv_enable=YES
pasv_min_port=40000
pasv_max_port=40999
port_enable=YES
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
secure_chroot_dir=/var/run/vsftpd/empty
xferlog_enable=YES
log_ftp_protocol=YES
vsftpd_log_file=$WORK/$c/vsftpd-protocol.log
use_localtime=NO
hide_ids=YES
ftpd_banner=ftpflow golden vsftpd
EOF
  printf '%s\n' "$@" >>"$conf"
  mkdir -p /var/run/vsftpd/empty
  start_bg "$WORK/$c/vsftpd" timeout -s TERM $SERVER_LIFETIME ip netns exec "$NS_SRV" vsftpd "$conf"
  SERVER_PID=$BG_PID
  wait_until 5 listening "$port" || { cat "$WORK/$c/vsftpd.log" >&2; die "vsftpd does not listen on $port"; }
}

pyftpd_start() {        # pyftpd_start CASE ADDRESS EXTRA-ARG...
  local c=$1 addr=$2
  shift 2
  start_bg "$WORK/$c/pyftpdlib" timeout -s TERM $SERVER_LIFETIME ip netns exec "$NS_SRV" \
    "$PY" "$HERE/pyftpd-server.py" --address "$addr" --port 21 --root "$WORK/$c/root" \
    --max-seconds $SERVER_LIFETIME "$@"
  SERVER_PID=$BG_PID
  wait_until 5 listening 21 || { cat "$WORK/$c/pyftpdlib.log" >&2; die "pyftpdlib does not listen"; }
}

# ---------------------------------------------------------------- capture
capture_start() {       # capture_start CASE: dumpcap on the client's veth, TCP only, pcapng
  local c=$1
  start_bg "$WORK/$c/dumpcap" timeout -s INT 180 ip netns exec "$NS_CLI" \
    dumpcap -q -i "$IF_CLI" -f tcp -a duration:170 -w "$WORK/$c/$c.pcapng"
  CAPTURE_PID=$BG_PID
  wait_until 10 grep -q "Capturing on" "$WORK/$c/dumpcap.log" || die "dumpcap did not start"
  sleep 0.3
}

capture_stop() {        # capture_stop CASE: let the last FIN/ACKs pass, stop dumpcap, copy the capture out
  local c=$1
  sleep 0.5
  stop_pid "$CAPTURE_PID" INT
  capinfos "$WORK/$c/$c.pcapng" >/dev/null || die "capinfos rejects $c.pcapng"
  mkdir -p "$WORK/stage/$c"
  cp "$WORK/$c/$c.pcapng" "$WORK/stage/$c/$c.pcapng"
}

publish() {             # publish CASE: derive the truth in the staging folder, then move all three files in
  local c=$1 f
  "$PY" "$HERE/derive-truth.py" "$WORK/stage/$c" || return 1
  mkdir -p "$HERE/$c"
  for f in "$c.pcapng" plan.json truth.json; do
    chmod 644 "$WORK/stage/$c/$f"
    mv "$WORK/stage/$c/$f" "$HERE/$c/$f"
  done
}

# ---------------------------------------------------------------- clients (in the client namespace)
cli() { timeout -s TERM $CLIENT_TIMEOUT ip netns exec "$NS_CLI" "$@"; }

curl_cli() { cli curl --silent --show-error --fail --max-time $CLIENT_TIMEOUT --connect-timeout 5 "$@"; }

lftp_script() {         # lftp_script CASE NAME PASSIVE(on|off) PREFER_EPSV(yes|no) HOST: header of an lftp script
  cat >"$WORK/$1/$2.lftp" <<EOF
set cmd:fail-exit yes
set cmd:interactive no
set net:timeout 10
set net:max-retries 2
set net:reconnect-interval-base 1
set net:connection-limit 1
set ftp:ssl-allow no
set ftp:sync-mode on
set ftp:passive-mode $3
set ftp:prefer-epsv $4
set xfer:clobber on
set mirror:parallel-transfer-count 1
open ftp://anonymous:golden@$5
EOF
}

lftp_run() { cli lftp --norc -f "$WORK/$1/$2.lftp" >"$WORK/$1/$2.out" 2>&1 || { cat "$WORK/$1/$2.out" >&2; die "lftp $2 failed"; }; }

# ---------------------------------------------------------------- plan.json (what the script did)
versions() {
  V_VSFTPD=$(dpkg-query -W -f='${Version}' vsftpd 2>/dev/null || echo unknown)
  V_PYFTPDLIB=$("$PY" -c 'import pyftpdlib; print(pyftpdlib.__ver__)')
  V_CURL=$(curl --version | awk 'NR==1 {print $2}')
  V_LFTP=$(lftp --version | sed -n '1s/.*Version \([0-9.]*\).*/\1/p')
  V_DUMPCAP=$(dumpcap --version | awk 'NR==1 {print $3}')
}

write_plan() {          # write_plan CASE < JSON: the recorder's own record, checked by derive-truth.py
  cat >"$WORK/stage/$1/plan.json"
  "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/stage/$1/plan.json" || die "plan.json of $1 is not JSON"
}

# Common plan fields. $1 case, $2 server software, $3 server version, $4 client software, $5 client version
plan_head() {
  cat <<EOF
  "schema_version": 1,
  "case": "$1",
  "capture": "$1.pcapng",
  "recorded_with": {"server": "$2 $3", "client": "$4 $5", "capture": "dumpcap $V_DUMPCAP, capture filter 'tcp', on the client's veth"},
  "server_addresses": ["$SRV4", "$SRV6"],
  "client_addresses": ["$CLI4", "$CLI6"],
EOF
}

# ---------------------------------------------------------------- the cases
case_vsftpd-curl-pasv() {
  local c=vsftpd-curl-pasv o=$WORK/vsftpd-curl-pasv/cli/out r=$WORK/vsftpd-curl-pasv/root/pub
  vsftpd_start $c 21 connect_from_port_20=YES
  capture_start $c
  curl_cli --disable-epsv "ftp://$SRV4/pub/" -o "$o/list" \
    "ftp://$SRV4/pub/alpha.txt" -o "$o/alpha.txt" "ftp://$SRV4/pub/beta.bin" -o "$o/beta.bin"
  capture_stop $c
  same_file "$o/alpha.txt" "$r/alpha.txt"; same_file "$o/beta.bin" "$r/beta.bin"
  write_plan $c <<EOF
{
$(plan_head $c vsftpd "$V_VSFTPD" curl "$V_CURL")
  "control_ports": [21],
  "ftpflow_options": [],
  "exercises": ["ipv4", "passive-PASV", "LIST", "RETR", "multiple-transfers-per-session",
                "data-connection-before-transfer-command", "non-transfer-commands-between-setup-and-transfer"],
  "notes": ["One curl run with three URLs (--disable-epsv): curl reuses the control connection, connects each data connection right after the 227 reply and sends TYPE/SIZE before LIST/RETR."],
  "sessions": [
    {"client": "curl --disable-epsv (3 URLs)", "transfers": [
      {"method": "PASV", "command": "LIST", "file": null},
      {"method": "PASV", "command": "RETR", "file": "alpha.txt", "bytes": $SZ_ALPHA},
      {"method": "PASV", "command": "RETR", "file": "beta.bin", "bytes": $SZ_BETA}]}
  ]
}
EOF
}

case_vsftpd-curl-epsv() {
  local c=vsftpd-curl-epsv o=$WORK/vsftpd-curl-epsv/cli/out r=$WORK/vsftpd-curl-epsv/root/pub
  vsftpd_start $c 21 connect_from_port_20=YES
  capture_start $c
  curl_cli "ftp://$SRV4/pub/" -o "$o/list" "ftp://$SRV4/pub/alpha.txt" -o "$o/alpha.txt"
  curl_cli --list-only "ftp://$SRV4/pub/" -o "$o/nlst"
  capture_stop $c
  same_file "$o/alpha.txt" "$r/alpha.txt"
  grep -qx 'beta.bin' "$o/nlst" || die "NLST output lacks beta.bin"
  write_plan $c <<EOF
{
$(plan_head $c vsftpd "$V_VSFTPD" curl "$V_CURL")
  "control_ports": [21],
  "ftpflow_options": [],
  "exercises": ["ipv4", "passive-EPSV-over-ipv4", "LIST", "NLST", "RETR", "multiple-transfers-per-session",
                "several-control-sessions", "data-connection-before-transfer-command"],
  "notes": ["Two curl runs, default EPSV: LIST and RETR in the first control session, NLST (--list-only) in the second."],
  "sessions": [
    {"client": "curl (2 URLs)", "transfers": [
      {"method": "EPSV", "command": "LIST", "file": null},
      {"method": "EPSV", "command": "RETR", "file": "alpha.txt", "bytes": $SZ_ALPHA}]},
    {"client": "curl --list-only", "transfers": [
      {"method": "EPSV", "command": "NLST", "file": null}]}
  ]
}
EOF
}

case_vsftpd-curl-port() {
  local c=vsftpd-curl-port o=$WORK/vsftpd-curl-port/cli/out r=$WORK/vsftpd-curl-port/root/pub
  vsftpd_start $c 21 connect_from_port_20=YES
  capture_start $c
  curl_cli -P - --disable-eprt "ftp://$SRV4/pub/alpha.txt" -o "$o/alpha.txt" "ftp://$SRV4/pub/" -o "$o/list"
  capture_stop $c
  same_file "$o/alpha.txt" "$r/alpha.txt"
  write_plan $c <<EOF
{
$(plan_head $c vsftpd "$V_VSFTPD" curl "$V_CURL")
  "control_ports": [21],
  "ftpflow_options": [],
  "server_config": {"connect_from_port_20": "YES"},
  "exercises": ["ipv4", "active-PORT", "server-source-port-20", "RETR", "LIST", "multiple-transfers-per-session"],
  "notes": ["curl -P - --disable-eprt: PORT with the client's control address; vsftpd connect_from_port_20=YES, so every data connection comes from server port 20."],
  "sessions": [
    {"client": "curl -P - --disable-eprt (2 URLs)", "transfers": [
      {"method": "PORT", "command": "RETR", "file": "alpha.txt", "bytes": $SZ_ALPHA},
      {"method": "PORT", "command": "LIST", "file": null}]}
  ]
}
EOF
}

case_vsftpd-curl-eprt() {
  local c=vsftpd-curl-eprt o=$WORK/vsftpd-curl-eprt/cli/out r=$WORK/vsftpd-curl-eprt/root/pub
  vsftpd_start $c 21 connect_from_port_20=NO
  capture_start $c
  curl_cli -P - "ftp://$SRV4/pub/beta.bin" -o "$o/beta.bin" "ftp://$SRV4/pub/" -o "$o/list"
  capture_stop $c
  same_file "$o/beta.bin" "$r/beta.bin"
  write_plan $c <<EOF
{
$(plan_head $c vsftpd "$V_VSFTPD" curl "$V_CURL")
  "control_ports": [21],
  "ftpflow_options": [],
  "server_config": {"connect_from_port_20": "NO"},
  "exercises": ["ipv4", "active-EPRT", "active-server-source-port-not-20", "RETR", "LIST", "multiple-transfers-per-session"],
  "notes": ["curl -P -: EPRT |1|client|port|; vsftpd connect_from_port_20=NO, so the server connects from an ephemeral port, not 20."],
  "sessions": [
    {"client": "curl -P - (2 URLs)", "transfers": [
      {"method": "EPRT", "command": "RETR", "file": "beta.bin", "bytes": $SZ_BETA},
      {"method": "EPRT", "command": "LIST", "file": null}]}
  ]
}
EOF
}

case_vsftpd-curl-upload() {
  local c=vsftpd-curl-upload i=$WORK/vsftpd-curl-upload/cli/in r=$WORK/vsftpd-curl-upload/root/upload
  vsftpd_start $c 21 connect_from_port_20=YES
  capture_start $c
  curl_cli -T "$i/up.txt" "ftp://$SRV4/upload/"
  curl_cli --disable-epsv --append -T "$i/more.txt" "ftp://$SRV4/upload/up.txt"
  capture_stop $c
  cat "$i/up.txt" "$i/more.txt" | cmp -s - "$r/up.txt" || die "upload/up.txt is not up.txt + more.txt"
  write_plan $c <<EOF
{
$(plan_head $c vsftpd "$V_VSFTPD" curl "$V_CURL")
  "control_ports": [21],
  "ftpflow_options": [],
  "exercises": ["ipv4", "passive-EPSV-over-ipv4", "passive-PASV", "STOR", "APPE", "several-control-sessions", "upload"],
  "notes": ["Two curl runs: STOR up.txt over EPSV, then APPE up.txt (--append, --disable-epsv) over PASV; the server file ends as up.txt followed by more.txt."],
  "sessions": [
    {"client": "curl -T up.txt", "transfers": [
      {"method": "EPSV", "command": "STOR", "file": "up.txt", "bytes": $SZ_UP}]},
    {"client": "curl --disable-epsv --append -T more.txt", "transfers": [
      {"method": "PASV", "command": "APPE", "file": "up.txt", "bytes": $SZ_MORE}]}
  ]
}
EOF
}

case_vsftpd-port2121() {
  local c=vsftpd-port2121 o=$WORK/vsftpd-port2121/cli/out r=$WORK/vsftpd-port2121/root/pub
  vsftpd_start $c 2121 connect_from_port_20=YES
  capture_start $c
  curl_cli --disable-epsv "ftp://$SRV4:2121/pub/" -o "$o/list" "ftp://$SRV4:2121/pub/alpha.txt" -o "$o/alpha.txt"
  curl_cli -P - --disable-eprt "ftp://$SRV4:2121/pub/tree/two.txt" -o "$o/two.txt"
  capture_stop $c
  same_file "$o/alpha.txt" "$r/alpha.txt"; same_file "$o/two.txt" "$r/tree/two.txt"
  write_plan $c <<EOF
{
$(plan_head $c vsftpd "$V_VSFTPD" curl "$V_CURL")
  "control_ports": [2121],
  "ftpflow_options": ["--control-ports", "21,2121"],
  "server_config": {"listen_port": 2121, "connect_from_port_20": "YES"},
  "exercises": ["ipv4", "control-port-2121", "passive-PASV", "active-PORT", "server-source-port-20", "LIST", "RETR", "several-control-sessions"],
  "notes": ["Control connections on port 2121: ftpflow needs --control-ports 21,2121 (tshark needs -d tcp.port==2121,ftp).",
            "The active data connection still comes from port 20 (vsftpd ftp_data_port), not 2120."],
  "sessions": [
    {"client": "curl --disable-epsv (2 URLs)", "transfers": [
      {"method": "PASV", "command": "LIST", "file": null},
      {"method": "PASV", "command": "RETR", "file": "alpha.txt", "bytes": $SZ_ALPHA}]},
    {"client": "curl -P - --disable-eprt", "transfers": [
      {"method": "PORT", "command": "RETR", "file": "two.txt", "bytes": $SZ_TWO}]}
  ]
}
EOF
}

case_vsftpd-nat-pasv() {
  local c=vsftpd-nat-pasv o=$WORK/vsftpd-nat-pasv/cli/out r=$WORK/vsftpd-nat-pasv/root/pub
  vsftpd_start $c 21 connect_from_port_20=YES pasv_addr_resolve=NO pasv_address=$NAT_ANNOUNCED
  capture_start $c
  curl_cli --disable-epsv "ftp://$SRV4/pub/" -o "$o/list" "ftp://$SRV4/pub/beta.bin" -o "$o/beta.bin"
  capture_stop $c
  same_file "$o/beta.bin" "$r/beta.bin"
  write_plan $c <<EOF
{
$(plan_head $c vsftpd "$V_VSFTPD" curl "$V_CURL")
  "control_ports": [21],
  "ftpflow_options": [],
  "server_config": {"pasv_addr_resolve": "NO", "pasv_address": "$NAT_ANNOUNCED"},
  "announced_passive_address": "$NAT_ANNOUNCED",
  "expect_per_data_connection": {"confidence": "nat"},
  "exercises": ["ipv4", "passive-PASV", "nat-announced-address-differs", "LIST", "RETR"],
  "notes": ["vsftpd announces $NAT_ANNOUNCED in its 227 replies (as a server behind NAT would); curl ignores the 227 address (CURLOPT_FTP_SKIP_PASV_IP, default since 7.74) and connects to the control connection's address $SRV4 with the announced port."],
  "sessions": [
    {"client": "curl --disable-epsv (2 URLs)", "transfers": [
      {"method": "PASV", "command": "LIST", "file": null},
      {"method": "PASV", "command": "RETR", "file": "beta.bin", "bytes": $SZ_BETA}]}
  ]
}
EOF
}

lftp_body() {           # the same session for the passive and the active lftp case
  cat >>"$WORK/$1/$2.lftp" <<EOF
ls pub
get pub/alpha.txt -o $WORK/$1/cli/out/alpha.txt
mirror pub/tree $WORK/$1/cli/out/tree
put $WORK/$1/cli/in/up.txt -o upload/up.txt
bye
EOF
}

lftp_transfers() {      # lftp_transfers METHOD: the transfers of lftp_body, in order (mirror goes alphabetically)
  cat <<EOF
      {"method": "$1", "command": "LIST", "file": null},
      {"method": "$1", "command": "RETR", "file": "alpha.txt", "bytes": $SZ_ALPHA},
      {"method": "$1", "command": "MLSD", "file": null},
      {"method": "$1", "command": "RETR", "file": "one.txt", "bytes": $SZ_ONE},
      {"method": "$1", "command": "RETR", "file": "three.txt", "bytes": $SZ_THREE},
      {"method": "$1", "command": "RETR", "file": "two.txt", "bytes": $SZ_TWO},
      {"method": "$1", "command": "STOR", "file": "up.txt", "bytes": $SZ_UP}
EOF
}

check_lftp_files() {
  local d=$WORK/$1 f
  same_file "$d/cli/out/alpha.txt" "$d/root/pub/alpha.txt"
  for f in one two three; do same_file "$d/cli/out/tree/$f.txt" "$d/root/pub/tree/$f.txt"; done
  same_file "$d/root/upload/up.txt" "$d/cli/in/up.txt"
}

case_pyftpdlib-lftp-pasv() {
  local c=pyftpdlib-lftp-pasv
  pyftpd_start $c "$SRV4"
  lftp_script $c session on no "$SRV4"
  lftp_body $c session
  capture_start $c
  lftp_run $c session
  capture_stop $c
  check_lftp_files $c
  write_plan $c <<EOF
{
$(plan_head $c pyftpdlib "$V_PYFTPDLIB" lftp "$V_LFTP")
  "control_ports": [21],
  "ftpflow_options": [],
  "exercises": ["ipv4", "passive-PASV", "LIST", "MLSD", "RETR", "STOR", "multiple-transfers-per-session",
                "non-transfer-commands-between-setup-and-transfer"],
  "notes": ["One lftp session (ftp:passive-mode on, ftp:prefer-epsv no): ls, get, mirror (MLSD + 3 RETR), put: seven data connections on one control connection."],
  "sessions": [
    {"client": "lftp passive", "transfers": [
$(lftp_transfers PASV)]}
  ]
}
EOF
}

case_pyftpdlib-lftp-active() {
  local c=pyftpdlib-lftp-active
  pyftpd_start $c "$SRV4"
  lftp_script $c session off no "$SRV4"
  lftp_body $c session
  capture_start $c
  lftp_run $c session
  capture_stop $c
  check_lftp_files $c
  write_plan $c <<EOF
{
$(plan_head $c pyftpdlib "$V_PYFTPDLIB" lftp "$V_LFTP")
  "control_ports": [21],
  "ftpflow_options": [],
  "exercises": ["ipv4", "active-PORT", "active-server-source-port-not-20", "LIST", "MLSD", "RETR", "STOR",
                "multiple-transfers-per-session", "data-connection-before-setup-reply"],
  "notes": ["One lftp session (ftp:passive-mode off): ls, get, mirror (MLSD + 3 RETR), put over PORT.",
            "pyftpdlib connects the data connection from an ephemeral port before it answers the PORT command (200 Active data connection established)."],
  "sessions": [
    {"client": "lftp active", "transfers": [
$(lftp_transfers PORT)]}
  ]
}
EOF
}

case_pyftpdlib-lftp-mixed() {
  local c=pyftpdlib-lftp-mixed d=$WORK/pyftpdlib-lftp-mixed pids=() p
  pyftpd_start $c "$SRV4"
  lftp_script $c a on no "$SRV4"
  cat >>"$d/a.lftp" <<EOF
get pub/gamma.bin -o $d/cli/out/a-gamma.bin
get pub/alpha.txt -o $d/cli/out/a-alpha.txt
bye
EOF
  lftp_script $c b off no "$SRV4"
  cat >>"$d/b.lftp" <<EOF
get pub/gamma.bin -o $d/cli/out/b-gamma.bin
put $d/cli/in/up.txt -o upload/up.txt
bye
EOF
  lftp_script $c c on yes "$SRV4"
  cat >>"$d/c.lftp" <<EOF
ls pub
get pub/alpha.txt -o $d/cli/out/c-alpha.txt
bye
EOF
  # A 512 kbit/s token bucket on both ends stretches each transfer over a few hundred ms, so the
  # sessions, started 0.1 s apart, run their transfers at the same time and their packets interleave.
  shape_link on
  capture_start $c
  for p in a b c; do
    # Not through cli(): a backgrounded shell function would hide timeout's PID behind a subshell.
    timeout -s TERM $CLIENT_TIMEOUT ip netns exec "$NS_CLI" lftp --norc -f "$d/$p.lftp" >"$d/$p.out" 2>&1 &
    pids+=($!)
    PIDS+=($!)
    sleep 0.1
  done
  for p in "${pids[@]}"; do
    wait "$p" || die "an lftp session of $c failed: $(cat "$d"/*.out)"
  done
  local keep=() q
  for q in "${PIDS[@]}"; do [[ " ${pids[*]} " == *" $q "* ]] || keep+=("$q"); done
  PIDS=("${keep[@]}")
  capture_stop $c
  shape_link off
  same_file "$d/cli/out/a-gamma.bin" "$d/root/pub/gamma.bin"
  same_file "$d/cli/out/b-gamma.bin" "$d/root/pub/gamma.bin"
  same_file "$d/cli/out/a-alpha.txt" "$d/root/pub/alpha.txt"
  same_file "$d/cli/out/c-alpha.txt" "$d/root/pub/alpha.txt"
  same_file "$d/root/upload/up.txt" "$d/cli/in/up.txt"
  write_plan $c <<EOF
{
$(plan_head $c pyftpdlib "$V_PYFTPDLIB" lftp "$V_LFTP")
  "control_ports": [21],
  "ftpflow_options": [],
  "parallel_sessions": true,
  "exercises": ["ipv4", "passive-PASV", "passive-EPSV-over-ipv4", "active-PORT", "active-server-source-port-not-20",
                "several-control-sessions", "interleaved-sessions", "same-client-address-several-sessions",
                "LIST", "RETR", "STOR"],
  "notes": ["Three lftp processes started 0.1 s apart against one pyftpdlib, over a link shaped to 512 kbit/s (tbf on both veth ends), so their control sessions and data connections overlap in time: session a PASV, session b PORT, session c EPSV. The order of the sessions in the capture is the order they were started; derive-truth.py checks that data connections of different sessions overlap."],
  "sessions": [
    {"client": "lftp a (passive, PASV)", "transfers": [
      {"method": "PASV", "command": "RETR", "file": "gamma.bin", "bytes": $SZ_GAMMA},
      {"method": "PASV", "command": "RETR", "file": "alpha.txt", "bytes": $SZ_ALPHA}]},
    {"client": "lftp b (active, PORT)", "transfers": [
      {"method": "PORT", "command": "RETR", "file": "gamma.bin", "bytes": $SZ_GAMMA},
      {"method": "PORT", "command": "STOR", "file": "up.txt", "bytes": $SZ_UP}]},
    {"client": "lftp c (passive, EPSV)", "transfers": [
      {"method": "EPSV", "command": "LIST", "file": null},
      {"method": "EPSV", "command": "RETR", "file": "alpha.txt", "bytes": $SZ_ALPHA}]}
  ]
}
EOF
}

case_pyftpdlib-curl-ipv6-epsv() {
  local c=pyftpdlib-curl-ipv6-epsv o=$WORK/pyftpdlib-curl-ipv6-epsv/cli/out r=$WORK/pyftpdlib-curl-ipv6-epsv/root/pub
  pyftpd_start $c "$SRV6"
  capture_start $c
  curl_cli --globoff "ftp://[$SRV6]/pub/" -o "$o/list" "ftp://[$SRV6]/pub/alpha.txt" -o "$o/alpha.txt"
  capture_stop $c
  same_file "$o/alpha.txt" "$r/alpha.txt"
  write_plan $c <<EOF
{
$(plan_head $c pyftpdlib "$V_PYFTPDLIB" curl "$V_CURL")
  "control_ports": [21],
  "ftpflow_options": [],
  "exercises": ["ipv6", "passive-EPSV", "LIST", "RETR", "multiple-transfers-per-session"],
  "notes": ["IPv6 control and data connections ($CLI6 -> $SRV6); curl's default EPSV."],
  "sessions": [
    {"client": "curl (2 URLs, IPv6)", "transfers": [
      {"method": "EPSV", "command": "LIST", "file": null},
      {"method": "EPSV", "command": "RETR", "file": "alpha.txt", "bytes": $SZ_ALPHA}]}
  ]
}
EOF
}

case_pyftpdlib-curl-ipv6-eprt() {
  local c=pyftpdlib-curl-ipv6-eprt o=$WORK/pyftpdlib-curl-ipv6-eprt/cli/out r=$WORK/pyftpdlib-curl-ipv6-eprt/root/pub
  pyftpd_start $c "$SRV6"
  capture_start $c
  curl_cli --globoff -P - "ftp://[$SRV6]/pub/beta.bin" -o "$o/beta.bin" "ftp://[$SRV6]/pub/" -o "$o/list"
  capture_stop $c
  same_file "$o/beta.bin" "$r/beta.bin"
  write_plan $c <<EOF
{
$(plan_head $c pyftpdlib "$V_PYFTPDLIB" curl "$V_CURL")
  "control_ports": [21],
  "ftpflow_options": [],
  "exercises": ["ipv6", "active-EPRT", "active-server-source-port-not-20", "RETR", "LIST", "multiple-transfers-per-session"],
  "notes": ["IPv6 active mode: curl -P - sends EPRT |2|$CLI6|port|; pyftpdlib connects from an ephemeral port."],
  "sessions": [
    {"client": "curl -P - (2 URLs, IPv6)", "transfers": [
      {"method": "EPRT", "command": "RETR", "file": "beta.bin", "bytes": $SZ_BETA},
      {"method": "EPRT", "command": "LIST", "file": null}]}
  ]
}
EOF
}

# ---------------------------------------------------------------- main
main() {
  if [[ ${1:-} == --list ]]; then printf '%s\n' "${ALL_CASES[@]}"; return 0; fi
  [[ $(id -u) == 0 ]] || die "needs root (network namespaces, dumpcap, vsftpd)"
  local tool
  for tool in ip ss tc vsftpd curl lftp dumpcap capinfos tshark timeout cmp "$PY"; do
    command -v "$tool" >/dev/null || die "missing $tool"
  done
  "$PY" -c 'import pyftpdlib' || die "$PY lacks pyftpdlib (Debian: apt-get install python3-pyftpdlib)"

  local cases=("$@") c k known attempt
  ((${#cases[@]})) || cases=("${ALL_CASES[@]}")
  for c in "${cases[@]}"; do
    known=no
    for k in "${ALL_CASES[@]}"; do [[ $k == "$c" ]] && known=yes; done
    [[ $known == yes ]] || die "unknown case $c (see --list)"
  done

  trap cleanup EXIT
  trap 'exit 130' INT TERM
  WORK=$(mktemp -d /tmp/ftpflow-golden.XXXXXX)
  chmod 755 "$WORK"
  versions
  setup_network
  for c in "${cases[@]}"; do
    log "recording $c"
    # A recording the oracle rejects is recorded again, at most RECORD_ATTEMPTS times: under the shaped
    # link of the mixed case pyftpdlib now and then leaves an accepted passive data connection idle, and
    # lftp reconnects after its 10 s timeout (a fourth control connection the plan does not have).
    for ((attempt = 1; ; attempt++)); do
      rm -rf "${WORK:?}/$c" "$WORK/stage/$c"
      make_case_dirs "$c"
      "case_$c"
      stop_pid "$SERVER_PID" TERM
      publish "$c" && break
      ((attempt < RECORD_ATTEMPTS)) || die "derive-truth.py rejects $c $attempt times; nothing of it was replaced"
      log "derive-truth.py rejects $c (attempt $attempt), recording it again"
    done
  done
  log "done: ${cases[*]}"
}

main "$@"
