# Chart tradeoff: the time-space trade-off of tracing.  marksweep at each
# heap factor is one point of a curve (more heap, fewer collections), drawn
# as arrows from the smallest heap factor to the largest: the direction is
# in the drawing and the range of factors in the key ("hf 1.25-4"), so no label sits on the data.
# The other strategies are single points in their own colours.  Largest N,
# glibc runner; axes from 0.  cpython is left out (plot.sh says why).
load here.'/common.gp'
set multiplot title "Time-space trade-off at the largest N on glibc" font ",18"
set xlabel "peak RSS above baseline (MiB)"
set xrange [0:*]
set yrange [0:*]
set offsets 0, graph 0.06, graph 0.08, 0
all = ""
hf = ""
do for [i = 1:nw] {
    w = word(workloads, i)
    cf = run.'/tradeoff-'.w.'-curve.dat'
    sf = run.'/tradeoff-'.w.'-steps.dat'
    pf = run.'/tradeoff-'.w.'-points.dat'
    names = names_of(pf)
    all = all . " " . names
    nc = int(system("wc -l < '".cf."'"))
    if (nc > 0 && hf eq "") { hf = system("awk 'NR == 1 { a = $1 } { b = $1 } END { print a \"-\" b }' '".cf."'"); all = all . " marksweep" }
    eval panel(i, nw)
    eval left_label(i, "ns per operation")
    set title w." (N = ".largest(w).")" noenhanced
    plot NaN notitle, \
         for [c = 1:(nc > 1)] sf using 1:2:3:4 with vectors head filled size screen 0.01, 20 lw 2 lc rgb strat_color("marksweep") notitle, \
         for [c = 1:(nc > 0)] cf using 2:3 with points ps 1.3 lc rgb strat_color("marksweep") pt strat_point("marksweep") notitle, \
         for [s in names] pf using 2:(strcol(1) eq s ? $3 : NaN) with points ps 1.6 lc rgb strat_color(s) pt strat_point(s) notitle
}
eval key_panel
keys = in_order(all)
# The heap factors in a note at the foot of the key strip, clear of the
# entries above it (ten strategies at most reach half way down).
if (hf ne "") { set label 98 "marksweep's arrows:\nheap factor ".hf at screen grid_r + 0.02, grid_b + 0.12 left font ",12" noenhanced }
plot NaN notitle, for [s in keys] keyentry with points ps 1.6 lc rgb strat_color(s) pt strat_point(s) title s
unset multiplot
