# Chart time: ns per operation at the largest N, bars grouped by strategy,
# one fill per backend; the error bar is the 95% interval of the trials
# where the run has them, else +- the repetitions' standard deviation.  A
# cell with two modes is never a plain bar: a hollow bar with both modes as
# points (the report lists it).
load here.'/common.gp'
load here.'/bars.gp'
err = has_ci ? ci_label." interval over trials" : "stddev of repetitions"
set multiplot title "Time per operation at the largest N (median; error bar: ".err.")" font ",18"
do for [i = 1:nw] {
    w = word(workloads, i)
    f = run.'/bars-'.w.'.dat'
    eval panel(i, nw)
    eval bars_axes(w)
    eval left_label(i, "ns per operation (lower is better)")
    plot for [j = 1:nb] f using (bar_x(j)):(bar_solid(5)):(bar_w) with boxes fs solid 0.9 border lc rgb ui_border \
             fc rgb backend_fill(word(backends, j)) notitle, \
         for [j = 1:nb] f using (bar_x(j)):(bar_hollow(5)):(bar_w) with boxes fs empty border lw 2.5 lc rgb backend_fill(word(backends, j)) notitle, \
         for [j = 1:nb] f using (bar_x(j)):(bar_at(6)):(0):(bar_at(7) - bar_at(6)) @err_style lc rgb ui_border notitle, \
         for [j = 1:nb] f using (bar_x(j)):(bar_at(12)) with points pt 7 ps 0.8 lc rgb ui_text notitle, \
         for [j = 1:nb] f using (bar_x(j)):(bar_at(13)) with points pt 7 ps 0.8 lc rgb ui_text notitle
}
eval key_panel
plot NaN notitle, for [j = 1:nb] keyentry with boxes fs solid 0.9 border lc rgb ui_border fc rgb backend_fill(word(backends, j)) \
     title word(backends, j), \
     for [m = 1:bimodal] keyentry with boxes fs empty border lw 2.5 lc rgb ui_border title "two modes", \
     for [m = 1:bimodal] keyentry with points pt 7 ps 0.8 lc rgb ui_text title "its modes"
unset multiplot
