# history-trend.gp -- one metric over the commits of the history database
# (make bench-history; scripts/history.py writes the data files).
# Inputs (gnuplot -e): out = output file, fmt = svg|png, files = data files,
# one per machine fingerprint (columns: commit position, value, short commit),
# titles = their fingerprints (same order), name = the metric, unit,
# caption = the machines' descriptions, base / lim = the committed baseline's
# value and limit (omitted when the baseline has no such metric), shifts =
# commit positions where a change point was found (drawn as vertical lines).
set encoding utf8
if (fmt eq 'svg') {
    set terminal svg size 960,540 dynamic enhanced font 'sans,11' background rgb 'white'
} else {
    set terminal pngcairo size 960,540 enhanced font 'sans,10' background rgb 'white'
}
set output out
set title name.' ('.unit.')' noenhanced
set xlabel 'commit (oldest left)'
set ylabel unit noenhanced
set xtics rotate by 60 right font ',8' noenhanced
set grid ytics lc rgb '#dddddd'
set key outside top center horizontal noenhanced samplen 3
set bmargin 7
set label 1 caption at screen 0.01, 0.02 left font ',8' noenhanced
set offsets 0.5, 0.5, graph 0.05, graph 0.05
if (!exists('shifts')) shifts = ''
do for [i=1:words(shifts)] {
    x = word(shifts, i) - 0.5
    set arrow from x, graph 0 to x, graph 1 nohead dt 4 lc rgb '#e08000'
}
if (words(shifts) > 0) set label 2 'orange: change points' at graph 0.99, graph 0.04 right font ',8' tc rgb '#e08000'
if (!exists('base')) base = NaN
if (!exists('lim')) lim = NaN
plot for [i=1:words(files)] word(files, i) using 1:2:xtic(3) with linespoints pt 7 ps 0.6 \
         title 'machine '.word(titles, i), \
     (base == base ? base : 1/0) with lines dt 2 lw 1.5 lc rgb '#555555' title 'committed baseline', \
     (lim == lim ? lim : 1/0) with lines dt 3 lw 1.5 lc rgb '#cc0000' title 'its limit'
