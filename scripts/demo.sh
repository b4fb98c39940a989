#!/bin/bash
# The main job: trace a live XDP program.
#
# Builds on `make`: the example firewall (examples/xdp_filter.bpf.c) is
# attached with a standard loader (iproute2) to a veth in a private network
# namespace, traffic is sent from a second namespace, and `bpfsdt trace` arms
# its probes on the running interface, shows typed events and in-kernel
# counts, and puts the program back. Everything it creates is removed at the
# end. Traffic stays inside the two namespaces.
set -euo pipefail
BUILD=${BUILD:-build}
OBJ="$BUILD/examples/xdp_filter.bpf.o"
BPFSDT="$PWD/$BUILD/bpfsdt"
NS_A=bpfsdt-demo-a
NS_B=bpfsdt-demo-b
IP_A=10.211.250.1
IP_B=10.211.250.2

step() { printf '\n==> %s\n' "$*"; }
in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

cleanup() {
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
	[ -n "${TRAFFIC:-}" ] && kill "$TRAFFIC" 2>/dev/null || true
}

step "Probes declared in the example (bpfsdt list):"
"$BPFSDT" list "$OBJ"

if [ "$(id -u)" -ne 0 ]; then
	step "Not root: the live part needs network namespaces and BPF. Run as root."
	exit 0
fi
trap cleanup EXIT
cleanup

step "Two private namespaces joined by a veth: $NS_B ($IP_B) -> $NS_A ($IP_A)"
ip netns add "$NS_A"
ip netns add "$NS_B"
for ns in "$NS_A" "$NS_B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NS_A" link add v0 type veth peer name v1 netns "$NS_B"
ip -n "$NS_A" addr add "$IP_A/24" dev v0
ip -n "$NS_B" addr add "$IP_B/24" dev v1
ip -n "$NS_A" link set v0 up
ip -n "$NS_B" link set v1 up

step "Attaching the firewall with iproute2 (not bpfsdt): ip link set dev v0 xdp obj ..."
ip -n "$NS_A" link set dev v0 xdp obj "$OBJ" sec xdp
PROG_ID=$(ip -n "$NS_A" -d link show v0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
echo "running: XDP program id $PROG_ID on v0"

step "Blocking UDP port 53 through the program's own map (bpftool)"
MAP_ID=$(bpftool -j prog show id "$PROG_ID" | python3 -c '
import json, subprocess, sys
for m in json.load(sys.stdin)["map_ids"]:
    info = json.loads(subprocess.check_output(["bpftool", "-j", "map", "show", "id", str(m)]))
    if info["name"] == "blocked_ports":
        print(m)')
bpftool map update id "$MAP_ID" key 53 0 value 1
echo "blocked_ports[53] = 1 (map id $MAP_ID)"

traffic() { # pings, DNS (blocked) and HTTP-port (allowed) datagrams, bounded
	for i in $(seq 1 "$1"); do
		in_b ping -q -c 1 -W 1 "$IP_A" >/dev/null 2>&1 || true
		in_b bash -c "echo query > /dev/udp/$IP_A/53" 2>/dev/null || true
		in_b bash -c "echo hello > /dev/udp/$IP_A/80" 2>/dev/null || true
		sleep 0.2
	done
}

step "bpfsdt trace --xdp v0 $OBJ --duration 3   (typed events, live)"
traffic 20 & TRAFFIC=$!
sleep 0.3
in_a "$BPFSDT" trace --xdp v0 "$OBJ" --duration 3 -c 24
wait "$TRAFFIC" 2>/dev/null || true

step "The same probes as JSON lines (bpfsdt trace --json, 6 events)"
traffic 10 & TRAFFIC=$!
sleep 0.3
in_a "$BPFSDT" trace --json --xdp v0 "$OBJ" verdict -c 6
wait "$TRAFFIC" 2>/dev/null || true

step "Counting verdicts per site in the kernel for 3 s (bpfsdt trace --count)"
traffic 12 & TRAFFIC=$!
sleep 0.3
in_a "$BPFSDT" trace --count --xdp v0 "$OBJ" verdict --duration 3 | tail -n 8
wait "$TRAFFIC" 2>/dev/null || true

step "Disarmed: the program on v0 is the one iproute2 loaded"
NOW_ID=$(ip -n "$NS_A" -d link show v0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
echo "XDP program id on v0: $NOW_ID (was $PROG_ID)"
[ "$NOW_ID" = "$PROG_ID" ]

step "Removing the namespaces"
cleanup
trap - EXIT
echo "done"
