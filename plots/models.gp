# Chart models: the reference-counting models side by side at one thread
# (refcount, rc_gil, rc_atomic, rc_biased: the strategies the run gave
# threads), on list_append and tuple_create at their largest N: ns per
# operation, bars by model, one fill per backend, error bars the 95%
# interval over trials.  What each model costs before any second thread:
# a GIL's poll, atomic counts, biased counting's owner check.
load here.'/common.gp'
load here.'/bars.gp'
list = system("cat ".run."/models.dat")
nw = words(list) / 2
label_font = ",15"
err = has_ci ? ci_label." interval over trials" : "no trials: no interval"
set multiplot title "The models at one thread (median ns per operation; error bar: ".err.")" font ",18"
do for [i = 1:nw] {
    w = word(list, 2 * i - 1)
    f = run.'/models-'.w.'.dat'
    eval panel(i, nw)
    set title w.' (N = '.word(list, 2 * i).', one thread)' noenhanced
    load run.'/models-'.w.'.tics'
    set xtics rotate by 30 right noenhanced nomirror scale 0
    set xrange [0.5:*]
    set yrange [0:*]
    set offsets 0, 0.5, graph 0.05, 0
    eval left_label(i, "ns per operation (lower is better)")
    plot for [j = 1:nb] f using (bar_x(j)):(bar_at(5)):(bar_w) with boxes fs solid 0.9 border lc rgb ui_border \
             fc rgb backend_fill(word(backends, j)) notitle, \
         for [j = 1:nb] f using (bar_x(j)):(bar_at(6)):(0):(bar_at(7) - bar_at(6)) @err_style lc rgb ui_border notitle
}
eval key_panel
plot NaN notitle, for [j = 1:nb] keyentry with boxes fs solid 0.9 border lc rgb ui_border fc rgb backend_fill(word(backends, j)) \
     title word(backends, j)
unset multiplot
