# fairness.gp -- how late a ticker that wants to run every period gets, beside
# CPU-bound tasks that yield every X us (or never), coroutines vs threads.
# This is the article's "coroutines can't be compute intensive" in numbers.
load sd.'/plot-common.gp'
bes = system('cat "'.dir.'/fairness_backends.txt"')
xt = system('cat "'.dir.'/fairness_xtics.txt"')
eval 'set xtics ('.xt.')'
set title 'Fairness: ticker p99 lateness vs yield interval of the CPU-bound tasks (median, bars = min..max)'
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
set xlabel 'CPU-bound tasks yield every'
set ylabel 'p99 lateness (us, log scale)'
set logscale y
set offsets 0.3, 0.3, 0, 0
plot for [b=1:words(bes)] sprintf('%s/fairness_%s.csv', dir, word(bes, b)) \
    using 1:2:3:4 with yerrorlines lw 2 pt 7 title word(bes, b)
