# plot-bars-pair.gp -- two panels of plot-bars.gp stacked: a workload's
# systems and peers above, the Google Benchmark micro cases of the same run
# below, under one title with the machine caption at the foot.
# Inputs: mtitle, xlab, height (pixels), split (the top panel's share of the
# plotting height), top, ttl_top, bottom, ttl_bottom (csv files and titles).
eval term(height)
set multiplot title mtitle."\n{/*0.8 ".ci."}"
set label 99 caption at screen 0.01, 12.0 / height font ',8' noenhanced
avail = 1 - 80.0 / height - 25.0 / height
set origin 0, 25.0 / height + avail * (1 - split)
set size 1, avail * split
csv = top
ttl = ttl_top
load sd.'/plot-bars.gp'
unset label 99
set origin 0, 25.0 / height
set size 1, avail * (1 - split)
csv = bottom
ttl = ttl_bottom
load sd.'/plot-bars.gp'
unset multiplot
