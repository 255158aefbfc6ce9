# switch.gp -- context switch cost per mechanism: corobench's switch workload
# (coroutines, ucontext, threads over futex/condvar, pinned same/split core),
# peers, and the Google Benchmark micro cases.  Log scale: they span 1000x.
load sd.'/plot-common.gp'
csv = dir.'/switch.csv'
ttl = 'Context switch cost per mechanism (median of repetitions, bars = min..max)'
ylab = 'ns per switch (log scale)'
load sd.'/plot-bars.gp'
