#!/bin/sh
# scripts/bench-check.sh — the CI performance regression gate (make bench-check).
#
# Why a gate on counts: shared CI machines are noisy, wall time flaps. This
# measures instructions per operation under callgrind (exact for a given
# binary), context-switch counts that must stay zero, and timing ratios from
# one run (tracked, never failing), and compares them with the committed
# baseline, metric by metric. See bench/regress/README.md.
#
# Each check is appended to the history database ($BENCH_HISTORY, default
# results/history.sqlite; BENCH_HISTORY=off records nothing): scripts/history.py.
#
# usage: scripts/bench-check.sh --build DIR [--update-baseline] [--baseline FILE]
#                               [--report FILE] [--format table|json|junit|markdown]
#                               [--output FILE]...  (format from the extension:
#                               .md markdown, .xml junit, .json json)
#        scripts/bench-check.sh --gbcompare OLD.json NEW.json [gbcompare options]
#          (diff two Google Benchmark JSON files: scripts/gbcompare.py)
# exit:  0 pass, 1 a gated metric regressed (or was not measured), 2 usage,
#        bad input, an unusable history file, or cannot measure here (valgrind
#        or the drivers missing, the drivers do not build): a broken runner is
#        never reported as a regression.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=""
update=0
baseline="$root/results/baseline.json"
report=""
format=table
outputs="" # --output files, newline-separated
PYTHON=${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)}

usage() {
	echo "usage: scripts/bench-check.sh --build DIR [--update-baseline] [--baseline FILE] [--report FILE]" >&2
	echo "                              [--format table|json|junit|markdown] [--output FILE]" >&2
	echo "       scripts/bench-check.sh --gbcompare OLD.json NEW.json [--filter RE] [--threshold PCT]" >&2
	exit 2
}

if [ "${1:-}" = --gbcompare ]; then
	shift
	exec "$PYTHON" "$root/scripts/gbcompare.py" "$@"
fi

while [ $# -gt 0 ]; do
	case "$1" in
	--build)
		[ $# -ge 2 ] || { echo "bench-check: --build needs a directory" >&2; exit 2; }
		build=$2
		shift 2
		;;
	--baseline)
		[ $# -ge 2 ] || { echo "bench-check: --baseline needs a file" >&2; exit 2; }
		baseline=$2
		shift 2
		;;
	--report)
		[ $# -ge 2 ] || { echo "bench-check: --report needs a file" >&2; exit 2; }
		report=$2
		shift 2
		;;
	--format)
		[ $# -ge 2 ] || { echo "bench-check: --format needs table|json|junit|markdown" >&2; exit 2; }
		case "$2" in
		table | json | junit | markdown) format=$2 ;;
		*) echo "bench-check: --format '$2': use table, json, junit or markdown" >&2; exit 2 ;;
		esac
		shift 2
		;;
	--output)
		[ $# -ge 2 ] || { echo "bench-check: --output needs a file" >&2; exit 2; }
		outputs="$outputs
$2"
		shift 2
		;;
	--update-baseline)
		update=1
		shift
		;;
	-h | --help) usage ;;
	*)
		echo "bench-check: unknown option '$1'" >&2
		usage
		;;
	esac
done

[ -n "$build" ] || { echo "bench-check: --build DIR is required" >&2; exit 2; }
[ -f "$build/CMakeCache.txt" ] || {
	echo "bench-check: $build is not a configured build directory (no CMakeCache.txt); run make first" >&2
	exit 2
}
command -v "$PYTHON" >/dev/null 2>&1 || { echo "bench-check: cannot measure: $PYTHON not found" >&2; exit 2; }
command -v valgrind >/dev/null 2>&1 || {
	echo "bench-check: cannot measure: valgrind not found (apt-get install valgrind)" >&2
	exit 2
}
build=$(cd "$build" && pwd)
[ -n "$report" ] || report="$build/bench-check-report.json"

start=$(date +%s)

# The drivers: from the main build when bench/ builds them, else from a small
# standalone build of coro/, threads/ and bench/regress/ with the same settings.
cache_get() {
	sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt" | head -n 1
}
if [ -n "$(cache_get CORO_SANITIZE)" ]; then
	echo "bench-check: $build is a sanitizer build (CORO_SANITIZE=$(cache_get CORO_SANITIZE)); use a plain Release build" >&2
	exit 2
fi
if [ -d "$build/bench/regress" ] || [ "$(cache_get CMAKE_PROJECT_NAME)" = corobench_regress ]; then
	echo "bench-check: building the drivers in $build" >&2
	cmake --build "$build" --target rg_coro rg_thr rg_timing >&2 || {
		echo "bench-check: cannot measure: the drivers do not build in $build" >&2
		exit 2
	}
else
	sa="$build/regress-standalone"
	echo "bench-check: $build has no bench/regress targets; building them in $sa" >&2
	set -- -DCMAKE_BUILD_TYPE="$(cache_get CMAKE_BUILD_TYPE)"
	for v in CMAKE_C_COMPILER CMAKE_C_FLAGS CORO_SWITCH CORO_INJECT_SLOWDOWN CORO_WERROR; do
		val=$(cache_get $v)
		[ -n "$val" ] && set -- "$@" "-D$v=$val"
	done
	if ! cmake -S "$root/bench/regress/standalone" -B "$sa" "$@" >/dev/null ||
		! cmake --build "$sa" -j2 >&2; then
		echo "bench-check: cannot measure: the drivers do not build in $sa" >&2
		exit 2
	fi
fi

if [ "$update" = 1 ]; then
	set +e
	"$PYTHON" "$root/scripts/regress.py" update --build "$build" --baseline "$baseline"
	rc=$?
	set -e
else
	set +e
	set -- --format "$format"
	old_ifs=$IFS
	IFS='
'
	for o in $outputs; do set -- "$@" --output "$o"; done
	IFS=$old_ifs
	"$PYTHON" "$root/scripts/regress.py" check --build "$build" --baseline "$baseline" \
		--report "$report" "$@"
	rc=$?
	set -e
	[ $rc -le 1 ] && echo "bench-check: report written to $report" >&2
fi
echo "bench-check: took $(($(date +%s) - start)) s" >&2
exit $rc
