#!/bin/sh
# Installs the Debian packages bpfsdt needs to build, test and demo, if any is
# missing. Idempotent: does nothing (and needs no network) once they are there.
# Arguments name further packages a target needs (make corpus: the kernel's
# source package and clang-19). --build: only what building needs (plain
# `make` checks these before the first compiler error would name a header).
set -eu

BUILD_PACKAGES="make gcc clang llvm libbpf-dev libelf-dev zlib1g-dev libpcap-dev pkg-config"
if [ "${1:-}" = "--build" ]; then
	shift
	PACKAGES="$BUILD_PACKAGES $*"
else
	# tests: tcpdump reads trace --pcap captures, node_exporter serves
	# --prom-textfile metrics
	PACKAGES="$BUILD_PACKAGES libclang-rt-14-dev bpftool iproute2 iputils-ping python3 \
tcpdump prometheus-node-exporter $*"
fi
# Not Debian: nothing to ask; the compiler will name what is missing.
command -v dpkg-query >/dev/null 2>&1 || exit 0

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing Debian packages:$missing (run as root, or: apt-get install$missing)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
