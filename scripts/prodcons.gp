# prodcons.gp -- producer-consumer throughput vs CPU work per item, one panel
# per queue capacity, a line per backend and P x C shape: where the per-item
# work dwarfs the hand-off cost, threads catch up.
load sd.'/plot-common.gp'
caps = system('cat "'.dir.'/prodcons_caps.txt"')
set multiplot layout 1, words(caps) title 'Producer-consumer: items/s vs work per item (median, bars = min..max)'
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
set logscale x
set logscale y
set xrange [7:14000]
set xtics ('0' 10, '100' 100, '1k' 1000, '10k' 10000) font ',8'
set xlabel 'CPU work per item (ns, log scale)'
set ylabel 'throughput (M items / s, log scale)'
set key bottom left font ',7'
do for [i=1:words(caps)] {
    c = word(caps, i)
    files = system('cat "'.dir.'/prodcons_c'.c.'.list"')
    set title 'queue capacity '.c
    plot for [k=1:words(files)] dir.'/'.word(files, k) using 1:2:3:4 with yerrorlines \
        lw 1.5 title system(sprintf('sed -n %dp "%s/prodcons_c%s.titles"', k, dir, c))
    unset label 99
    unset ylabel
}
unset multiplot
