#!/usr/bin/env bash
# prepare.sh: what compiling the kernel's BPF selftests needs, under
# $CORPUS_OUT (default build/corpus):
#   src/linux-source-6.12/  the selftests and what their progs include, from
#                           Debian's linux-source-6.12 (only those parts: the
#                           whole tree is 1.4 GB, these 15 MB)
#   include/bpf/            the tree's own libbpf headers, installed as its
#                           Makefile's install_headers would (the host's
#                           libbpf-dev 1.1.2 lacks what 6.12's progs use)
#   include/vmlinux.h       the running kernel's types, from its BTF
# Installs the missing Debian packages first (scripts/install-deps.sh):
# linux-source-6.12, xz-utils, and one package per compiler in $CORPUS_CLANG.
# Idempotent: unpacks again only when the source package changed, and
# rewrites vmlinux.h only when the kernel's types did (objects are rebuilt
# when it changes).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${CORPUS_OUT:-$ROOT/build/corpus}
SRC_PKG=linux-source-6.12
TARBALL=/usr/src/$SRC_PKG.tar.xz

die() { echo "corpus: error: $*" >&2; exit 1; }

# clang-19 comes from the package of that name; a plain "clang" from "clang".
packages=("$SRC_PKG" xz-utils)
for cc in ${CORPUS_CLANG:-clang-14 clang-19}; do
	packages+=("$(basename "$cc")")
done
"$ROOT/scripts/install-deps.sh" "${packages[@]}"
[ -f "$TARBALL" ] || die "$TARBALL missing although $SRC_PKG is installed"

version=$(dpkg-query -W -f='${Version}' "$SRC_PKG")
SRC=$OUT/src
stamp=$SRC/.unpacked
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$version" ]; then
	echo "corpus: unpacking the BPF selftests from $TARBALL ($version)"
	rm -rf "$SRC" "$SRC.tmp"
	mkdir -p "$SRC.tmp"
	# The tarball's top directory, read from its first entry.
	top=$(tar -tJf "$TARBALL" 2>/dev/null | head -n 1 | cut -d/ -f1) || true
	[ -n "$top" ] || die "cannot list $TARBALL"
	tar -xJf "$TARBALL" -C "$SRC.tmp" \
		"$top/tools/testing/selftests/bpf" "$top/tools/lib/bpf" \
		"$top/tools/include" "$top/scripts/bpf_doc.py"
	[ "$top" = "$SRC_PKG" ] || mv "$SRC.tmp/$top" "$SRC.tmp/$SRC_PKG"
	mv "$SRC.tmp" "$SRC"
	echo "$version" >"$stamp"
fi
TREE=$SRC/$SRC_PKG
[ -d "$TREE/tools/testing/selftests/bpf/progs" ] || die "no selftests progs in $TREE"

# libbpf's install_headers: its SRC_HDRS list plus the generated helper
# definitions (bpf_doc.py on the tree's UAPI bpf.h, as its Makefile does).
INC=$OUT/include
mkdir -p "$INC/bpf"
hdrs=$(sed -n '/^SRC_HDRS :=/,/[^\\]$/p' "$TREE/tools/lib/bpf/Makefile" |
	sed -e 's/^SRC_HDRS :=//' -e 's/\\$//')
[ -n "$hdrs" ] || die "no SRC_HDRS in $TREE/tools/lib/bpf/Makefile"
for h in $hdrs; do
	cmp -s "$TREE/tools/lib/bpf/$h" "$INC/bpf/$h" || cp "$TREE/tools/lib/bpf/$h" "$INC/bpf/$h"
done

# Writes stdin to $1 only if it differs, keeping the old file's mtime otherwise.
update() {
	cat >"$1.tmp"
	if cmp -s "$1.tmp" "$1"; then rm -f "$1.tmp"; else mv "$1.tmp" "$1"; fi
}
python3 "$TREE/scripts/bpf_doc.py" --header --file "$TREE/tools/include/uapi/linux/bpf.h" |
	update "$INC/bpf/bpf_helper_defs.h"
[ -s "$INC/bpf/bpf_helper_defs.h" ] || die "bpf_doc.py produced no bpf_helper_defs.h"

[ -r /sys/kernel/btf/vmlinux ] || die "the running kernel has no BTF (/sys/kernel/btf/vmlinux)"
bpftool btf dump file /sys/kernel/btf/vmlinux format c | update "$INC/vmlinux.h"
[ -s "$INC/vmlinux.h" ] || die "bpftool wrote an empty vmlinux.h"
