#!/usr/bin/env bash
# build-selftests.sh TREE LIBBPF OUT: builds the series' in-tree selftests
# (tools/testing/selftests/bpf/prog_tests/sdt.c and progs/test_sdt*.c) into
# OUT/test_progs, a static test_progs that holds only them.
#
# Building the whole of selftests/bpf (hundreds of BPF objects, the test
# kernel modules, a full bpftool) takes longer than the kernel on 2 cores;
# this builds what `make -C tools/testing/selftests/bpf test_progs` would for
# these tests, from the same sources and with the same tools: the tree's
# bpftool (bootstrap) generates the skeletons from the BPF objects, and
# test_progs.c with its helpers is linked against the tree's libbpf with a
# tests.h naming only `sdt`.  In the guest: `test_progs -t sdt`.
#
# Called by kernel-test.sh; output in OUT, one log per step in OUT/logs.
set -euo pipefail

TREE=$(cd "$1" && pwd) LIBBPF=$(cd "$2" && pwd)
mkdir -p "$3"
OUT=$(cd "$3" && pwd)
CLANG=${CLANG:-clang}
JOBS=${JOBS:-$(nproc)}
SELFTESTS=$TREE/tools/testing/selftests/bpf
LOGS=$OUT/logs

die() { echo "build-selftests: error: $*" >&2; exit 1; }

logged() {
	local log=$LOGS/$1; shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "failed: $* (log: $log)"
	fi
}

[ -f "$SELFTESTS/prog_tests/sdt.c" ] || die "$SELFTESTS/prog_tests/sdt.c missing (is the series applied?)"
rm -rf "$OUT/gen" "$OUT/obj" "$OUT/test_progs"
mkdir -p "$LOGS" "$OUT/gen/prog_tests" "$OUT/obj"

# The tree's bpftool, as the selftests' Makefile builds it for skeletons.
# Incremental: a rerun on an unchanged tree only checks it is up to date.
BPFTOOL=$OUT/bpftool/bootstrap/bpftool
mkdir -p "$OUT/bpftool"
logged bpftool.log make -C "$TREE/tools/bpf/bpftool" -j"$JOBS" OUTPUT="$OUT/bpftool/" bootstrap

# BPF objects and their skeletons (the selftests' BPF_CFLAGS).
multiarch=$(gcc -dumpmachine)
for src in "$SELFTESTS"/progs/test_sdt*.c; do
	name=$(basename "$src" .c)
	logged "bpf-$name.log" "$CLANG" -g -O2 -Wall -Werror --target=bpf -mcpu=v3 \
		-D__TARGET_ARCH_x86 -I"$LIBBPF/include" -I"$SELFTESTS" -I"$SELFTESTS/progs" \
		-I"$TREE/tools/include/uapi" -I/usr/include/"$multiarch" \
		-c "$src" -o "$OUT/obj/$name.bpf.o"
	"$BPFTOOL" gen skeleton "$OUT/obj/$name.bpf.o" name "$name" \
		>"$OUT/gen/$name.skel.h" 2>"$LOGS/skel-$name.log" ||
		die "bpftool gen skeleton $name failed (log: $LOGS/skel-$name.log)"
done

echo 'DEFINE_TEST(sdt)' >"$OUT/gen/prog_tests/tests.h"

# test_progs.c and the helpers the Makefile links into every test_progs
# (TRUNNER_EXTRA_SOURCES), with the Makefile's include path.
extras=(test_progs.c cgroup_helpers.c trace_helpers.c network_helpers.c testing_helpers.c
	btf_helpers.c cap_helpers.c unpriv_helpers.c netlink_helpers.c jit_disasm_helpers.c
	test_loader.c xsk.c disasm.c disasm_helpers.c json_writer.c)
srcs=("$SELFTESTS/prog_tests/sdt.c")
for f in "${extras[@]}"; do
	srcs+=("$SELFTESTS/$f")
done
logged test_progs.log gcc -g -O2 -Wall -std=gnu11 \
	-I"$OUT/gen" -I"$SELFTESTS" -I"$LIBBPF/include" -I"$TREE/tools/include" \
	-I"$TREE/tools/include/uapi" -I"$TREE/tools/lib" \
	-o "$OUT/test_progs" "${srcs[@]}" \
	-static "$LIBBPF/obj/libbpf.a" -lelf -lz -lrt -lpthread
echo "built $OUT/test_progs (tests: sdt)"
