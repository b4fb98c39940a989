#!/usr/bin/env bash
# compile.sh CLANG: compiles every tools/testing/selftests/bpf/progs/*.c with
# CLANG as the selftests' Makefile does for test_progs (-mcpu=v3, its
# BPF_CFLAGS and CLANG_CFLAGS, its per-file CFLAGS), against the running
# kernel's vmlinux.h (scripts/corpus/prepare.sh makes what this needs).
#
# Writes under $CORPUS_OUT/clang-<major>/: NAME.bpf.o for each source that
# compiles, log/NAME.log for each, and build.tsv, one line per source:
#   source  ok|failed  seconds  first error line
# A source that fails is recorded, not fatal: the corpus is what compiles.
# Objects are reused while the compiler, the flags, the source package and
# vmlinux.h stay the same. CORPUS_SOURCES="a b" compiles only progs/a.c and
# progs/b.c (build.tsv then lists what has been compiled so far).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${CORPUS_OUT:-$ROOT/build/corpus}
TREE=$OUT/src/linux-source-6.12
SELFTESTS=$TREE/tools/testing/selftests/bpf
INC=$OUT/include
JOBS=${JOBS:-$(nproc)}

die() { echo "corpus: error: $*" >&2; exit 1; }

# One source, run in parallel by xargs below: --one CLANG DIR SRC, its
# flags in DIR/cflags (one per line) and DIR/extra.tsv (NAME, flags); its
# build.tsv line goes to DIR/log/NAME.log.result.
if [ "${1:-}" = --one ]; then
	cc=$2 dir=$3 src=$4
	name=$(basename "$src" .c)
	obj=$dir/$name.bpf.o log=$dir/log/$name.log
	rm -f "$obj" "$log.result"
	mapfile -t flags <"$dir/cflags"
	# shellcheck disable=SC2207  # the Makefile's per-file flags are words
	flags+=($(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$dir/extra.tsv"))
	t0=$(date +%s%N)
	status=ok
	"$cc" "${flags[@]}" -c "$src" -o "$obj" >"$log" 2>&1 || status=failed
	t1=$(date +%s%N)
	err=""
	if [ $status = failed ]; then
		rm -f "$obj"
		err=$(grep -m 1 -E 'error:' "$log" | sed -e "s|^$SELFTESTS/||" |
			tr '\t' ' ') || true
		[ -n "$err" ] || err=$(tail -n 1 "$log" | tr '\t' ' ')
	fi
	printf '%s\t%s\t%d.%02d\t%s\n' "$name.c" "$status" $(((t1 - t0) / 1000000000)) \
		$(((t1 - t0) / 10000000 % 100)) "$err" >"$log.result"
	exit 0
fi

CLANG=${1:?usage: compile.sh CLANG}
command -v "$CLANG" >/dev/null ||
	die "no compiler $CLANG (make corpus installs those CORPUS_CLANG names)"
if [ ! -f "$INC/vmlinux.h" ] || [ ! -d "$SELFTESTS/progs" ]; then
	die "run scripts/corpus/prepare.sh first"
fi
major=$("$CLANG" -dumpversion | cut -d. -f1)
DIR=$OUT/clang-$major
mkdir -p "$DIR/log"

# The Makefile's CLANG_SYS_INCLUDES: the compiler's own system include
# directories, searched last (-idirafter), for the headers --target=bpf
# does not find (asm/byteorder.h, sys/cdefs.h, ...).
mapfile -t sys_includes < <("$CLANG" -v -E - </dev/null 2>&1 |
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter\n\1|p }')

# BPF_CFLAGS and CLANG_CFLAGS of the test_progs flavour (CLANG_BPF_BUILD_RULE).
# The Makefile's -I$(OUTPUT)/../usr/include (a headers_install of the
# whole tree) is left out: the host's kernel headers serve instead.
CFLAGS=(-g -Wall -Werror -D__TARGET_ARCH_x86 -mlittle-endian
	-I"$INC" -I"$SELFTESTS" -I"$TREE/tools/include/uapi"
	-Wno-compare-distinct-pointer-types "${sys_includes[@]}" -DENABLE_ATOMICS_TESTS
	-O2 --target=bpf -mcpu=v3)

# Per-file flags, as the Makefile states them:
#   progs/NAME.c-CFLAGS := FLAGS       and    $(OUTPUT)/NAME.o: BPF_CFLAGS += FLAGS
declare -A extra
while IFS=$'\t' read -r name flags; do
	extra[$name]="${extra[$name]:-} $flags"
done < <(sed -n -E -e 's/^progs\/([A-Za-z0-9_]+)\.c-CFLAGS :?= (.*)$/\1\t\2/p' \
		-e 's/^\$\(OUTPUT\)\/([A-Za-z0-9_]+)\.o: BPF_CFLAGS \+= (.*)$/\1\t\2/p' \
		"$SELFTESTS/Makefile")

# Everything that changes the objects; a change throws the old ones away.
config=$({
	"$CLANG" --version | head -n 1
	cat "$OUT/src/.unpacked"
	printf '%s\n' "${CFLAGS[@]}"
	for k in "${!extra[@]}"; do echo "$k ${extra[$k]}"; done | sort
	sha256sum <"$INC/vmlinux.h"
	sha256sum <"$INC/bpf/bpf_helper_defs.h"
} | sha256sum | cut -c1-16)
if [ "$(cat "$DIR/.config" 2>/dev/null)" != "$config" ]; then
	rm -rf "$DIR"
	mkdir -p "$DIR/log"
	echo "$config" >"$DIR/.config"
fi

printf '%s\n' "${CFLAGS[@]}" >"$DIR/cflags"
for k in "${!extra[@]}"; do printf '%s\t%s\n' "$k" "${extra[$k]}"; done >"$DIR/extra.tsv"

echo "corpus: compiling with $CLANG (${CORPUS_SOURCES:-all of progs/*.c}), $JOBS at a time"
# The sources to compile; those with a result under this configuration
# are done: compiled and their object still there, or failed (they would
# fail again).
if [ -n "${CORPUS_SOURCES:-}" ]; then
	for name in $CORPUS_SOURCES; do
		[ -f "$SELFTESTS/progs/$name.c" ] || die "no source progs/$name.c"
		echo "$SELFTESTS/progs/$name.c"
	done
else
	printf '%s\n' "$SELFTESTS"/progs/*.c
fi | while read -r src; do
	name=$(basename "$src" .c)
	result=$DIR/log/$name.log.result
	[ -f "$result" ] && { [ -f "$DIR/$name.bpf.o" ] || grep -q "	failed	" "$result"; } ||
		echo "$src"
done | xargs -r -P "$JOBS" -I{} "$0" --one "$CLANG" "$DIR" {} >/dev/null
cat "$DIR"/log/*.result | sort >"$DIR/build.tsv"
ok=$(awk -F'\t' '$2 == "ok"' "$DIR/build.tsv" | wc -l)
echo "corpus: $CLANG: $ok of $(wc -l <"$DIR/build.tsv") sources compiled" \
	"(${DIR#"$ROOT"/}/build.tsv)"
