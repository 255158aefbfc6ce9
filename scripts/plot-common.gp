# plot-common.gp -- what every corobench plot shares: the terminal (SVG or PNG,
# chosen by plots.py through `fmt`), the output file, the machine caption and
# the CSV reading.  plots.py loads it before each workload module's plot.
# Inputs (gnuplot -e): sd = scripts/, dir = the run's plotdata/, out = output file, fmt = svg|png.
set encoding utf8
if (fmt eq 'svg') {
    set terminal svg size 960,540 dynamic enhanced font 'sans,11' background rgb 'white'
} else {
    set terminal pngcairo size 960,540 enhanced font 'sans,10' background rgb 'white'
}
set output out
set datafile separator ','
set datafile commentschars '#'
caption = system('cat "'.dir.'/caption.txt"')
set bmargin 6
set grid ytics lc rgb '#dddddd'
set key top left noopaque noenhanced
