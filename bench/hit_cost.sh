#!/bin/bash
# What one hit costs: bench/hits.bpf.c (64 sites in a row, each hit once a
# run) run REPEAT times by `bpfsdt run`, whose summary carries the kernel's
# mean duration of one run; each mode's excess over the same program built
# without sites, divided by 64, is its cost per hit. Median of ROUNDS, interleaved.
#   bench/hit_cost.sh [REPEAT] [ROUNDS]      (BUILD: the build directory)
set -euo pipefail
BUILD=${BUILD:-build}
REPEAT=${1:-200000}
ROUNDS=${2:-5}
B=$BUILD/bench
PKT=$(mktemp)
trap 'rm -f "$PKT"' EXIT
head -c 64 /dev/zero > "$PKT"

duration() { # OBJ ARGS...: the kernel's mean ns per run
	"$BUILD/bpfsdt" run --json "$1" hits --data-in "$PKT" --repeat "$REPEAT" "${@:2}" |
		sed -n 's/.*"duration_ns": \([0-9]*\).*/\1/p' | tail -n1
}

modes=(no_sites dormant hand_count hand_percpu count empty_observer)
declare -A v
med=()
for ((r = 0; r < ROUNDS; r++)); do
	v[no_sites]+="$(duration "$B/hits_no_sites.bpf.o" --dormant) "
	v[dormant]+="$(duration "$B/hits.bpf.o" --dormant) "
	v[hand_count]+="$(duration "$B/hits_hand_count.bpf.o" --dormant) "
	v[hand_percpu]+="$(duration "$B/hits_hand_percpu.bpf.o" --dormant) "
	v[count]+="$(duration "$B/hits.bpf.o" --count --trace hit) "
	v[empty_observer]+="$(duration "$B/hits.bpf.o" --observer "$B/empty_observer.bpf.o") "
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for m in "${modes[@]}"; do
	med[${#med[@]}]=$(echo "${v[$m]}" | median)
done
base=${med[0]} # no sites
printf '%-16s %10s %10s\n' mode "ns/run" "ns/hit"
for i in "${!modes[@]}"; do
	awk -v m="${modes[$i]}" -v d="${med[$i]}" -v b="$base" \
		'BEGIN { printf "%-16s %10d %10.2f\n", m, d, (d - b) / 64 }'
done
awk -v c="${med[4]}" -v h="${med[2]}" -v p="${med[3]}" -v d="${med[1]}" -v n="$base" 'BEGIN {
	printf "count mode / hand-written counter, per hit: %.2fx (atomic), %.2fx (per CPU)\n",
	       (c - n) / (h - n), (c - n) / (p - n)
	printf "dormant sites / no sites, per run: %.2fx\n", d / n
}'
