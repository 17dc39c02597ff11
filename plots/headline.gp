# Chart headline, the one a reader shares: per workload at its largest N,
# each strategy's time (top) and peak RSS above baseline (bottom) as a
# ratio to the baseline cell (BASELINE, refcount/glibc by default), with
# the 95% interval where the run has trials, and the geometric mean over
# the workloads -- the summary style of mimalloc-bench's published results.
# Ratios on a log axis, bars from 1: a bar down is better than the
# baseline, up is worse, and 2x and 0.5x look the same size.
load here.'/common.gp'
f = run.'/headline.dat'
names = names_of(f)
ns = words(names)
groups = words(workloads) + 1
group(x) = (x <= nw) ? word(workloads, int(x)) : "geomean"
# Group names under the lower panel only.
names_tics(show) = "set xtics () noenhanced nomirror scale 0; do for [g = 1:groups] { set xtics add (".(show ? "group(g)" : "''")." g) }"
set xrange [0.5:groups + 0.5]
bw = 0.8 / (ns > 0 ? ns : 1)
hx(s) = $1 + (find_word(names, s) - (ns + 1) / 2.0) * bw
set logscale y
set format y "%gx"
set grid ytics mytics lc rgb ui_grid
# The geometric mean sits apart, behind a rule.
set arrow 1 from groups - 0.5, graph 0 to groups - 0.5, graph 1 nohead dt 3 lc rgb ui_border
set multiplot title "Each strategy against ".baseline.", largest N (ratio; lower is better)" font ",18"
err = has_ci ? "bars: ".ci_label." interval over trials" : "single medians, no interval"
grid_b = 0.09
gap_y = 0.1
plot_ratio(col) = "plot 1 with lines lw 1.5 lc rgb ui_border notitle, " . \
    sprintf("for [s in names] f using (hx(s)):(strcol(3) eq s ? column(%d) : NaN):(hx(s) - bw / 2):(hx(s) + bw / 2):(1):(column(%d)) ", col, col) . \
    "with boxxyerror fs solid 0.9 border lc rgb ui_border fc rgb strat_color(s) notitle, " . \
    sprintf("for [s in names] f using (hx(s)):(strcol(3) eq s ? column(%d) : NaN):(0):(column(%d) - column(%d)) ", col + 1, col + 2, col + 1) . \
    err_style . " lc rgb ui_text notitle"
set lmargin at screen grid_l; set rmargin at screen grid_r
set tmargin at screen grid_t; set bmargin at screen 0.53
set ylabel "time / baseline" offset 1, 0
set title "time per operation (".err.")"
eval names_tics(0)
eval plot_ratio(4)
set tmargin at screen 0.46; set bmargin at screen grid_b
set ylabel "RSS / baseline" offset 1, 0
set title "peak RSS above the process baseline"
eval names_tics(1)
eval plot_ratio(7)
unset arrow 1
eval key_panel
plot NaN notitle, for [s in names] keyentry with boxes fs solid 0.9 border lc rgb ui_border fc rgb strat_color(s) title s
unset multiplot
