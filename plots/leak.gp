# Chart 7: what reference cycles cost.  For each workload that leaks under
# some strategy (cycles), at the largest N, each strategy on its fastest
# backend: time per operation (left) next to the bytes a full collection
# could not give back after the run (right) -- the leak of plain reference
# counting beside the price of the strategies that reclaim it.
load here.'/common.gp'
f = run.'/leak.dat'
set multiplot layout 1, 2 title "Reference cycles: cost of reclaiming them against the leak (".leak_workloads.")" font ",19"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set xtics rotate by -30 noenhanced
set yrange [0:*]
set bmargin 6
unset key
set title "time per operation (ns, lower is better)"
plot f using 2:xtic(1) lc rgb color(1)
set title "leaked after the run (MiB; - : not counted)"
plot f using 3:xtic(1) lc rgb color(5)
unset multiplot
