#!/usr/bin/env bash
# kernel-test.sh: build a small kernel from Debian's linux-source-6.12 with the
# patches in kernel/patches/series, boot it in QEMU with an initramfs holding
# the guest test runner (kernel/guest/), and report the guest's results.
#
# Run through `make kernel-test`.  The last lines printed are the series'
# in-tree selftests' lines (test_progs -t sdt, kernel/build-selftests.sh),
# then the guest's "ok   NAME" / "FAIL NAME" lines (a failure's file:line
# and reason before it) and its "N passed, M failed, K skipped" summary.
# Exit status: 0 only if every selftest passed and the guest printed a
# summary with 0 failures.  A new tree (the series changed) is first
# checked with checkpatch.pl --strict (kernel/format-series.sh).
#
# The configured and built kernel tree is cached under build/kernel/tree-<key>,
# <key> hashing the source package version, the toolchain, kernel/patches/*
# and kernel/config/*: with none of them changed, a rerun only rebuilds the
# guest runner and the initramfs and boots.
#
# Environment: KERNEL_TEST_OUT (default build/kernel), KERNEL_TEST_TIMEOUT
# (seconds for the boot, default 300), JOBS (default nproc), CLANG (default clang),
# KERNEL_TEST_ACCEL (QEMU's -accel, default tcg,thread=single; see boot_guest).
# KERNEL_TEST_DEV_TREE=build/kernel/tree-<key>: patch development; use that
# already configured tree as it is (edited in place, not re-patched) and
# rebuild its kernel and libbpf incrementally before booting.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KDIR=$ROOT/kernel
OUT=${KERNEL_TEST_OUT:-$ROOT/build/kernel}
LOGS=$OUT/logs
JOBS=${JOBS:-$(nproc)}
CLANG=${CLANG:-clang}
BOOT_TIMEOUT=${KERNEL_TEST_TIMEOUT:-300}
QEMU_ACCEL=${KERNEL_TEST_ACCEL:-tcg,thread=single}

SRC_PKG=linux-source-6.12
SRC_TARBALL=/usr/src/$SRC_PKG.tar.xz
# ARCH=x86_64 (not x86): with ARCH=x86 tinyconfig would build a 32-bit kernel.
KMAKE=(make ARCH=x86_64)

# Debian packages the harness needs.  gcc/make/libc (build-essential), flex,
# bison, bc, libssl-dev and libelf-dev build the kernel; dwarves (pahole)
# produces its BTF; libelf-dev and zlib1g-dev also provide the static
# libelf.a/libz.a the guest runner links; clang compiles the BPF objects;
# python3 runs the tree's scripts/bpf_doc.py for libbpf.
PACKAGES=("$SRC_PKG" build-essential flex bison bc libssl-dev libelf-dev zlib1g-dev
	dwarves qemu-system-x86 busybox-static clang python3 xz-utils)

START=$SECONDS

say() { echo "== $*"; }
die() { echo "kernel-test: error: $*" >&2; exit 1; }

# Runs a long command with its output in a log file, not on the terminal;
# on failure shows the log's tail, names the log and stops.
run_logged() {
	local log=$1; shift
	mkdir -p "$(dirname "$log")"
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "failed: $* (full log: ${log#"$ROOT"/})"
	fi
}

# Installs the missing packages.  linux-source-6.12 is in bookworm-security
# (and bookworm-backports); only when the configured sources offer no
# candidate do we ask for it from bookworm-backports explicitly, and in a
# separate apt-get call so -t does not pull other packages from backports.
install_packages() {
	local missing=() p cand
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]} (run as root, or apt-get install them)"

	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	run_logged "$LOGS/apt-update.log" apt-get update
	local rest=() backports=0
	for p in "${missing[@]}"; do
		if [ "$p" = "$SRC_PKG" ]; then
			cand=$(apt-cache policy "$SRC_PKG" | awk '/Candidate:/ {print $2}')
			if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
				grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/ ||
					die "no apt source offers $SRC_PKG: enable bookworm-security or bookworm-backports in /etc/apt/sources.list.d/"
				backports=1
				continue
			fi
		fi
		rest+=("$p")
	done
	if [ ${#rest[@]} -gt 0 ]; then
		run_logged "$LOGS/apt-install.log" apt-get install -y --no-install-recommends "${rest[@]}"
	fi
	if [ $backports -eq 1 ]; then
		run_logged "$LOGS/apt-install-backports.log" \
			apt-get install -y --no-install-recommends -t bookworm-backports "$SRC_PKG"
	fi
	say "packages installed ($((SECONDS - START)) s)"
}

# Cache key of the kernel tree: everything that changes what is built
# (the patches the series file lists, not the cover letter).
cache_key() {
	{
		echo "$SRC_PKG $(dpkg-query -W -f='${Version}' "$SRC_PKG")"
		gcc --version | head -n 1
		pahole --version
		local f p
		for f in "$KDIR"/patches/series $(series_patches | while read -r p; do
				echo "$KDIR/patches/$p"; done) "$KDIR"/config/*; do
			[ -f "$f" ] || continue
			echo "== ${f#"$KDIR"/}"
			cat "$f"
		done
	} | sha256sum | cut -c1-16
}

# Patch file names listed in the series file, in order (comments and blank lines skipped).
series_patches() {
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$KDIR/patches/series"
}

# Unpacks the source and applies the series into a scratch directory, then
# renames it, so an interrupted or failed step never leaves a tree that
# looks ready.  Removes trees of other keys: each one is several GB.
prepare_tree() {
	[ -f "$TREE_ROOT/.prepared" ] && return 0
	local old
	for old in "$OUT"/tree-*; do
		[ -d "$old" ] && [ "$old" != "$TREE_ROOT" ] || continue
		say "removing stale kernel tree ${old#"$ROOT"/}"
		rm -rf "$old"
	done
	rm -rf "$TREE_ROOT"
	mkdir -p "$TREE_ROOT/unpack"
	say "unpacking $SRC_TARBALL"
	tar -xJf "$SRC_TARBALL" -C "$TREE_ROOT/unpack"
	local top=("$TREE_ROOT"/unpack/*)
	[ ${#top[@]} -eq 1 ] && [ -f "${top[0]}/Makefile" ] || die "unexpected layout in $SRC_TARBALL"

	local p n=0
	while read -r p; do
		[ -f "$KDIR/patches/$p" ] || die "kernel/patches/series lists $p, which is not in kernel/patches/"
		run_logged "$LOGS/patch-$p.log" patch -p1 --forward --batch -d "${top[0]}" -i "$KDIR/patches/$p"
		n=$((n + 1))
	done < <(series_patches)
	for p in "$KDIR"/patches/*.patch; do
		[ -f "$p" ] && [ "${p##*/}" != 0000-cover-letter.patch ] || continue
		series_patches | grep -qxF "${p##*/}" || say "warning: ${p##*/} is not listed in kernel/patches/series (not applied)"
	done
	say "applied $n patch(es) from kernel/patches/series"
	# Style is checked with the series, once per tree like the build.
	run_logged "$LOGS/checkpatch.log" env KERNEL_CHECKPATCH_TREE="${top[0]}" "$KDIR/format-series.sh" --check
	say "checkpatch.pl --strict: the series is clean (log: ${LOGS#"$ROOT"/}/checkpatch.log)"
	mv "${top[0]}" "$TREE"
	rmdir "$TREE_ROOT/unpack"
	touch "$TREE_ROOT/.prepared"
}

# Config lines the fragments require: every CONFIG_X=y not right after a "# optional" line.
required_options() {
	awk '/^# optional/ { opt = 1; next }
	     /^CONFIG_[A-Za-z0-9_]+=y$/ { if (!opt) print }
	     { opt = 0 }' "$KDIR"/config/*.config
}

# tinyconfig keeps the kernel (and the build) small; the fragments add what
# the tests need.  olddefconfig silently drops an option whose dependencies
# are not met, hence the check afterwards.
configure_tree() {
	if [ ! -f "$TREE_ROOT/.configured" ]; then
		say "configuring: tinyconfig + kernel/config/*.config"
		run_logged "$LOGS/config.log" "${KMAKE[@]}" -C "$TREE" tinyconfig
		(cd "$TREE" && run_logged "$LOGS/merge-config.log" \
			scripts/kconfig/merge_config.sh -m .config "$KDIR"/config/*.config)
		run_logged "$LOGS/olddefconfig.log" "${KMAKE[@]}" -C "$TREE" olddefconfig
		touch "$TREE_ROOT/.configured"
	fi
	local opt missing=()
	while read -r opt; do
		grep -qxF "$opt" "$TREE/.config" || missing+=("${opt%=y}")
	done < <(required_options)
	if [ ${#missing[@]} -gt 0 ]; then
		rm -f "$TREE_ROOT/.configured"
		die "not =y in the kernel .config (a dependency is missing from kernel/config/bpfsdt.config?): ${missing[*]}"
	fi
}

build_bzimage() {
	[ -z "$DEV_TREE" ] && [ -f "$TREE_ROOT/.built" ] && [ -f "$BZIMAGE" ] && return 0
	say "building bzImage (about 12 minutes from scratch on 2 cores; log: ${LOGS#"$ROOT"/}/bzImage.log)"
	local t=$SECONDS
	run_logged "$LOGS/bzImage.log" "${KMAKE[@]}" -C "$TREE" -j"$JOBS" bzImage
	touch "$TREE_ROOT/.built"
	say "bzImage built in $((SECONDS - t)) s"
}

# The tree's own libbpf (the one a kernel patch series would extend),
# static, with its headers installed next to it.
build_libbpf() {
	[ -z "$DEV_TREE" ] && [ -f "$TREE_ROOT/.libbpf" ] && return 0
	say "building the tree's libbpf (static)"
	[ -n "$DEV_TREE" ] || rm -rf "$LIBBPF"
	mkdir -p "$LIBBPF/obj"
	run_logged "$LOGS/libbpf.log" make -C "$TREE/tools/lib/bpf" -j"$JOBS" \
		OUTPUT="$LIBBPF/obj/" DESTDIR="$LIBBPF" prefix= \
		"$LIBBPF/obj/libbpf.a" install_headers
	[ -f "$LIBBPF/obj/libbpf.a" ] && [ -f "$LIBBPF/include/bpf/libbpf.h" ] ||
		die "libbpf build produced no libbpf.a or headers (log: ${LOGS#"$ROOT"/}/libbpf.log)"
	touch "$TREE_ROOT/.libbpf"
}

# The runner is static so the initramfs needs no libc; the tree's UAPI
# headers (tools/include/uapi) match the kernel under test, unlike the
# host's linux-libc-dev.
build_guest() {
	say "building the guest runner and BPF objects"
	local g=$OUT/guest multiarch
	multiarch=$(gcc -dumpmachine)
	rm -rf "$g"
	mkdir -p "$g/tests"
	local inc=(-I"$LIBBPF/include" -I"$TREE/tools/include/uapi" -I"$ROOT/include") srcs=() src obj
	# the runner is the host suite's harness (tests/unit/test.h) running the
	# guest's TEST()s; their hand-assembled programs use libbpfsdt's emitter
	# (its macros only)
	local runner_inc=("${inc[@]}" -I"$ROOT/src" -I"$ROOT/tests/unit")
	for src in "$KDIR"/guest/*.c; do
		[[ $src == *.bpf.c ]] || srcs+=("$src")
	done
	srcs+=("$ROOT/tests/unit/test_harness.c")
	run_logged "$LOGS/guest-runner.log" gcc -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
		"${runner_inc[@]}" -o "$g/guest-tests" "${srcs[@]}" \
		-static "$LIBBPF/obj/libbpf.a" -lelf -lz -lpthread
	for src in "$KDIR"/guest/*.bpf.c; do
		obj=$g/tests/$(basename "$src" .c).o
		run_logged "$LOGS/guest-bpf.log" "$CLANG" -O2 -g -Wall -target bpf \
			"${inc[@]}" -I/usr/include/"$multiarch" -c "$src" -o "$obj"
	done
	# bpfsdt itself, on the tree's libbpf: `bpfsdt run` and `trace` are
	# tested in the guest, where the kernel links observers itself. Only
	# linux/bpf.h comes from the tree: the rest of its UAPI does not mix
	# with the host's libc headers, which bpfsdt's netlink code uses.
	# No --pcap there: a static libpcap needs a static libsystemd, which
	# Debian does not ship.
	mkdir -p "$g/uapi/linux"
	cp "$TREE/include/uapi/linux/bpf.h" "$TREE/include/uapi/linux/bpf_common.h" "$g/uapi/linux/"
	"$ROOT/scripts/gen-helper-args.sh" "$LIBBPF/include/bpf/bpf_helper_defs.h" \
		>"$g/helper_args.c"
	run_logged "$LOGS/guest-bpfsdt.log" gcc -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
		-I"$LIBBPF/include" -I"$g/uapi" -I"$ROOT/include" -I"$ROOT/src" \
		-DBPFSDT_VERSION='"guest"' -DBPFSDT_NO_LIBPCAP -o "$g/bpfsdt" \
		$(find "$ROOT/src" -name '*.c' | sort) "$g/helper_args.c" "$ROOT"/tools/bpfsdt/*.c \
		-static "$LIBBPF/obj/libbpf.a" -lelf -lz -lpthread
	# The design comparison's relinking rows (bench/designs.c), on this kernel.
	run_logged "$LOGS/guest-bench.log" gcc -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
		-I"$LIBBPF/include" -I"$g/uapi" -I"$ROOT/include" -I"$ROOT/src" \
		-DBPFSDT_NO_LIBPCAP -o "$g/bench-designs" "$ROOT"/bench/designs.c \
		$(find "$ROOT/src" -name '*.c' | sort) "$g/helper_args.c" \
		-static "$LIBBPF/obj/libbpf.a" -lelf -lz -lpthread
}

# The series' in-tree selftests (prog_tests/sdt.c), as a test_progs of
# their own: kernel/build-selftests.sh says how and why.
build_selftests() {
	say "building the in-tree selftests (test_progs -t sdt)"
	run_logged "$LOGS/selftests.log" "$KDIR/build-selftests.sh" "$TREE" "$LIBBPF" "$TREE_ROOT/selftests"
}

# Packs the initramfs with the tree's usr/gen_init_cpio, which writes device
# nodes (/dev/console, needed before /init runs) without root or mknod.
pack_initramfs() {
	local g=$OUT/guest list busybox=/bin/busybox a f
	[ -x "$busybox" ] || busybox=/usr/bin/busybox
	[ -x "$busybox" ] || die "no static busybox (package busybox-static)"
	list=$g/initramfs.list
	{
		echo "dir /dev 0755 0 0"
		echo "nod /dev/console 0600 0 0 c 5 1"
		echo "dir /proc 0755 0 0"
		echo "dir /sys 0755 0 0"
		echo "dir /bin 0755 0 0"
		echo "dir /sbin 0755 0 0"
		echo "dir /tests 0755 0 0"
		echo "file /bin/busybox $busybox 0755 0 0"
		for a in sh mount mkdir cat echo ls uname grep dmesg sleep; do
			echo "slink /bin/$a busybox 0777 0 0"
		done
		echo "slink /sbin/reboot /bin/busybox 0777 0 0"
		echo "file /init $KDIR/guest/init 0755 0 0"
		echo "file /bin/guest-tests $g/guest-tests 0755 0 0"
		echo "file /bin/bpfsdt $g/bpfsdt 0755 0 0"
		echo "file /bin/bench-designs $g/bench-designs 0755 0 0"
		echo "file /bin/test_progs $TREE_ROOT/selftests/test_progs 0755 0 0"
		for f in "$g"/tests/*.bpf.o; do
			echo "file /tests/${f##*/} $f 0644 0 0"
		done
	} >"$list"
	"$TREE/usr/gen_init_cpio" "$list" >"$INITRAMFS" 2>"$LOGS/initramfs.log" ||
		die "gen_init_cpio failed (log: ${LOGS#"$ROOT"/}/initramfs.log)"
}

# Boots the guest; the console goes to a file.  -nic none: the tests make
# their own veths and need no NIC (and QEMU then wants no NIC ROM).
# thread=single: two vCPUs taking turns on one host thread. With
# multi-threaded TCG (KERNEL_TEST_ACCEL=tcg,thread=multi) a CPU running a BPF
# program while another pokes its code hits a stale int3 after
# text_poke_bp() is done: the stock fentry attach/detach test does as the
# SDT link/unlink one does (kernel/README.md).
# Prints the guest's result lines last; fails on a timeout, a QEMU error,
# a missing summary or any failed test.
boot_guest() {
	local console=$OUT/console.log rc=0 t=$SECONDS
	say "booting the guest (QEMU TCG, timeout ${BOOT_TIMEOUT} s; console: ${console#"$ROOT"/})"
	timeout --kill-after=10 "$BOOT_TIMEOUT" qemu-system-x86_64 -accel "$QEMU_ACCEL" -smp 2 -m 1G \
		-nographic -no-reboot -nic none -kernel "$BZIMAGE" -initrd "$INITRAMFS" \
		-append "console=ttyS0 panic=-1 quiet" </dev/null >"$console" 2>&1 || rc=$?
	tr -d '\r' <"$console" >"$console.txt"

	# The runner's output: from the start marker to its summary line.
	local results summary
	results=$(sed -n '/^== guest tests start$/,/^[0-9][0-9]* passed, [0-9][0-9]* failed, [0-9][0-9]* skipped$/p' "$console.txt" | sed 1d)
	summary=$(printf '%s\n' "$results" | grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' | tail -n 1 || true)
	say "guest ran for $((SECONDS - t)) s, total $((SECONDS - START)) s"

	if [ -z "$summary" ]; then
		echo "-- last lines of the guest console:" >&2
		tail -n 40 "$console.txt" >&2
		[ "$rc" -eq 124 ] && die "guest timed out after ${BOOT_TIMEOUT} s without a test summary"
		die "guest printed no test summary (QEMU exit status $rc)"
	fi
	local ok=1
	case $summary in *" 0 failed, "*) ;; *) ok=0 ;; esac
	# The in-tree selftests ran first (guest/init): test_progs's own lines.
	local selftests selftests_rc
	selftests=$(sed -n '/^== selftests start$/,/^== selftests exit status [0-9]*$/p' "$console.txt" | sed 1d)
	selftests_rc=$(printf '%s\n' "$selftests" | sed -n 's/^== selftests exit status //p')
	printf '%s\n' "$selftests" | grep -E '^#[0-9]|^Summary:' || true
	if [ "$selftests_rc" != 0 ] || ! printf '%s\n' "$selftests" | grep -qE '^Summary: [1-9][0-9]*/[0-9]+ PASSED, 0 SKIPPED, 0 FAILED$'; then
		echo "kernel-test: error: the in-tree selftests (test_progs -t sdt) failed or did not run" >&2
		ok=0
	fi
	if [ "$rc" -eq 124 ]; then
		echo "kernel-test: error: the guest did not shut down within ${BOOT_TIMEOUT} s" >&2
		ok=0
	elif [ "$rc" -ne 0 ]; then
		echo "kernel-test: error: QEMU exited with status $rc" >&2
		ok=0
	fi
	printf '%s\n' "$results"
	[ $ok -eq 1 ]
}

main() {
	mkdir -p "$LOGS"
	install_packages
	[ -f "$SRC_TARBALL" ] || die "$SRC_TARBALL missing although $SRC_PKG is installed"

	DEV_TREE=${KERNEL_TEST_DEV_TREE:-}
	if [ -n "$DEV_TREE" ]; then
		TREE_ROOT=$(cd "$DEV_TREE" && pwd)
		[ -f "$TREE_ROOT/.configured" ] || die "KERNEL_TEST_DEV_TREE=$DEV_TREE is not a configured kernel tree"
	else
		KEY=$(cache_key)
		TREE_ROOT=$OUT/tree-$KEY
	fi
	TREE=$TREE_ROOT/linux
	LIBBPF=$TREE_ROOT/libbpf
	BZIMAGE=$TREE/arch/x86/boot/bzImage
	INITRAMFS=$OUT/guest/initramfs.cpio
	say "kernel tree ${TREE_ROOT#"$ROOT"/} ($SRC_PKG $(dpkg-query -W -f='${Version}' "$SRC_PKG"))"

	if [ -z "$DEV_TREE" ]; then
		prepare_tree
		configure_tree
	fi
	build_bzimage
	build_libbpf
	build_guest
	build_selftests
	pack_initramfs
	boot_guest
}

main "$@"
