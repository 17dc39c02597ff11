# Chart scaling: how the cost per operation changes with N, log-log, one
# line per strategy on its fastest backend; the reference series (floor,
# the lower bound; malloc; cpython) in their grey dash styles.  The fitted
# slopes are in the report (0: total cost linear in N).
load here.'/common.gp'
set multiplot title "Scaling: ns per operation against N, each strategy on its fastest backend (log-log)" font ",18"
set logscale xy
set xlabel "N (operations)"
set format x "10^{%L}"
all = ""
do for [i = 1:nw] {
    w = word(workloads, i)
    f = run.'/scaling-'.w.'.dat'
    names = names_of(f)
    all = all . " " . names
    eval panel(i, nw)
    if (words(names) > 0) { eval fit_x_log(f) }
    eval left_label(i, "ns per operation")
    set title w noenhanced
    plot NaN notitle, for [k = 1:words(names)] f index (k - 1) using 1:2 with linespoints lw 2.5 ps 1.1 \
         lc rgb strat_color(word(names, k)) pt strat_point(word(names, k)) dt strat_dash(word(names, k)) notitle
}
eval key_panel
keys = in_order(all)
plot NaN notitle, for [s in keys] keyentry with linespoints lw 2.5 ps 1.1 lc rgb strat_color(s) pt strat_point(s) dt strat_dash(s) title s
unset multiplot
