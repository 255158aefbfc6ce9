#!/bin/sh
# scripts/plots.sh RUN_DIR -- draw every plot of a run as SVG and PNG.
#
# plotdata.py splits data/points.json into one small CSV per series, then each
# scripts/<plot>.gp is drawn twice (svg, pngcairo).  Each file is written to a
# temporary name and renamed only when gnuplot succeeded and the file is not
# empty; a plot that cannot be drawn leaves plots/<plot>.failed with gnuplot's
# error, which the report shows.  Exit 1 if any plot failed, 2 on bad usage.
set -u
[ $# -eq 1 ] || {
	echo "usage: plots.sh RUN_DIR" >&2
	exit 2
}
run=$1
sd=$(cd "$(dirname "$0")" && pwd)
python3 "$sd/lib/plotdata.py" "$run" || exit 1
mkdir -p "$run/plots"
status=0
for p in switch spawn memory oversub prodcons echo fairness; do
	rm -f "$run/plots/$p.failed"
	for fmt in svg png; do
		tmp=$run/plots/.$p.$fmt.tmp
		if gnuplot -e "sd='$sd'; dir='$run/plotdata'; out='$tmp'; fmt='$fmt'" "$sd/$p.gp" \
			>"$run/plots/.$p.log" 2>&1 && [ -s "$tmp" ]; then
			mv -f "$tmp" "$run/plots/$p.$fmt"
		else
			rm -f "$tmp" "$run/plots/$p.$fmt"
			{
				echo "$p.$fmt: gnuplot failed:"
				grep -v '^ *$' "$run/plots/.$p.log" | tail -n 3
			} >>"$run/plots/$p.failed"
			echo "plots.sh: $p.$fmt not drawn (see $run/plots/$p.failed)" >&2
			status=1
		fi
	done
	rm -f "$run/plots/.$p.log"
done
exit $status
