#!/bin/sh
# scripts/bench.sh --build DIR [--quick] [--results DIR] [--only STEPS]
#
# The harness behind `make bench` / `make bench-quick`: runs every sweep of
# issue 4 against the built binaries, each point under a time limit, keeps
# every raw output in results/runs/<run-id>/raw/, then turns them into CSV,
# plots and REPORT.md, and publishes those into results/ only when a report was
# produced, so a failed run never clobbers the last good report.
#
# A point that fails, hangs or cannot start is data: its error is recorded in
# the raw files and the report, and the sweep goes on.  The parameter sizes
# below were picked so a full run takes about 16 minutes on 2 cores (939 and 967 s
# in the last two) and a quick run about 2 (see the comments next to each sweep).
#
# Knobs for tests: CB_POINT_LIMIT (seconds, overrides every per-point limit),
# CB_PEERS (path of the peers manifest script), CB_REPS (repetitions),
# CB_FAULT=collect (breaks env.json before collecting: proves a failed run
# leaves results/ alone).
set -eu

usage() {
	echo "usage: sh scripts/bench.sh --build DIR [--quick] [--results DIR] [--only step,step...]" >&2
	echo "steps: gbench switch spawn memory oversub prodcons echo fairness article peers" >&2
	exit 2
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPTS=$ROOT/scripts
BUILD=""
MODE=full
RESULTS=$ROOT/results
ONLY=""
while [ $# -gt 0 ]; do
	case "$1" in
	--build)
		[ $# -ge 2 ] || usage
		BUILD=$2
		shift 2
		;;
	--quick)
		MODE=quick
		shift
		;;
	--results)
		[ $# -ge 2 ] || usage
		RESULTS=$2
		shift 2
		;;
	--only)
		[ $# -ge 2 ] || usage
		ONLY=$(echo "$2" | tr ',' ' ')
		shift 2
		;;
	-h | --help) usage ;;
	*)
		echo "bench.sh: unknown option '$1'" >&2
		usage
		;;
	esac
done
[ -n "$BUILD" ] || {
	echo "bench.sh: --build DIR is required" >&2
	usage
}
[ -d "$BUILD" ] || {
	echo "bench.sh: build directory '$BUILD' does not exist (run make first)" >&2
	exit 2
}
BUILD=$(cd "$BUILD" && pwd)
for tool in python3 gnuplot hyperfine timeout; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "bench.sh: '$tool' not found (sh scripts/bootstrap bench installs it)" >&2
		exit 1
	}
done

CB=$BUILD/bench/corobench
MICRO=$BUILD/bench/gbench/corobench-micro
PEERS=${CB_PEERS:-$ROOT/bench/peers/peers.sh}
NCORES=$(nproc 2>/dev/null || echo 2)

RUN_ID=$(date -u +%Y%m%d-%H%M%S)-$MODE-$$
RUN=$RESULTS/runs/$RUN_ID
mkdir -p "$RUN/raw"
# Run from a copy of the binaries: a rebuild of the shared build directory
# during the run (another `make`) must not swap the code under measurement.
mkdir -p "$RUN/bin"
for b in "$CB" "$MICRO" "$MICRO-ucontext"; do
	[ -f "$b" ] && cp -p "$b" "$RUN/bin/"
done
[ -f "$CB" ] && CB=$RUN/bin/corobench
[ -f "$MICRO" ] && MICRO=$RUN/bin/corobench-micro
python3 "$SCRIPTS/lib/env.py" --build "$BUILD" --run-id "$RUN_ID" --mode "$MODE" --out "$RUN/env.json"

# ---- parameters (full / quick) ---------------------------------------------
# Sizes measured on the 2-core EPYC VM: each point takes ~0.05-1 s; a full
# run with 3 repetitions took 3.3 min, so the full run uses 5 repetitions and
# twice the work per point (~8 min); a quick one takes under 2 min.  cpubound's cost per step
# grows with --wss (each step touches the task's whole working set), so the
# total work is given per working set (wss:steps) to keep every point ~0.2 s
# of CPU: 4 KiB ~100 ns/step, 64 KiB ~1.2 us, 1 MiB ~22 us (more beyond the LLC).
if [ "$MODE" = quick ]; then
	REPS=${CB_REPS:-3}
	MEM_REPS=1 # threads up to their limit take ~10 s a repetition
	EC_REPS=1  # a 10,000-connection point takes ~5 s
	LIMIT=20
	SW_N=200000
	SW_N_THR=5000
	SP_N=20000
	SP_N_THR=2000
	MEM_CORO=100000
	MEM_THR=100000
	OV_TASKS="1 2 16 256 4096"
	OV_SETS="4096:500000 1048576:4096"
	PC_SHAPES="1x1 4x4"
	PC_CAPS="1 1024"
	PC_WORKS="0 1000"
	PC_ITEMS=5000
	FA_YIELDS="0 100 1000"
	FA_MS=50
	EC_CONNS="100 10000"
	EC_MS=300
	AR_N=2000
	AR_RUNS=5
	HF_RUNS=5
	GB_ARGS="--quick"
else
	REPS=${CB_REPS:-5}
	MEM_REPS=2 # a million coroutines take about a minute here (see do_memory)
	EC_REPS=5 # ~26 s a repetition; the 2x verdict sits near the noise (M:1 paired medians 1.72x..2.37x over seven full runs)
	LIMIT=60
	SW_N=1000000
	SW_N_THR=50000
	SP_N=200000
	SP_N_THR=10000
	MEM_CORO=1000000
	MEM_THR=100000
	OV_TASKS="1 2 4 8 16 32 64 128 256 512 1024 2048 4096"
	OV_SETS="4096:4000000 65536:320000 1048576:16384"
	PC_SHAPES="1x1 1x2 2x2 4x4 16x16"
	PC_CAPS="1 64 1024"
	PC_WORKS="0 100 1000 10000"
	PC_ITEMS=40000
	FA_YIELDS="0 10 100 1000 10000"
	FA_MS=300
	EC_CONNS="10 100 1000 10000"
	EC_MS=1500
	AR_N=10000
	AR_RUNS=10
	HF_RUNS=10
	GB_ARGS=""
fi
[ -z "${CB_POINT_LIMIT:-}" ] || LIMIT=$CB_POINT_LIMIT
REPS_EC=${CB_REPS:-$EC_REPS} # echo: fewer repetitions than the rest (see above)

ALL_STEPS="gbench switch spawn memory oversub prodcons echo fairness article peers"
STEPS=${ONLY:-$ALL_STEPS}
for s in $STEPS; do
	case " $ALL_STEPS " in *" $s "*) ;; *)
		echo "bench.sh: unknown step '$s'" >&2
		usage
		;;
	esac
done
set -- $STEPS
NSTEPS=$(($# + 3)) # + collect, plots, report
STEPNO=0
NPOINTS=0
NFAILED=0

now_ms() { echo $(($(date +%s%N) / 1000000)); }
T_START=$(now_ms)

step() { # step <name> <description>
	STEPNO=$((STEPNO + 1))
	STEP=$1
	SPOINT=0
	echo "[$STEPNO/$NSTEPS] $2 ($(($(($(now_ms) - T_START)) / 1000)) s elapsed)" >&2
	mkdir -p "$RUN/raw/$STEP"
}

# run_point <name> <cmd...>: runs one measurement under `timeout`, keeps its
# stdout, stderr and a meta file (exit code, time, command, tags).  Uses
# STEP, REP, TAGS (space-separated k=v), KIND (cli|text|hyperfine|gbench),
# PLIMIT (seconds, default LIMIT).  Never fails the script.
run_point() {
	_rp_name=$1
	shift
	_rp_base=$RUN/raw/$STEP/$_rp_name.r$REP
	_rp_lim=${PLIMIT:-$LIMIT}
	[ -z "${CB_POINT_LIMIT:-}" ] || _rp_lim=$CB_POINT_LIMIT
	_rp_kind=${KIND:-cli}
	_rp_t0=$(now_ms)
	_rp_rc=0
	case "$_rp_kind" in
	hyperfine)
		timeout -k 5 "$_rp_lim" "$@" --export-json "$_rp_base.out.tmp" >"$_rp_base.log.tmp" 2>"$_rp_base.err.tmp" </dev/null || _rp_rc=$?
		mv -f "$_rp_base.log.tmp" "$_rp_base.log"
		;;
	gbench)
		timeout -k 5 "$_rp_lim" "$@" --benchmark_out="$_rp_base.out.tmp" --benchmark_out_format=json \
			>"$_rp_base.log.tmp" 2>"$_rp_base.err.tmp" </dev/null || _rp_rc=$?
		mv -f "$_rp_base.log.tmp" "$_rp_base.log"
		;;
	*)
		timeout -k 5 "$_rp_lim" "$@" >"$_rp_base.out.tmp" 2>"$_rp_base.err.tmp" </dev/null || _rp_rc=$?
		;;
	esac
	_rp_t1=$(now_ms)
	[ -e "$_rp_base.out.tmp" ] && mv -f "$_rp_base.out.tmp" "$_rp_base.out"
	mv -f "$_rp_base.err.tmp" "$_rp_base.err"
	{
		echo "step=$STEP"
		echo "point=$_rp_name"
		echo "rep=$REP"
		echo "kind=$_rp_kind"
		echo "rc=$_rp_rc"
		echo "elapsed_ms=$((_rp_t1 - _rp_t0))"
		echo "limit_s=$_rp_lim"
		echo "cmd=$*"
		for _rp_t in ${TAGS:-}; do echo "t.$_rp_t"; done
	} >"$_rp_base.meta.tmp"
	mv -f "$_rp_base.meta.tmp" "$_rp_base.meta"
	KIND=""
	PLIMIT=""
	NPOINTS=$((NPOINTS + 1))
	SPOINT=$((SPOINT + 1))
	if [ "$_rp_rc" -ne 0 ]; then
		case " ${TAGS:-} " in
		*" optional=yes "*)
			echo "      point $STEP/$_rp_name rep $REP: exit $_rp_rc (optional: recorded as not supported, going on)" >&2
			;;
		*)
			NFAILED=$((NFAILED + 1))
			echo "      point $STEP/$_rp_name rep $REP: exit $_rp_rc (recorded as failed, going on)" >&2
			;;
		esac
	fi
	return 0
}

# A backend may be a corobench backend or a peer; both print the same JSON.
cb() { # cb <backend> <workload> [opts]: the command line for one run
	_cb_be=$1
	shift
	case "$_cb_be" in
	coro | threads | ucontext) echo "$CB $* --backend $_cb_be --json" ;;
	coro-mn*) echo "$CB $* --backend coro --workers ${_cb_be#coro-mn} --json" ;; # M:N, W workers
	threads-split*) echo "$CB $* --backend threads --workers ${_cb_be#threads-split} --json" ;; # W pinned threads, static split
	*) echo "sh $PEERS --build $BUILD run $_cb_be $* --json" ;;
	esac
}

# ---- steps ------------------------------------------------------------------

do_gbench() {
	step gbench "Google Benchmark micro run (switch, spawn, queue hand-off)"
	REP=1
	TAGS="binary=corobench-micro" KIND=gbench PLIMIT=$((LIMIT * 5)) run_point micro "$MICRO" $GB_ARGS
	TAGS="binary=corobench-micro-ucontext" KIND=gbench PLIMIT=$((LIMIT * 2)) run_point micro-ucontext \
		"$MICRO-ucontext" $GB_ARGS
}

do_switch() {
	step switch "context switch cost per mechanism (corobench switch)"
	for REP in $(seq 1 $REPS); do
		for pin in same split; do
			TAGS="backend=coro mech=coro pin=$pin" run_point "coro-$pin" $(cb coro switch --n $SW_N --pin $pin)
			TAGS="backend=ucontext mech=ucontext pin=$pin" run_point "ucontext-$pin" $(cb ucontext switch --n $SW_N --pin $pin)
			for mech in futex condvar; do
				TAGS="backend=threads mech=$mech pin=$pin" run_point "threads-$mech-$pin" \
					$(cb threads switch --n $SW_N_THR --pin $pin --mech $mech)
			done
		done
	done
}

do_spawn() {
	step spawn "spawn + run + join cost (corobench spawn)"
	for REP in $(seq 1 $REPS); do
		TAGS="backend=coro" run_point coro $(cb coro spawn --n $SP_N)
		TAGS="backend=ucontext" run_point ucontext $(cb ucontext spawn --n $SP_N)
		TAGS="backend=threads" run_point threads $(cb threads spawn --n $SP_N_THR)
	done
}

do_memory() {
	step memory "memory per task and most tasks alive (corobench spawn --alive)"
	# a million coroutines fault in ~4 GiB page by page: about a minute on
	# this VM (55-70 s in the 14 runs of seven full sweeps), so fewer
	# repetitions and a limit of their own, 2.5x the plain one.
	[ -z "${CB_REPS:-}" ] || MEM_REPS=$CB_REPS
	for REP in $(seq 1 $MEM_REPS); do
		TAGS="backend=coro" PLIMIT=$((LIMIT * 5 / 2)) run_point coro $(cb coro spawn --n $MEM_CORO --alive)
		TAGS="backend=threads" run_point threads $(cb threads spawn --n $MEM_THR --alive)
	done
}

do_oversub() {
	step oversub "oversubscription sweep: cpubound over T tasks x working set"
	# Fixed total work split over T tasks: a flat line is "no cost for more
	# tasks"; threads vs coroutines interleaved so drift hits both alike.
	# threads-split2 (two pinned threads running the tasks back to back, no
	# scheduler) is what two cores give the same tasks: M:N's reference.
	for REP in $(seq 1 $REPS); do
		for set in $OV_SETS; do
			wss=${set%%:*}
			work=${set#*:}
			for t in $OV_TASKS; do
				for be in coro coro-mn2 threads-split2 threads; do
					TAGS="backend=$be wss=$wss tasks=$t" run_point "$be-w$wss-t$t" \
						$(cb $be cpubound --tasks $t --total-work $work --wss $wss)
				done
			done
		done
	done
}

do_prodcons() {
	step prodcons "producer-consumer sweep: P x C x capacity x per-item work"
	for REP in $(seq 1 $REPS); do
		for shape in $PC_SHAPES; do
			p=${shape%x*}
			c=${shape#*x}
			for cap in $PC_CAPS; do
				for w in $PC_WORKS; do
					# fewer items when each costs more, so every point is ~0.1-0.5 s
					items=$PC_ITEMS
					[ "$w" -ge 1000 ] && items=$((PC_ITEMS / 2))
					[ "$w" -ge 10000 ] && items=$((PC_ITEMS / 5))
					for be in coro coro-mn2 threads; do
						# coroutines hand off ~100x faster: more items so the run is not ~1 ms
						n_items=$items
						[ "$be" = coro ] && [ "$w" -lt 1000 ] && n_items=$((items * 10))
						# M:N hands off across cores (~threads' cost at capacity 1): fewer
						[ "$be" = coro-mn2 ] && [ "$w" -lt 1000 ] && n_items=$((items * 2))
						TAGS="backend=$be p=$p c=$c capacity=$cap work_ns=$w" run_point "$be-${shape}-c$cap-w$w" \
							$(cb $be prodcons --producers $p --consumers $c --capacity $cap --items $n_items --work-ns $w)
					done
				done
			done
		done
	done
}

do_echo() {
	step echo "echo: requests/s, p99 latency and memory vs connections (issue 7)"
	# One client coroutine per connection, closed loop; the server is
	# coroutine-per-connection (M:1, M:N on 2 workers) or thread-per-connection.
	# Setting up 10,000 connections takes ~3 s, so the limit is the timed phase
	# plus a generous setup allowance; a limit hit (thread or descriptor) is data.
	for REP in $(seq 1 $REPS_EC); do
		for c in $EC_CONNS; do
			for be in coro coro-mn2 threads; do
				TAGS="backend=$be connections=$c" PLIMIT=$((EC_MS / 1000 + 40)) run_point "$be-c$c" \
					$(cb $be echo --connections $c --duration-ms $EC_MS)
			done
		done
	done
}

do_fairness() {
	step fairness "fairness: ticker lateness vs yield interval"
	for REP in $(seq 1 $REPS); do
		for y in $FA_YIELDS; do
			for be in coro threads; do
				TAGS="backend=$be yield_us=$y period_us=1000" run_point "$be-y$y" \
					$(cb $be fairness --period-us 1000 --tasks $NCORES --yield-us $y --duration-ms $FA_MS)
			done
		done
	done
}

do_article() {
	step article "the article's programs: outputs, checksums, and hyperfine whole-program time"
	REP=1
	for prog in sequential concurrent queue; do
		for be in coro threads; do
			# the text the program prints (claims 1-3 and 7 read it)
			KIND=text TAGS="backend=$be program=$prog n=20" run_point "$be-$prog-text" \
				"$CB" article $prog --backend $be --n 20
			TAGS="backend=$be program=$prog" run_point "$be-$prog-json" \
				$(cb $be article $prog --n $AR_N --runs $AR_RUNS)
		done
	done
	for prog in sequential concurrent queue; do
		KIND=hyperfine TAGS="program=$prog" PLIMIT=$((LIMIT * 3)) run_point "hyperfine-$prog" \
			hyperfine -N --warmup 2 --runs $HF_RUNS --style basic \
			-n coro "$CB article $prog --backend coro --n $AR_N" \
			-n threads "$CB article $prog --backend threads --n $AR_N"
	done
}

do_peers() {
	step peers "peers (issue 6): the same workloads on other runtimes"
	mkdir -p "$RUN/raw/peers"
	if [ ! -f "$PEERS" ]; then
		echo "peers manifest $PEERS not found" >"$RUN/raw/peers/skipped.txt"
		echo "      no peers manifest ($PEERS): skipped" >&2
		return 0
	fi
	list=$(timeout 30 sh "$PEERS" --build "$BUILD" list 2>"$RUN/raw/peers/list.err") || {
		echo "'peers.sh list' failed: $(head -c 300 "$RUN/raw/peers/list.err")" >"$RUN/raw/peers/skipped.txt"
		return 0
	}
	# ucontext is measured above as a corobench backend
	peers=""
	: >"$RUN/raw/peers/skipped.tmp"
	for be in $list; do
		[ "$be" = ucontext ] && continue
		peers="$peers $be"
		wls=$(timeout 30 sh "$PEERS" --build "$BUILD" workloads "$be" 2>/dev/null | tr '\n' ' ')
		eval "PW_$(echo "$be" | tr -c 'a-z0-9\n' '_')=\"\$wls\""
		for wl in switch spawn prodcons; do
			case " $wls " in *" $wl "*) ;; *) echo "$be: no $wl workload" >>"$RUN/raw/peers/skipped.tmp" ;; esac
		done
	done
	echo "$list" >"$RUN/raw/peers/list.txt"
	[ -s "$RUN/raw/peers/skipped.tmp" ] && mv -f "$RUN/raw/peers/skipped.tmp" "$RUN/raw/peers/skipped.txt"
	rm -f "$RUN/raw/peers/skipped.tmp"
	nomem=""
	for REP in $(seq 1 $REPS); do
		for be in $peers; do
			eval "wls=\$PW_$(echo "$be" | tr -c 'a-z0-9\n' '_')"
			has() { case " $wls " in *" $1 "*) return 0 ;; esac; return 1; }
			if has switch; then
				TAGS="backend=$be" run_point "$be-switch" $(cb $be switch --n $SW_N_THR)
			fi
			if has spawn; then
				TAGS="backend=$be" run_point "$be-spawn" $(cb $be spawn --n $SP_N_THR)
				# a peer that rejects --alive (usage error) is not asked again
				case " $nomem " in *" $be "*) ;; *)
					TAGS="backend=$be optional=yes" run_point "$be-memory" $(cb $be spawn --n $MEM_THR --alive)
					[ "$_rp_rc" != 2 ] || nomem="$nomem $be"
					;;
				esac
			fi
			if has prodcons; then
				for cap in 1 1024; do
					TAGS="backend=$be p=1 c=1 capacity=$cap work_ns=0" run_point "$be-prodcons-c$cap" \
						$(cb $be prodcons --producers 1 --consumers 1 --capacity $cap --items $((PC_ITEMS * 5)) --work-ns 0)
				done
			fi
			if [ "$REP" = 1 ] && has article; then
				for prog in sequential concurrent queue; do
					KIND=text TAGS="backend=$be program=$prog n=20 optional=yes" run_point "$be-article-$prog-text" \
						sh "$PEERS" --build "$BUILD" run "$be" article $prog --n 20
				done
			fi
		done
	done
}

for s in $STEPS; do "do_$s"; done

# ---- data, plots, report, publish -------------------------------------------
STEPNO=$((STEPNO + 1))
echo "[$STEPNO/$NSTEPS] collecting $NPOINTS points ($NFAILED failed) into CSV" >&2
[ "${CB_FAULT:-}" != collect ] || echo '{broken' >"$RUN/env.json"
python3 "$SCRIPTS/lib/collect.py" "$RUN" || {
	echo "bench.sh: collecting the results failed; run kept in $RUN, results/ untouched" >&2
	exit 1
}
STEPNO=$((STEPNO + 1))
echo "[$STEPNO/$NSTEPS] plotting" >&2
sh "$SCRIPTS/plots.sh" "$RUN" || echo "bench.sh: some plots failed (listed in the report)" >&2
STEPNO=$((STEPNO + 1))
echo "[$STEPNO/$NSTEPS] writing the report" >&2
python3 "$SCRIPTS/report.py" "$RUN" || {
	echo "bench.sh: no report produced; run kept in $RUN, results/ untouched" >&2
	exit 1
}

sh "$SCRIPTS/publish.sh" "$RUN" "$RESULTS"
T_END=$(now_ms)
echo "bench.sh: $NPOINTS points, $NFAILED failed, $(((T_END - T_START) / 1000)) s; raw data in $RUN" >&2
echo "$RESULTS/REPORT.md"
