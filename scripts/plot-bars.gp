# plot-bars.gp -- one panel of horizontal bars, one per system, sorted by the
# median, log scale, with the 95% interval of the median as whiskers and the
# median written at the bar's end.  Horizontal, because the labels are words:
# a label column to the left holds them whole (plotdata.MAX_LABEL characters),
# where slanted labels under vertical bars ran off the canvas.
# Inputs: csv (idx,label,median,low,high,text), ttl, xlab.  The caller sets
# the panel's origin and size in a multiplot, or nothing for a whole canvas.
set title ttl font ',11'
set xlabel xlab
set style fill solid 0.5 border -1
set lmargin 36
set rmargin 4
set tmargin 3
set bmargin 4
set ytics scale 0 font ',9' noenhanced nomirror
set xtics nomirror
set grid noytics xtics lc rgb '#dddddd'
unset logscale
set autoscale
stats csv using 4 nooutput
nbars = STATS_records
# log axis: from the decade under the least low end to past the greatest
# high end, with room for the value written after each bar
xlo = 10 ** floor(log10(STATS_min))
stats csv using 5 nooutput
xhi = 10 ** ceil(log10(STATS_max) + 0.6)
set logscale x
# 1k, 10k, 1M past one; plain numbers under it (not 100m)
if (xlo >= 1) { set format x '%.0s%c' } else { set format x '%g' }
set xrange [xlo:xhi]
set yrange [nbars - 0.4:-0.6]
unset key
plot csv using 3:1:(xlo):3:($1 - 0.35):($1 + 0.35):ytic(2) with boxxyerror lc rgb '#4477aa', \
     csv using 3:1:4:5 with xerrorbars pt 0 lc rgb 'black', \
     csv using 5:1:(' '.stringcolumn(6)) with labels left offset 0.5,0 font ',8'
