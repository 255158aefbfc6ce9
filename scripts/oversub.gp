# oversub.gp -- the oversubscription curve: throughput of a fixed amount of CPU
# work split over T tasks, one panel per per-task working set, threads vs
# coroutines on one worker (M:1) and on 2 workers (M:N), and 2 pinned threads that
# run the tasks back to back without a scheduler (M:N's reference).  A flat line
# means more tasks cost nothing.
load sd.'/plot-common.gp'
wss = system('cat "'.dir.'/oversub_wss.txt"')
wlab = system('cat "'.dir.'/oversub_wss_labels.txt"')
bes = system('cat "'.dir.'/oversub_backends.txt"')
set multiplot layout 1, words(wss) title 'Oversubscription: throughput vs tasks (median, bars = min..max)'
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
set logscale x 2
set format x '%g'
set xtics font ',8'
set xlabel 'tasks T (log scale)'
set ylabel 'throughput (M work units / s)'
set yrange [0:*]
# one key, in the first panel: four long titles would spill into the next one
set key bottom left Left reverse font ',8'
do for [i=1:words(wss)] {
    set title 'working set '.word(wlab, i).' per task'
    plot for [b=1:words(bes)] sprintf('%s/oversub_%s_w%s.csv', dir, word(bes, b), word(wss, i)) \
        using 1:2:3:4 with yerrorlines lw 2 \
        title system(sprintf('sed -n %dp "%s/oversub_titles.txt"', b, dir))
    unset label 99
    unset ylabel
    unset key
}
unset multiplot
