#!/usr/bin/env bash
# Installs the Debian packages ftpflow needs (run as root).
#   install/deps.sh          what running ftpflow needs: libpcap (headers to build the capture binding),
#                            a compiler for it, and Wireshark's command-line tools
#   install/deps.sh --test   also the real FTP servers, clients and tools the tests drive
set -euo pipefail
# Not root: ask sudo for root (a fresh Debian desktop has it; a root shell or CI needs nothing).
if [ "$(id -u)" -ne 0 ]; then exec sudo -- "$0" "$@"; fi
export DEBIAN_FRONTEND=noninteractive
packages=(libpcap-dev g++ make python3 tshark wireshark-common)
if [ "${1:-}" = "--test" ]; then
  packages+=(vsftpd python3-pyftpdlib lftp curl tcpdump iproute2 nftables time)
fi
# tshark asks whether non-root users may capture; answer "no" without a prompt (root tests capture anyway).
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
