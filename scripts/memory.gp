# memory.gp -- resident memory per live task at the most tasks kept alive.
load sd.'/plot-common.gp'
csv = dir.'/memory.csv'
ttl = 'Resident memory per live task (peak RSS / tasks alive; bars = min..max)'
ylab = 'KiB per task (log scale)'
load sd.'/plot-bars.gp'
