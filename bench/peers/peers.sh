#!/bin/sh
# peers.sh — the harness's single entry point to the peers (the systems
# corobench is compared with). POSIX sh.
#
#   peers.sh --build <builddir> list                     available peer backends, one a line
#   peers.sh --build <builddir> workloads <backend>      the workloads that backend runs
#   peers.sh --build <builddir> run <backend> <workload> [options] [--json] [--out FILE]
#
# Backends: go, asyncio, boost-context, boost-fiber, ucontext (corobench's own
# runtime on glibc swapcontext, run as `corobench --backend ucontext`). A peer
# whose toolchain or binary is missing is not listed; `run` on it exits 77 with
# one line on stderr (the harness reports it as skipped). Every run prints the
# JSON of bench/SCHEMA.md; --out writes it to FILE atomically (temp + rename).
# Exit codes are the peer's: 0 ok, 1 the run failed, 2 bad command line.
set -u

here=$(cd "$(dirname "$0")" && pwd)
me=peers.sh

die2() {
	echo "$me: $*" >&2
	exit 2
}

build=""
while [ $# -gt 0 ]; do
	case "$1" in
	--build)
		[ $# -ge 2 ] || die2 "--build needs a directory"
		build=$2
		shift 2
		;;
	--build=*)
		build=${1#--build=}
		shift
		;;
	-h | --help)
		sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) break ;;
	esac
done
[ -n "$build" ] || die2 "missing --build <builddir> (see --help)"
[ -d "$build" ] || die2 "--build: no such directory '$build'"
[ $# -ge 1 ] || die2 "missing command: list, workloads or run"

go_bin=$build/bench/peers/go/corobench-go
boost_bin=$build/bench/peers/boost/corobench-boost
corobench=$build/bench/corobench
python=""
if [ -x /usr/bin/python3 ]; then
	python=/usr/bin/python3 # Debian's, as the project installs it
elif command -v python3 >/dev/null 2>&1; then
	python=$(command -v python3)
fi

all_backends="go asyncio boost-context boost-fiber ucontext"

available() {
	case "$1" in
	go) [ -x "$go_bin" ] ;;
	asyncio) [ -n "$python" ] && [ -f "$here/asyncio/corobench_asyncio.py" ] ;;
	boost-context | boost-fiber) [ -x "$boost_bin" ] ;;
	ucontext) [ -x "$corobench" ] && "$corobench" --help 2>&1 | grep -q ucontext ;;
	*) return 2 ;;
	esac
}

workloads_of() {
	case "$1" in
	go) echo "switch spawn prodcons cpubound article" ;;
	asyncio) echo "switch spawn prodcons article" ;;
	boost-context) echo "switch spawn" ;;
	boost-fiber) echo "switch spawn prodcons" ;;
	ucontext) echo "article switch spawn prodcons cpubound fairness" ;;
	esac
}

known() {
	case " $all_backends " in *" $1 "*) return 0 ;; esac
	return 1
}

cmd=$1
shift
case "$cmd" in
list)
	[ $# -eq 0 ] || die2 "list takes no arguments"
	for b in $all_backends; do
		if available "$b"; then echo "$b"; fi
	done
	exit 0
	;;
workloads)
	[ $# -eq 1 ] || die2 "usage: workloads <backend>"
	known "$1" || die2 "unknown peer backend '$1' (expected one of: $all_backends)"
	for w in $(workloads_of "$1"); do echo "$w"; done
	exit 0
	;;
run) ;;
*) die2 "unknown command '$cmd' (expected list, workloads or run)" ;;
esac

[ $# -ge 2 ] || die2 "usage: run <backend> <workload> [options]"
backend=$1
workload=$2
shift 2
known "$backend" || die2 "unknown peer backend '$backend' (expected one of: $all_backends)"
if ! available "$backend"; then
	echo "$me: peer '$backend' is not available in $build (toolchain or binary missing)" >&2
	exit 77
fi
case " $(workloads_of "$backend") " in
*" $workload "*) ;;
*) die2 "workload '$workload' is not available on $backend (it runs: $(workloads_of "$backend"))" ;;
esac

# --out FILE is handled here for every peer: the JSON goes to FILE.tmp.$$ and
# is renamed into place only when complete.
out=""
n=$#
i=0
while [ $i -lt $n ]; do
	a=$1
	shift
	i=$((i + 1))
	case "$a" in
	--out)
		[ $i -lt $n ] || die2 "--out needs a file name"
		out=$1
		shift
		i=$((i + 1))
		;;
	--out=*) out=${a#--out=} ;;
	*) set -- "$@" "$a" ;;
	esac
done

if [ -z "${COROBENCH_COMMIT:-}" ]; then
	COROBENCH_COMMIT=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
fi
export COROBENCH_COMMIT

runpeer() {
	case "$backend" in
	go) "$go_bin" "$workload" "$@" ;;
	asyncio) "$python" "$here/asyncio/corobench_asyncio.py" "$workload" "$@" ;;
	boost-context | boost-fiber) "$boost_bin" "$workload" --backend "$backend" "$@" ;;
	ucontext) "$corobench" "$workload" --backend ucontext "$@" ;;
	esac
}

if [ -z "$out" ]; then
	runpeer "$@"
	exit $?
fi
dir=$(dirname "$out")
[ -d "$dir" ] || die2 "--out: no such directory '$dir'"
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT INT TERM
runpeer "$@" >"$tmp"
rc=$?
if [ -s "$tmp" ]; then
	mv -f "$tmp" "$out" || {
		echo "$me: cannot write '$out'" >&2
		exit 1
	}
fi
exit $rc
