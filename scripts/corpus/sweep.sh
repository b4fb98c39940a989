#!/usr/bin/env bash
# sweep.sh: bpfsdt sweep over every program of the corpus that loads (make
# sweep-corpus; make corpus builds and classifies it first). For each
# compiler in $CORPUS_CLANG, every program build/corpus/clang-N/manifest.tsv
# says loads is swept on a few packets (IPv4 and IPv6 TCP and UDP, 64 zero
# bytes as the selftests' __retval runs use) with a time limit of its own:
#
#   build/corpus/clang-N/sweep.tsv   object program type insns boundaries
#                                    armed identical seconds status failures notes
#
# then summarize-sweep.py prints the table docs/corpus.md reports. Needs root.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CORPUS_OUT=${CORPUS_OUT:-$ROOT/build/corpus}
CORPUS_CLANG=${CORPUS_CLANG:-clang-14 clang-19}
BPFSDT=${BPFSDT:-$ROOT/build/bpfsdt}
LIMIT=${SWEEP_SECONDS:-300}
PACKETS=$ROOT/tests/corpus/packets

die() { echo "sweep-corpus: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "sweeping loads BPF programs: run as root"
[ -x "$BPFSDT" ] || die "no $BPFSDT (make builds it)"
inputs=()
for p in pkt_v4 pkt_v6 udp_v4 syn_v4_8080 zero64; do
	inputs+=(--data-in "$PACKETS/$p.bin")
done

# One line of sweep.tsv from the JSON bpfsdt printed (or its failure).
record() {
	python3 - "$@" <<'EOF'
import json, sys
obj, prog, typ, insns, secs, status, out, err = sys.argv[1:9]
try:
    r = json.loads(out)
    fails = "; ".join("insn %d: %s" % (f["insn"], f["reason"]) for f in r["failures"][:3])
    if len(r["failures"]) > 3:
        fails += "; ... (%d in all)" % len(r["failures"])
    row = [r["boundaries"], r["armed"], r["identical"], secs, status, fails, r["notes"] or ""]
except ValueError:
    why = "timed out" if status == "124" else err.strip().splitlines()[-1] if err.strip() else "no output"
    row = ["", "", "", secs, status, why, ""]
print("\t".join([obj, prog, typ, insns] + [str(c).replace("\t", " ").replace("\n", " ") for c in row]))
EOF
}

for clang in $CORPUS_CLANG; do
	dir=$CORPUS_OUT/$clang
	[ -f "$dir/manifest.tsv" ] || die "no $dir/manifest.tsv (make corpus)"
	out=$dir/sweep.tsv
	printf 'object\tprogram\ttype\tinsns\tboundaries\tarmed\tidentical\tseconds\tstatus\tfailures\tnotes\n' >"$out"
	total=$(awk -F'\t' 'NR > 1 && $12 == "loads"' "$dir/manifest.tsv" | wc -l)
	n=0
	while IFS=$'\t' read -r obj prog typ typed_by insns; do
		n=$((n + 1))
		type_opt=()
		[ "$typed_by" = libbpf ] || type_opt=(--type "$typ")
		start=$(date +%s.%N)
		json=$(timeout "$LIMIT" "$BPFSDT" sweep --json "$dir/$obj" "$prog" "${type_opt[@]}" \
			"${inputs[@]}" 2>"$dir/sweep.err")
		status=$?
		secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
		record "$obj" "$prog" "$typ" "$insns" "$secs" "$status" "$json" \
			"$(head -c 2000 "$dir/sweep.err")" >>"$out"
		printf '\r%s: %d/%d swept' "$clang" "$n" "$total" >&2
	done < <(awk -F'\t' 'NR > 1 && $12 == "loads" { print $1"\t"$2"\t"$4"\t"$5"\t"$9 }' \
		"$dir/manifest.tsv")
	printf '\n' >&2
	rm -f "$dir/sweep.err"
done
python3 "$ROOT/scripts/corpus/summarize-sweep.py" $(for c in $CORPUS_CLANG; do
	echo "$CORPUS_OUT/$c"; done) | tee "$CORPUS_OUT/sweep-summary.md"
