#!/bin/sh
# Installs ftpflow into Wireshark: the extcap launcher and the Lua fields plugin (wireshark/ftpflow.lua).
#
#   install/install.sh                 personal folders of the current user (recommended)
#   install/install.sh --system        Wireshark's global folders (needs root)
#   install/install.sh --uninstall     removes exactly what the manifest lists (add --system for a system install)
#   --extcap-dir DIR / --plugins-dir DIR   override the folders (e.g. when no tshark is in PATH)
#
# Where things go. The folders depend on the Wireshark version, so ask TShark (`tshark -G folders`):
#   extcap, personal:  "Personal Extcap path" (printed by 4.2+, which searches ~/.local/lib/wireshark/extcap);
#                      4.0 and older search <Personal configuration>/extcap (~/.config/wireshark/extcap, honouring
#                      XDG_CONFIG_HOME) but do not print it, so it is derived from "Personal configuration".
#   extcap, --system:  "Global Extcap path" (4.2+) or "Extcap path" (4.0; Debian /usr/lib/<arch>/wireshark/extcap).
#   Lua plugin:        "Personal Lua Plugins" (~/.local/lib/wireshark/plugins), or "Global Lua Plugins".
#
# What goes into the extcap folder is a generated three-line script, not a copy and not a symlink: it records
# the absolute path of this package's launcher and of the node binary found now, because Wireshark started from
# a desktop menu often has a PATH without node. Everything written (files and the folders created for them) is
# listed in a manifest, by default ${XDG_DATA_HOME:-~/.local/share}/ftpflow/installed-files (/var/lib/ftpflow
# with --system), and --uninstall removes exactly those. Environment: TSHARK (the tshark to ask), FTPFLOW_NODE
# (the node to record), FTPFLOW_DIST (a compiled tree other than <package>/dist, recorded in the launcher).
set -eu

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# --- our own location, through symlinks (same walk as extcap/ftpflow) --------------------------------------
self=$0
hops=0
while [ -L "$self" ] && [ "$hops" -lt 40 ]; do
  target=$(readlink -- "$self") || break
  case $target in /*) self=$target ;; *) self=${self%/*}/$target ;; esac
  hops=$((hops + 1))
done
case $self in */*) ;; *) self=./$self ;; esac
root=$(cd -P -- "${self%/*}/.." && pwd -P) || die "cannot find the package root"

# --- arguments ------------------------------------------------------------------------------------------
scope=personal action=install extcap_dir= plugins_dir=
while [ $# -gt 0 ]; do
  case $1 in
    --system) scope=system ;;
    --uninstall) action=uninstall ;;
    --extcap-dir) [ $# -ge 2 ] || die "--extcap-dir needs a folder"; extcap_dir=$2; shift ;;
    --extcap-dir=*) extcap_dir=${1#*=} ;;
    --plugins-dir) [ $# -ge 2 ] || die "--plugins-dir needs a folder"; plugins_dir=$2; shift ;;
    --plugins-dir=*) plugins_dir=${1#*=} ;;
    -h|--help) sed -n '2,7s/^# \{0,1\}//p' "$self"; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
  shift
done

if [ "$scope" = system ]; then
  manifest=/var/lib/ftpflow/installed-files
else
  [ -n "${HOME:-}" ] || die "HOME is not set"
  manifest=${XDG_DATA_HOME:-$HOME/.local/share}/ftpflow/installed-files
fi

# --- uninstall: remove exactly the manifest's files, then the folders it created (deepest first, if empty) -
uninstall() {
  [ -f "$manifest" ] || { say "ftpflow: nothing to uninstall ($manifest not found)"; return 0; }
  sed -n 's/^file //p' "$manifest" | while IFS= read -r f; do
    if [ -f "$f" ] || [ -L "$f" ]; then rm -f -- "$f" && say "removed $f"; fi
  done
  dirs=$(sed -n 's/^dir //p' "$manifest" | awk '{ line[NR] = $0 } END { for (i = NR; i > 0; i--) print line[i] }')
  rm -f -- "$manifest"
  printf '%s\n' "$dirs" | while IFS= read -r d; do
    [ -n "$d" ] && [ -d "$d" ] && rmdir -- "$d" 2>/dev/null && say "removed $d/" || :
  done
}

if [ "$action" = uninstall ]; then
  uninstall
  exit 0
fi

# --- Wireshark's version and folders ----------------------------------------------------------------------
tshark=${TSHARK:-}
if [ -z "$tshark" ]; then
  for candidate in tshark /Applications/Wireshark.app/Contents/MacOS/tshark; do
    if command -v "$candidate" >/dev/null 2>&1; then tshark=$candidate; break; fi
  done
fi
version= folders=
if [ -n "$tshark" ]; then
  version=$("$tshark" --version 2>/dev/null | sed -n '1s/^[^0-9]*\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p')
  folders=$("$tshark" -G folders 2>/dev/null || :)
elif command -v wireshark >/dev/null 2>&1; then
  version=$(wireshark --version 2>/dev/null | sed -n '1s/^[^0-9]*\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p')
fi

# The value of one "Name:<tabs>value" line of `tshark -G folders` (first match).
folder() { printf '%s\n' "$folders" | sed -n "s/^$1:[[:space:]]*//p" | sed -n 1p; }

# 4.1.0 moved the personal extcap folder; "4.0.17" -> 4000017.
version_number() { printf '%s\n' "$1" | awk -F. '{ printf "%d\n", $1 * 1000000 + $2 * 1000 + $3 }'; }

if [ -z "$extcap_dir" ]; then
  if [ "$scope" = system ]; then
    extcap_dir=$(folder 'Global Extcap path')
    [ -n "$extcap_dir" ] || extcap_dir=$(folder 'Extcap path')
  else
    extcap_dir=$(folder 'Personal Extcap path')
    if [ -z "$extcap_dir" ] && [ -n "$version" ]; then
      if [ "$(version_number "$version")" -ge 4001000 ]; then
        extcap_dir=$HOME/.local/lib/wireshark/extcap
      else
        conf=$(folder 'Personal configuration')
        [ -n "$conf" ] || conf=${XDG_CONFIG_HOME:-$HOME/.config}/wireshark
        extcap_dir=$conf/extcap
      fi
    fi
  fi
fi
if [ -z "$plugins_dir" ]; then
  if [ "$scope" = system ]; then
    plugins_dir=$(folder 'Global Lua Plugins')
  else
    plugins_dir=$(folder 'Personal Lua Plugins')
    if [ -z "$plugins_dir" ] && [ -n "$version" ]; then plugins_dir=$HOME/.local/lib/wireshark/plugins; fi
  fi
fi
[ -n "$extcap_dir" ] && [ -n "$plugins_dir" ] ||
  die "cannot tell where Wireshark looks (no tshark/wireshark found, or an unexpected 'tshark -G folders'); pass --extcap-dir DIR --plugins-dir DIR"
# The manifest and the generated launcher need absolute paths.
case $extcap_dir in /*) ;; *) extcap_dir=$PWD/$extcap_dir ;; esac
case $plugins_dir in /*) ;; *) plugins_dir=$PWD/$plugins_dir ;; esac

# --- what we install ---------------------------------------------------------------------------------------
launcher_src=$root/extcap/ftpflow
lua_src=$root/wireshark/ftpflow.lua
dist=${FTPFLOW_DIST:-$root/dist}
[ -x "$launcher_src" ] || die "$launcher_src is missing or not executable"
[ -f "$lua_src" ] || die "$lua_src is missing"
[ -f "$dist/src/cli/main.js" ] || die "$dist/src/cli/main.js is missing: run 'npm run build' in $root first"

node=${FTPFLOW_NODE:-}
[ -n "$node" ] || node=$(command -v node 2>/dev/null) || die "node not found: install Node.js 20+ or set FTPFLOW_NODE"
case $node in /*) ;; *) node=$(command -v -- "$node") || die "node not found at $node" ;; esac
"$node" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  die "$node is older than Node.js 20"

# A path inside single quotes, for the generated script.
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

marker='written by ftpflow install/install.sh'
launcher_dst=$extcap_dir/ftpflow
lua_dst=$plugins_dir/ftpflow.lua

# Re-installing replaces the previous installation; a file of the same name that is not ours stays untouched.
if [ -e "$launcher_dst" ] && ! grep -q "$marker" "$launcher_dst" 2>/dev/null; then
  die "$launcher_dst exists and was not installed by ftpflow; remove it first"
fi
[ -f "$manifest" ] && uninstall >/dev/null

created=
# mkdir -p that remembers every folder it had to create (top-down), for the manifest.
make_dirs() {
  missing= d=$1
  while [ ! -d "$d" ]; do
    missing="$d
$missing"
    d=${d%/*}
    [ -n "$d" ] || break
  done
  mkdir -p -- "$1" || die "cannot create $1"
  created="$created$missing"
}

make_dirs "$extcap_dir"
make_dirs "$plugins_dir"
make_dirs "${manifest%/*}"

tmp=$launcher_dst.tmp.$$
{
  printf '#!/bin/sh\n'
  printf '# ftpflow extcap launcher, %s for %s; remove with install.sh --uninstall\n' "$marker" "$root"
  printf 'FTPFLOW_NODE=%s; export FTPFLOW_NODE\n' "$(quote "$node")"
  [ -z "${FTPFLOW_DIST:-}" ] || printf 'FTPFLOW_DIST=%s; export FTPFLOW_DIST\n' "$(quote "$dist")"
  printf 'exec %s "$@"\n' "$(quote "$launcher_src")"
} > "$tmp" || die "cannot write $launcher_dst"
chmod 755 "$tmp"
mv -f -- "$tmp" "$launcher_dst"
cp -- "$lua_src" "$lua_dst.tmp.$$" && mv -f -- "$lua_dst.tmp.$$" "$lua_dst" || die "cannot write $lua_dst"

{
  printf '# ftpflow install manifest (scope %s, Wireshark %s, package %s)\n' "$scope" "${version:-unknown}" "$root"
  printf '%s' "$created" | sed -n 's/^\(..*\)$/dir \1/p'
  printf 'file %s\n' "$launcher_dst" "$lua_dst"
} > "$manifest"

say "installed $launcher_dst"
say "installed $lua_dst"
say "manifest  $manifest"

# Smoke test: the launcher must list interfaces the way Wireshark will ask.
if "$launcher_dst" --extcap-interfaces --extcap-version="${version:-4.0}" 2>/dev/null | grep -q '^interface {value=ftpflow-'; then
  say "ok: the extcap lists its interfaces; restart Wireshark (or Capture > Refresh Interfaces) to see ftpflow-*"
else
  say "warning: $launcher_dst did not list any interface; try it by hand: $launcher_dst --extcap-interfaces" >&2
fi
