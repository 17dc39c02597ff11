# Chart rss: peak RSS above the process baseline at the largest N, same
# grouping as chart time; the dashed line is what the workload itself holds
# live, so the gap between bar and line is the strategy's and allocator's
# overhead.  Error bars: the interval over trials, where the run has it.
load here.'/common.gp'
load here.'/bars.gp'
set multiplot title "Peak RSS above baseline at the largest N (dashed: bytes the workload holds live)" font ",18"
do for [i = 1:nw] {
    w = word(workloads, i)
    f = run.'/bars-'.w.'.dat'
    eval panel(i, nw)
    eval bars_axes(w)
    eval left_label(i, "MiB (lower is leaner)")
    plot for [j = 1:nb] f using (bar_x(j)):(bar_at(8)):(bar_w) with boxes fs solid 0.9 border lc rgb ui_border \
             fc rgb backend_fill(word(backends, j)) notitle, \
         for [j = 1:nb] f using (bar_x(j)):(bar_at(9)):(0):(bar_at(10) - bar_at(9)) @err_style lc rgb ui_border notitle, \
         f using 1:14 with lines lw 2.5 dt 2 lc rgb ui_live notitle
}
eval key_panel
plot NaN notitle, for [j = 1:nb] keyentry with boxes fs solid 0.9 border lc rgb ui_border fc rgb backend_fill(word(backends, j)) \
     title word(backends, j), \
     keyentry with lines lw 2.5 dt 2 lc rgb ui_live title "live bytes"
unset multiplot
