#!/usr/bin/env bash
# format-series.sh: keeps kernel/patches/ as `git format-patch --cover-letter`
# output, the way the series would be mailed, and checks it with the kernel's
# own scripts/checkpatch.pl --strict.
#
#   kernel/format-series.sh            apply kernel/patches/series to the pristine
#                                      source in a scratch git repo, one commit per
#                                      patch (author, subject and body from the patch),
#                                      and write kernel/patches/ back from it
#   kernel/format-series.sh --export   write kernel/patches/ from the scratch repo as
#                                      it is (after editing its commits: git rebase -i)
#   kernel/format-series.sh --check    checkpatch.pl --strict on every patch; fails on
#                                      any error, warning or check (the tree's checkpatch:
#                                      KERNEL_CHECKPATCH_TREE, else the pristine source)
#
# The scratch repo is build/kernel/series/linux: Debian's linux-source-6.12
# unpacked, its base commit holding the files the series touches plus include/
# and scripts/ (what checkpatch reads from a tree), the rest untracked.  The
# cover letter's subject and text are kernel/cover-letter.txt (first line the
# subject, a blank line, then the text), put where git format-patch leaves
# "*** SUBJECT HERE ***" and "*** BLURB HERE ***".  Dates are fixed and the
# "From <sha>" lines zeroed, so the same commits always produce the same files.
#
# kernel-test.sh applies the patches listed in kernel/patches/series with
# patch -p1; the cover letter (0000-*) carries no diff and is not listed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KDIR=$ROOT/kernel
PATCHES=$KDIR/patches
COVER=$KDIR/cover-letter.txt
WORK=${KERNEL_SERIES_OUT:-$ROOT/build/kernel/series}
REPO=$WORK/linux
SRC_PKG=linux-source-6.12
SRC_TARBALL=/usr/src/$SRC_PKG.tar.xz
BASE_TAG=pristine
# One date for every commit: the output must not change with the day it was made.
export GIT_AUTHOR_DATE="2026-12-03 12:00:00 +0000" GIT_COMMITTER_DATE="2026-12-03 12:00:00 +0000"
export GIT_COMMITTER_NAME="bpfsdt developers" GIT_COMMITTER_EMAIL="dev@bpfsdt.invalid"

die() { echo "format-series: error: $*" >&2; exit 1; }
say() { echo "== $*"; }

series_patches() {
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$PATCHES/series"
}

git_repo() { git -C "$REPO" -c core.autocrlf=false "$@"; }

# Paths the series changes (those the pristine source has are kept by the caller).
touched_paths() {
	local p
	while read -r p; do
		sed -n 's|^--- a/\([^[:space:]]*\).*|\1|p' "$PATCHES/$p"
	done < <(series_patches) | sort -u
}

# The pristine source, unpacked once per package version.
unpack_pristine() {
	local version stamp
	version=$(dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null) ||
		die "$SRC_PKG is not installed (make kernel-test installs it)"
	stamp=$WORK/pristine/.version
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$version" ]; then
		say "unpacking $SRC_TARBALL"
		rm -rf "$WORK/pristine"
		mkdir -p "$WORK/pristine"
		tar -xJf "$SRC_TARBALL" -C "$WORK/pristine" --strip-components=1
		echo "$version" >"$stamp"
	fi
}

# A fresh scratch repo whose base commit is the pristine source (the part of
# it the series and checkpatch need), tagged $BASE_TAG.
init_repo() {
	unpack_pristine
	rm -rf "$REPO"
	say "copying the pristine source to ${REPO#"$ROOT"/}"
	cp -a "$WORK/pristine" "$REPO"
	rm -f "$REPO/.version"
	git_repo init -q
	git_repo config user.name "$GIT_COMMITTER_NAME"
	git_repo config user.email "$GIT_COMMITTER_EMAIL"
	# Only what the series touches is tracked: keep git from walking the
	# other 80k files on every status.  add -f: the source's .gitignore
	# files ignore some of what we track.
	git_repo config status.showUntrackedFiles no
	local paths
	mapfile -t paths < <(cd "$REPO" && touched_paths | while read -r f; do
		[ -e "$f" ] && echo "$f"
	done)
	git_repo add -f include scripts MAINTAINERS "${paths[@]}"
	git_repo commit -q -m "$SRC_PKG $(cat "$WORK/pristine/.version")"
	git_repo tag -f "$BASE_TAG" >/dev/null
}

# One commit per patch: git am takes the From:/Subject:/Date: headers and the
# body above the "---" line, whether the patch is a bare diff with headers or
# earlier format-patch output.
apply_series() {
	local p n=0
	while read -r p; do
		[ -f "$PATCHES/$p" ] || die "kernel/patches/series lists $p, which is not in kernel/patches/"
		# A patch without a Date: header gets the fixed one (git am would take now).
		if sed -n '1,/^$/p' "$PATCHES/$p" | grep -q '^Date:'; then
			cp "$PATCHES/$p" "$WORK/am.patch"
		else
			sed '1,/^$/{/^Subject:/i\
Date: '"$(date -R -d "$GIT_AUTHOR_DATE")"'
}' "$PATCHES/$p" >"$WORK/am.patch"
		fi
		git_repo am -q --keep-cr "$WORK/am.patch" ||
			die "git am failed on $p (the repo is left in ${REPO#"$ROOT"/} mid-am)"
		n=$((n + 1))
	done < <(series_patches)
	say "applied $n patch(es)"
}

# Writes kernel/patches/ from the scratch repo's commits after $BASE_TAG.
export_series() {
	[ -d "$REPO/.git" ] || die "no scratch repo in ${REPO#"$ROOT"/}: run kernel/format-series.sh first"
	[ -f "$COVER" ] || die "${COVER#"$ROOT"/} missing (the cover letter's subject and text)"
	local out=$WORK/out n
	rm -rf "$out"
	n=$(git_repo rev-list --count "$BASE_TAG"..HEAD)
	[ "$n" -gt 0 ] || die "the scratch repo has no commits after $BASE_TAG"
	git_repo format-patch -q --cover-letter --numbered --zero-commit --no-signature \
		--stat=80 --summary -o "$out" "$BASE_TAG"..HEAD
	fill_cover_letter "$out"/0000-cover-letter.patch
	rm -f "$PATCHES"/*.patch
	cp "$out"/*.patch "$PATCHES"/
	{
		echo "# Applied in order by kernel/kernel-test.sh (patch -p1); written by"
		echo "# kernel/format-series.sh.  0000-cover-letter.patch carries no diff."
		(cd "$out" && ls -1 [0-9]*.patch | grep -v '^0000-cover-letter\.patch$')
	} >"$PATCHES/series"
	say "wrote $n patch(es) and the cover letter to ${PATCHES#"$ROOT"/}"
}

# Puts kernel/cover-letter.txt where format-patch left its placeholders.
fill_cover_letter() {
	local f=$1 subject
	subject=$(head -n 1 "$COVER")
	[ -n "$subject" ] && [ -z "$(sed -n 2p "$COVER")" ] ||
		die "${COVER#"$ROOT"/}: the first line is the subject, the second must be blank"
	SUBJECT=$subject BLURB_FILE=$COVER perl -0pi -e '
		s/\*\*\* SUBJECT HERE \*\*\*/$ENV{SUBJECT}/;
		open(my $fh, "<", $ENV{BLURB_FILE}) or die "$ENV{BLURB_FILE}: $!";
		my $blurb = do { local $/; <$fh> };
		$blurb =~ s/\A[^\n]*\n\n//;
		$blurb =~ s/\s+\z/\n/;
		s/\*\*\* BLURB HERE \*\*\*\n/$blurb/;
	' "$f"
	! grep -q '\*\*\* .* HERE \*\*\*' "$f" || die "cover letter placeholders left in $f"
}

# Whether a patch changes only libbpf: its C is written in libelf's and the
# ELF spec's type names (Elf_Data, Elf_Scn, Elf64_Sym, ...) like the rest of
# libbpf.c, which checkpatch's CamelCase check, seeded only from the
# kernel's include/, cannot know.  Every other check still applies to it.
libbpf_only() {
	local files
	files=$(sed -n '/^---$/,/^$/s/^ \([^ ]*\) *|.*/\1/p' "$1")
	[ -n "$files" ] && ! printf '%s\n' "$files" | grep -qv '^tools/lib/bpf/'
}

# checkpatch.pl --strict from the pristine tree, run at its top so it knows
# the tree (include/ seeds its CamelCase list with the kernel's own types).
check_series() {
	local tree=${KERNEL_CHECKPATCH_TREE:-} p out status=0 total=0 ignore
	if [ -z "$tree" ]; then
		unpack_pristine
		tree=$WORK/pristine
		[ -d "$REPO/.git" ] && tree=$REPO
	fi
	[ -x "$tree/scripts/checkpatch.pl" ] || die "no scripts/checkpatch.pl in $tree"
	for p in "$PATCHES"/[0-9]*.patch; do
		case ${p##*/} in 0000-cover-letter.patch) continue ;; esac
		total=$((total + 1))
		ignore=()
		if libbpf_only "$p"; then
			ignore=(--ignore CAMELCASE)
		fi
		if out=$(cd "$tree" && ./scripts/checkpatch.pl --strict --show-types --color=never \
				"${ignore[@]}" "$p" 2>&1); then
			echo "checkpatch ok ${p##*/}${ignore:+ (CamelCase not checked: libbpf)}"
		else
			status=1
			printf '%s\n' "$out" | grep -E '^(ERROR|WARNING|CHECK):|^#[0-9]+:|^\+' | sed 's/^/    /'
			echo "checkpatch FAIL ${p##*/}"
		fi
	done
	[ $total -gt 0 ] || die "no patches in ${PATCHES#"$ROOT"/}"
	[ $status -eq 0 ] && say "checkpatch --strict: $total patch(es) clean"
	return $status
}

case ${1:-} in
"")
	init_repo
	apply_series
	export_series
	;;
--export) export_series ;;
--check) check_series ;;
*) die "usage: $0 [--export | --check]" ;;
esac
