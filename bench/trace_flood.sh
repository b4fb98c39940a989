#!/bin/bash
# End-to-end trace delivery: one core (CPU 0) floods the example firewall's
# armed copy with BPF_PROG_TEST_RUN (bench/flood.c) while `bpfsdt trace`
# (pinned to CPU 1, its default ring) prints probe verdict's events, text
# or JSON, to a file in /dev/shm (memory: what a fast reader costs; the
# JSON summary is its last line). At each RATE (events a second, "max": as
# fast as the core goes), ROUNDS runs of SECONDS; prints per run the
# flood's rate, the events delivered per second and the share lost.
#   bench/trace_flood.sh [SECONDS] [ROUNDS] [RATE...]   (BUILD: build dir)
set -euo pipefail
BUILD=${BUILD:-build}
SECONDS_EACH=${1:-2}
ROUNDS=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
[ $# -gt 0 ] && RATES=("$@") || RATES=(5000000 max)
OBJ=$BUILD/examples/xdp_filter.bpf.o
NS=bpfsdt-flood-$$
OUT=/dev/shm/bpfsdt-flood-$$
TRACE=

cleanup() {
	[ -n "$TRACE" ] && kill -INT "$TRACE" 2>/dev/null && wait "$TRACE" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -f "$OUT" "$OUT.err"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link add v0 type veth peer name v1
ip -n "$NS" link set v0 up
ip -n "$NS" link set v1 up
ip -n "$NS" link set dev v0 xdp obj "$OBJ" sec xdp

one_run() { # MODE RATE
	local json= rate=$2 runs secs events lost
	[ "$1" = json ] && json=--json
	[ "$rate" = max ] && rate=
	rm -f "$OUT.err" # the last run's "Ctrl-C" must not start this flood early
	ip netns exec "$NS" taskset -c 1 "$BUILD/bpfsdt" trace --xdp v0 "$OBJ" verdict $json \
		> "$OUT" 2> "$OUT.err" &
	TRACE=$!
	until grep -q "Ctrl-C" "$OUT.err" 2>/dev/null; do sleep 0.05; done
	read -r _ runs _ secs < <(ip netns exec "$NS" taskset -c 0 "$BUILD/bench/flood" v0 \
		"$SECONDS_EACH" $rate)
	sleep 0.2
	kill -INT "$TRACE"
	wait "$TRACE"
	TRACE=
	if [ "$1" = json ]; then
		read -r events lost < <(tail -n1 "$OUT" |
			sed -n 's/{"events": \([0-9]*\), "lost": \([0-9]*\).*/\1 \2/p')
	else
		read -r events lost < <(sed -n 's/^\([0-9]*\) events\?, \([0-9]*\) lost.*/\1 \2/p' \
			"$OUT.err")
	fi
	if [ -z "$events" ]; then
		echo "$1: no summary from bpfsdt trace:"
		tail -n2 "$OUT" "$OUT.err"
		return
	fi
	awk -v m="$1" -v r="$runs" -v s="$secs" -v e="$events" -v l="$lost" 'BEGIN {
		printf "%-5s flood %6.2f M/s  delivered %6.2f M/s  lost %5.2f%%\n",
		       m, r / s / 1e6, e / s / 1e6, 100 * l / (e + l) }'
	rm -f "$OUT"
}

for rate in "${RATES[@]}"; do
	echo "-- rate $rate events/s, $SECONDS_EACH s each"
	for ((r = 0; r < ROUNDS; r++)); do
		one_run text "$rate"
		one_run json "$rate"
	done
done
