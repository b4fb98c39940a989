#!/bin/bash
# All benchmarks, in one run (docs/perf.md records their output):
#   make bench                      # builds, then bench/run.sh
#   bench/run.sh [CYCLES]           # arm/disarm cycles on a live hook (200)
# Each part can run alone: bench/arm_sizes.sh, bench/hit_cost.sh,
# bench/trace_flood.sh, and the programs below.
set -euo pipefail
BUILD=${BUILD:-build}
export BUILD
OBJ=$BUILD/examples/xdp_filter.bpf.o
CYCLES=${1:-200}
A=bpfsdt-bench-a-$$
B=bpfsdt-bench-b-$$

cleanup() {
	[ -n "${FLOOD:-}" ] && kill "$FLOOD" 2>/dev/null || true
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
}
trap cleanup EXIT

echo "== arming, listing and dormant sites by program size"
bench/arm_sizes.sh 3
echo

echo "== cost of a hit"
bench/hit_cost.sh 200000 5
echo

echo "== trace delivery under a flood from one core"
bench/trace_flood.sh 2 3 5000000 max
echo

echo "== bpfsdt check: offline vs kernel, per object (open + check, median of 20)"
for obj in "$BUILD/examples/xdp_filter.bpf.o" "$BUILD/tests/bpf/check_cases.bpf.o" \
	   "$BUILD/bench/many_sites.bpf.o"; do
	"$BUILD/bench/check-speed" "$obj" 20
done
echo

echo "== formatting alone: printed events per second, vs bpf_printk + trace_pipe"
"$BUILD/bench/trace-throughput" "$BUILD/tests/bpf/basic.bpf.o" "$BUILD/bench/printk.bpf.o" 2000000
echo

ip netns add "$A"
ip netns add "$B"
ip -n "$A" link add v0 type veth peer name v1 netns "$B"
ip -n "$A" addr add 10.211.251.1/24 dev v0
ip -n "$B" addr add 10.211.251.2/24 dev v1
ip -n "$A" link set v0 up
ip -n "$B" link set v1 up
ip -n "$A" link set dev v0 xdp obj "$OBJ" sec xdp
echo "== arm/disarm latency, idle interface"
ip netns exec "$A" "$BUILD/bench/arm-latency" "$OBJ" v0 verdict "$CYCLES"
echo
echo "== arm/disarm latency, during a ping flood"
ip netns exec "$B" ping -q -f -w 600 10.211.251.1 >/dev/null 2>&1 & FLOOD=$!
ip netns exec "$A" "$BUILD/bench/arm-latency" "$OBJ" v0 verdict "$CYCLES"

echo
echo "== the design comparison's relinking rows (docs/perf.md, docs/design-comparison.md)"
"$BUILD/bench/designs" "$BUILD/bench"
