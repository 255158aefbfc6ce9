# plot-common.gp -- what every corobench plot shares: the terminal (SVG or PNG,
# chosen by plots.py through `fmt`), the output file, the machine caption and
# the CSV reading.  plots.py loads it before each workload module's plot.
# Inputs (gnuplot -e): sd = scripts/, dir = the run's plotdata/, out = output file, fmt = svg|png.
set encoding utf8
# term(h): the terminal at a height of h pixels; a plot that stacks panels
# evaluates it again with its own height (eval term(900)).
term(h) = (fmt eq 'svg') ? \
    sprintf("set terminal svg size 960,%d dynamic enhanced font 'sans,11' background rgb 'white'; set output out", h) : \
    sprintf("set terminal pngcairo size 960,%d enhanced font 'sans,10' background rgb 'white'; set output out", h)
eval term(540)
set datafile separator ','
set datafile commentschars '#'
caption = system('cat "'.dir.'/caption.txt"')
# what the whiskers of a plot that draws intervals show (plotdata.CI_NOTE)
ci = system('cat "'.dir.'/ci.txt"')
set bmargin 6
set grid ytics lc rgb '#dddddd'
# each plot places its key outside its data
set key top left noopaque noenhanced
