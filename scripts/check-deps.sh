#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# check-deps.sh OBJDIR [OBJ...]: the library's objects (OBJ..., relative to
# OBJDIR; every object under it by default) depend on each other one way,
# down the pipeline (docs/design.md). An object depends on another when it
# uses a global symbol the other defines (nm). Fails, naming the symbol,
# when an object uses one of a later stage, and when objects depend on
# each other in a cycle (tsort finds it), within a stage too.
set -eu

dir=${1:?usage: check-deps.sh OBJDIR [OBJ...]}
shift
# The stages, first to last; "open" is src/open.c, above its folders.
order="util discover insn target relink check arm open live trace sweep"

if [ $# -gt 0 ]; then
	objs="$*"
else
	objs=$(cd "$dir" && find . -name '*.o' | sed 's|^\./||' | sort)
fi
[ -n "$objs" ] || { echo "check-deps: no objects in $dir" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$dir" && nm -A $objs) > "$tmp/nm"
status=0
awk -v order="$order" '
	function stage(f) { return f ~ /\// ? substr(f, 1, index(f, "/") - 1) : "open" }
	BEGIN { n = split(order, o, " "); for (i = 1; i <= n; i++) rank[o[i]] = i }
	{
		file = substr($1, 1, index($1, ":") - 1)
		if ($2 == "U" && NF == 3)
			use[file, $3] = 1
		else if (NF == 3 && $2 ~ /^[TDBR]$/ && !($3 in def))
			def[$3] = file
		files[file] = 1
	}
	END {
		bad = 0
		for (f in files)
			if (!(stage(f) in rank)) {
				printf "check-deps: %s: stage %s is not in the order\n", f, stage(f) > "/dev/stderr"
				bad = 1
			}
		for (k in use) {
			split(k, p, SUBSEP)
			if (!(p[2] in def) || def[p[2]] == p[1])
				continue
			d = def[p[2]]
			print p[1], d
			if ((stage(p[1]) in rank) && (stage(d) in rank) &&
			    rank[stage(p[1])] < rank[stage(d)]) {
				printf "check-deps: %s uses %s of %s, a later stage\n", p[1], p[2], d > "/dev/stderr"
				bad = 1
			}
		}
		exit bad
	}' "$tmp/nm" > "$tmp/edges" || status=1

if ! tsort "$tmp/edges" >/dev/null 2>"$tmp/loop"; then
	sed -e 's/^tsort: [^:]*: input contains a loop:/check-deps: objects that depend on each other in a cycle:/' \
	    -e 's/^tsort: /  /' "$tmp/loop" >&2
	status=1
fi
[ $status -eq 0 ] || exit 1
echo "check-deps: $(echo $objs | wc -w) objects, $(sort -u "$tmp/edges" | wc -l) dependencies, all down the pipeline"
