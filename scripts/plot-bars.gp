# plot-bars.gp -- one bar per system with min/max error bars, sorted by the
# median, log scale.  The switch, spawn and memory plots only differ in data
# file, title and unit, so they share this: each sets csv, ttl, ylab and loads it.
set title ttl
set ylabel ylab
set logscale y
set style fill solid 0.5 border -1
set boxwidth 0.6
set xtics rotate by -40 left nomirror font ',8' noenhanced
set bmargin 12
set rmargin 12
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
unset key
plot csv using 1:3:xtic(2) with boxes lc rgb '#4477aa', \
     csv using 1:3:4:5 with yerrorbars pt 0 lc rgb 'black', \
     csv using 1:3:6 with labels offset 0,0.8 font ',7'
