#!/bin/sh
# scripts/publish.sh RUN_DIR RESULTS_DIR -- make a finished run the current one.
#
# Copies the run's REPORT.md, plots and reference data (env.json, points.json,
# csv/) into RESULTS_DIR: everything is staged beside the old files first and
# renamed into place, REPORT.md last, so a reader (or an interrupted publish)
# sees the old report or the new one, never a mix or half a file.  A run
# without a REPORT.md is refused: a failed run never clobbers the last good one.
set -eu
[ $# -eq 2 ] || {
	echo "usage: publish.sh RUN_DIR RESULTS_DIR" >&2
	exit 2
}
run=$1
out=$2
[ -s "$run/REPORT.md" ] || {
	echo "publish.sh: $run/REPORT.md missing or empty: not publishing" >&2
	exit 1
}
tag=$$
stage=$out/.stage-$tag
rm -rf "$stage"
mkdir -p "$stage/ref"
cp -R "$run/plots" "$stage/plots"
cp "$run/env.json" "$stage/ref/env.json"
cp -R "$run/csv" "$stage/ref/csv"
cp "$run/data/points.json" "$stage/ref/points.json"
# the verdicts (and the replaced reference's, which the report sets beside
# them) travel with the data, so the published report regenerates the same
for f in verdicts.json previous-verdicts.json; do
	if [ -f "$run/data/$f" ]; then cp "$run/data/$f" "$stage/ref/$f"; fi
done
# REPORT.md in results/ points at ref/ for its data; the run dir's at ../
sed 's#`data/points.json`#`ref/points.json`#g; s#`csv/`#`ref/csv/`#g' "$run/REPORT.md" >"$stage/REPORT.md"
for d in plots ref; do
	if [ -e "$out/$d" ]; then mv "$out/$d" "$out/.old-$d-$tag"; fi
	mv "$stage/$d" "$out/$d"
done
mv -f "$stage/REPORT.md" "$out/REPORT.md"
rm -rf "$stage" "$out/.old-plots-$tag" "$out/.old-ref-$tag"
