# Chart latency: the latency distribution, as HdrHistogram plots it: ns per
# operation of each batch (log scale) against the percentile, on an axis
# that stretches the tail (1 / (1 - percentile): 90% at 10, 99.9% at 1000)
# and ends just past where the data does.  One panel per workload at its largest N,
# one line per strategy on its fastest backend.
load here.'/common.gp'
lw = system("cat ".run."/latency.dat")
nw = words(lw)
set multiplot title "Latency per batch of operations, by percentile (log scales)" font ",18"
set logscale xy
set xtics ("0%%" 1, "50%%" 2, "75%%" 4, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000)
set xlabel "percentile"
all = ""
do for [i = 1:nw] {
    w = word(lw, i)
    f = run.'/latency-'.w.'.dat'
    names = names_of(f)
    all = all . " " . names
    eval panel(i, nw)
    eval fit_x_log(f)
    eval left_label(i, "ns per operation")
    set title w noenhanced
    plot NaN notitle, for [k = 1:words(names)] f index (k - 1) using 1:2 with linespoints lw 2 ps 0.7 \
         lc rgb strat_color(word(names, k)) pt strat_point(word(names, k)) dt strat_dash(word(names, k)) notitle
}
eval key_panel
keys = in_order(all)
plot NaN notitle, for [s in keys] keyentry with linespoints lw 2 ps 0.7 lc rgb strat_color(s) pt strat_point(s) dt strat_dash(s) title s
unset multiplot
