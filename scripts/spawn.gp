# spawn.gp -- spawn + run + join cost of one trivial task, per system.
load sd.'/plot-common.gp'
csv = dir.'/spawn.csv'
ttl = 'Spawn + run + join of one trivial task (median, bars = min..max)'
ylab = 'ns per task (log scale)'
load sd.'/plot-bars.gp'
