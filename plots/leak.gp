# Chart leak: what reference cycles cost.  For each workload that leaks
# under some strategy (cycles), at the largest N, each strategy on its
# fastest backend in its own colour: time per operation (left) next to the
# bytes a full collection could not give back after the run (right) -- the
# leak of plain reference counting beside the price of the strategies that
# reclaim it.
load here.'/common.gp'
f = run.'/leak.dat'
names = system("awk '!seen[$4]++ { printf \"%s \", $4 }' ".f)
set multiplot title "Reference cycles: cost of reclaiming them against the leak (".leak_workloads.")" font ",18"
set style fill solid 0.9 border lc rgb ui_border
set boxwidth 0.7
set xtics rotate by 30 right noenhanced nomirror scale 0
set yrange [0:*]
set xrange [-0.6:*]
set offsets 0, 0.6, graph 0.05, 0
grid_b = 0.2
eval panel(1, 2)
set title "time per operation (ns, lower is better)"
plot for [s in names] f using 0:(strcol(4) eq s ? $2 : NaN) with boxes fc rgb strat_color(s) notitle, \
     f using 0:(0):xtic(1) with points ps 0 notitle
eval panel(2, 2)
set title "leaked after the run (MiB; none drawn: not counted)"
plot for [s in names] f using 0:(strcol(4) eq s ? $3 : NaN) with boxes fc rgb strat_color(s) notitle, \
     f using 0:(0):xtic(1) with points ps 0 notitle
eval key_panel
keys = in_order(names)
plot NaN notitle, for [s in keys] keyentry with boxes fc rgb strat_color(s) title s
unset multiplot
