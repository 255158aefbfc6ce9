#!/bin/sh
# scripts/bench-compare.sh — base against head, measured in one run
# (make bench-compare BASE=<rev>).
#
# Why one run: a committed baseline was measured on another day, maybe on
# another machine; a PR's question is "is this slower than its base, here and
# now". This builds <rev> in a temporary git worktree with the head build's
# settings, counts instructions of both builds, times both alternately
# (interleaved A/B, Mann-Whitney U on the ratios) and prints the gate's table
# with base as the old column, judged by the limits of results/baseline.json.
#
# usage: scripts/bench-compare.sh --base REV --build DIR [--baseline FILE]
#            [--format table|json|junit|markdown] [--output FILE] [--report FILE]
#            [--pairs N] [--no-timing] [--no-cli] [--dry-run]
#   --dry-run  resolve (and fetch) REV, print it, build nothing
# A shallow clone (CI) lacks most commits: REV is then fetched from origin
# (git fetch --depth=1 origin REV); when that fails the message says what to
# fetch.
# exit: 0 head within the limits, 1 regression, 2 usage error or cannot
#       measure: REV unknown, REV or head does not build, valgrind missing.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)}
base="" build="" baseline="$root/results/baseline.json" dry=0
set_args="" # options passed through to regress.py compare-builds

die() {
	echo "bench-compare: $*" >&2
	exit 2
}
need() { [ "$1" -ge 2 ] || die "$2 needs a value"; }

while [ $# -gt 0 ]; do
	case "$1" in
	--base) need $# "$1"; base=$2; shift 2 ;;
	--build) need $# "$1"; build=$2; shift 2 ;;
	--baseline) need $# "$1"; baseline=$2; shift 2 ;;
	--format | --output | --report | --pairs)
		need $# "$1"
		set_args="$set_args $1 $(printf '%s' "$2" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/")"
		shift 2
		;;
	--no-timing | --no-cli) set_args="$set_args $1"; shift ;;
	--dry-run) dry=1; shift ;;
	-h | --help) sed -n '2,21p' "$0" >&2; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
[ -n "$base" ] || die "BASE is required: make bench-compare BASE=<commit, tag or branch>"
[ -n "$build" ] || die "--build DIR is required"

# Resolve BASE to a commit, fetching it into a shallow clone when missing.
resolve() {
	git -C "$root" rev-parse --verify --quiet "$1^{commit}" 2>/dev/null ||
		git -C "$root" rev-parse --verify --quiet "origin/$1^{commit}" 2>/dev/null
}
sha=$(resolve "$base") || sha=""
if [ -z "$sha" ]; then
	shallow=$(git -C "$root" rev-parse --is-shallow-repository 2>/dev/null || echo false)
	if git -C "$root" remote get-url origin >/dev/null 2>&1; then
		echo "bench-compare: $base is not here (shallow: $shallow); fetching it from origin" >&2
		if git -C "$root" fetch --quiet --depth=1 origin "$base" >&2; then
			sha=$(git -C "$root" rev-parse --verify --quiet "FETCH_HEAD^{commit}") || sha=""
		fi
	fi
	[ -n "$sha" ] || die "BASE '$base' is not a commit in $root and could not be fetched \
(shallow clone: $shallow). Fetch it first: git fetch --depth=1 origin $base \
(in CI: a full clone, e.g. actions/checkout fetch-depth: 0, or GIT_DEPTH: 0)"
fi
short=$(git -C "$root" rev-parse --short "$sha")
echo "bench-compare: base $base = $sha" >&2
[ "$dry" = 0 ] || { echo "$sha"; exit 0; }

[ -f "$build/CMakeCache.txt" ] || die "$build is not a configured build directory (run make first)"
command -v valgrind >/dev/null 2>&1 || die "cannot measure: valgrind not found (apt-get install valgrind)"
build=$(cd "$build" && pwd)
cache_get() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt" | head -n 1; }
[ -z "$(cache_get CORO_SANITIZE)" ] || die "$build is a sanitizer build; use a plain Release build"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corobench-compare.XXXXXX")
cleanup() {
	git -C "$root" worktree remove --force "$tmp/src" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

git -C "$root" worktree add --quiet --detach "$tmp/src" "$sha" >&2 ||
	die "cannot check out $base ($short) in a temporary worktree"

# The base is configured like the head build: same compiler, flags, options.
set -- -DCMAKE_BUILD_TYPE="$(cache_get CMAKE_BUILD_TYPE)" -DCORO_BUILD_BENCH=ON
for v in CMAKE_C_COMPILER CMAKE_CXX_COMPILER CMAKE_C_FLAGS CORO_SWITCH CORO_WERROR; do
	val=$(cache_get $v)
	[ -z "$val" ] || set -- "$@" "-D$v=$val"
done
log="$tmp/base-build.log"
echo "bench-compare: building base $short in $tmp/build (log: $log)" >&2
build_base() {
	cmake -S "$tmp/src" -B "$tmp/build" "$@" >"$log" 2>&1 &&
		cmake --build "$tmp/build" -j2 --target rg_coro rg_thr rg_timing >>"$log" 2>&1
}
if ! build_base "$@"; then
	tail -n 15 "$log" >&2
	die "BASE '$base' ($short) does not build (the regression drivers rg_coro, rg_thr, rg_timing); not a regression"
fi
case " $set_args " in
*" --no-cli "*) ;;
*) cmake --build "$tmp/build" -j2 --target corobench >>"$log" 2>&1 ||
	echo "bench-compare: warning: base $short has no corobench CLI target; whole-run counts are head-only" >&2 ;;
esac
echo "bench-compare: building the head's drivers in $build" >&2
cmake --build "$build" -j2 --target rg_coro rg_thr rg_timing >&2 ||
	die "the head build $build does not build the regression drivers; not a regression"
case " $set_args " in
*" --no-cli "*) ;;
*) cmake --build "$build" -j2 --target corobench >&2 || true ;;
esac

set +e
eval "\"\$PYTHON\" \"\$root/scripts/regress.py\" compare-builds --base-build \"\$tmp/build\" \
	--head-build \"\$build\" --baseline \"\$baseline\" --base-label \"base $short\" $set_args"
rc=$?
set -e
exit $rc
