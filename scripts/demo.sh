#!/bin/sh
# The main job, for now: build the example XDP program and show its probes;
# then (as root) load it and show that its dormant sites cost nothing, and
# trace packets through it with `bpfsdt run` (BPF_PROG_TEST_RUN).
set -eu
BUILD=${BUILD:-build}
OBJ="$BUILD/examples/xdp_filter.bpf.o"
BPFSDT="$BUILD/bpfsdt"
PIN=/sys/fs/bpf/bpfsdt_demo_$$

step() { printf '\n==> %s\n' "$*"; }

step "Probes declared in the example (examples/xdp_filter.bpf.c):"
"$BPFSDT" list "$OBJ"

step "The same as JSON (bpfsdt list --json):"
"$BPFSDT" list --json "$OBJ"

if [ "$(id -u)" -ne 0 ] || ! command -v bpftool >/dev/null; then
	step "Not root: skipping the load step."
	exit 0
fi
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
trap 'rm -f "$PIN"' EXIT
step "Loading it with a standard loader (bpftool prog load):"
bpftool prog load "$OBJ" "$PIN" 2>/dev/null
bpftool prog show pinned "$PIN" | head -1
elf_nops=$(llvm-objdump -d --section=xdp "$OBJ" | grep -c 'goto +0' || true)
kernel_nops=$(bpftool prog dump xlated pinned "$PIN" | grep -c 'goto pc+0' || true)
step "Dormant cost: the kernel deleted every site."
echo "'goto +0' probe sites in the ELF: $elf_nops; in the program the kernel runs: $kernel_nops"

# A UDP/IPv4 frame to port 53: Ethernet, IPv4 (ihl 5, proto 17), UDP, payload.
PKT=$(mktemp)
trap 'rm -f "$PIN" "$PKT"' EXIT
printf '\002\000\000\000\000\002\002\000\000\000\000\001\010\000' > "$PKT"
printf '\105\000\000\044\000\000\000\000\100\021\000\000\012\000\000\001\012\000\000\002' >> "$PKT"
printf '\060\071\000\065\000\020\000\000hello!!!' >> "$PKT"

step "Tracing one UDP packet to port 53 through it (bpfsdt run):"
"$BPFSDT" run "$OBJ" xdp_filter --data-in "$PKT"

step "The same as JSON lines:"
"$BPFSDT" run --json "$OBJ" xdp_filter --data-in "$PKT"

step "100000 packets, counted per site in the kernel (bpfsdt run --count):"
"$BPFSDT" run --count "$OBJ" xdp_filter --data-in "$PKT" --repeat 100000
