#!/usr/bin/env bash
# build.sh: the corpus, the Linux 6.12 BPF selftests' programs built with
# each compiler in $CORPUS_CLANG (default "clang-14 clang-19") and
# classified on the running kernel. Run through `make corpus`, which builds
# the classifier first. Needs root (it loads programs).
#
#   build/corpus/clang-N/NAME.bpf.o    the objects
#   build/corpus/clang-N/build.tsv     per source: compiled or not, why
#   build/corpus/clang-N/manifest.tsv  per network program: type, size,
#                                      features, loads / refused / needs, why
#   build/corpus/summary.md            the counts docs/corpus.md reports
#   build/corpus/timing.tsv            seconds per step
#
# build.sh --subset compiles only the objects tests/corpus/subset.txt names,
# for make check, and classifies nothing (make corpus-subset).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CORPUS_OUT=${CORPUS_OUT:-$ROOT/build/corpus}
export CORPUS_CLANG=${CORPUS_CLANG:-clang-14 clang-19}
CLASSIFY=${CORPUS_CLASSIFY:-$CORPUS_OUT/bin/corpus-classify}
HERE=$ROOT/scripts/corpus

die() { echo "corpus: error: $*" >&2; exit 1; }

subset=0
if [ "${1:-}" = --subset ]; then
	subset=1
	CORPUS_SOURCES=$(sed -n 's/^prog \([^ ]*\)\.bpf\.o .*/\1/p' \
		"$ROOT/tests/corpus/subset.txt" | sort -u | tr '\n' ' ')
	export CORPUS_SOURCES
else
	[ "$(id -u)" -eq 0 ] || die "classifying loads BPF programs: run as root"
	[ -x "$CLASSIFY" ] || die "no classifier at $CLASSIFY (make corpus builds it)"
fi

timing=$CORPUS_OUT/timing.tsv
mkdir -p "$CORPUS_OUT"
: >"$timing.tmp"
step() {
	local name=$1 t=$SECONDS
	shift
	"$@"
	printf '%s\t%d\n' "$name" $((SECONDS - t)) >>"$timing.tmp"
}

classify() {
	local dir=$1
	"$CLASSIFY" --header "$dir"/*.bpf.o >"$dir/manifest.tsv.tmp"
	mv "$dir/manifest.tsv.tmp" "$dir/manifest.tsv"
	echo "corpus: $(($(wc -l <"$dir/manifest.tsv") - 1)) network programs classified" \
		"(${dir#"$ROOT"/}/manifest.tsv)"
}

step prepare "$HERE/prepare.sh"
dirs=()
for cc in $CORPUS_CLANG; do
	major=$("$cc" -dumpversion | cut -d. -f1)
	step "compile clang-$major" "$HERE/compile.sh" "$cc"
	[ $subset -eq 1 ] || step "classify clang-$major" classify "$CORPUS_OUT/clang-$major"
	dirs+=("$CORPUS_OUT/clang-$major")
done
if [ $subset -eq 1 ]; then
	cat "$timing.tmp"
	rm -f "$timing.tmp"
	exit 0
fi
mv "$timing.tmp" "$timing"
python3 "$HERE/summarize.py" "$timing" "${dirs[@]}" >"$CORPUS_OUT/summary.md"
cat "$CORPUS_OUT/summary.md"
