# echo.gp -- the echo workload (issue 7): requests/s and p99 latency against
# the number of connections, coroutine-per-connection (M:1, M:N) against
# thread-per-connection.  Two panels, log x; error bars = min..max.
load sd.'/plot-common.gp'
bes = system('cat "'.dir.'/echo_backends.txt"')
set multiplot layout 1, 2 title 'TCP echo on loopback: requests/s and p99 latency vs connections (median, bars = min..max)'
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
set logscale x 10
set format x '%g'
set offsets graph 0.05, graph 0.05, 0, 0
set xlabel 'connections (log scale)'
set key top right font ',8'
set title 'throughput'
set ylabel 'requests / s (thousands)'
set yrange [0:*]
plot for [b=1:words(bes)] sprintf('%s/echo_%s.csv', dir, word(bes, b)) using 1:2:3:4 with yerrorlines lw 2 \
    title system(sprintf('sed -n %dp "%s/echo_titles.txt"', b, dir))
unset label 99
set title 'p99 latency'
set ylabel 'p99 request latency (ms, log scale)'
set logscale y
set yrange [*:*]
set key top left font ',8'
plot for [b=1:words(bes)] sprintf('%s/echo_%s.csv', dir, word(bes, b)) using 1:5:6:7 with yerrorlines lw 2 \
    title system(sprintf('sed -n %dp "%s/echo_titles.txt"', b, dir))
unset multiplot
