# Chart threads: scaling with threads.  Per workload, at its largest N among
# the cells that ran with threads: total throughput (Mops/s, all threads)
# against the thread count T, one line per model x backend -- the colour is
# the model's, the point the backend's -- with the 95% interval of each
# point (from ns_ci_lo/hi) as error bars, and, dashed in the same colour,
# the ideal: T x the throughput at one thread.  A GIL's line stays flat; a
# model that scales follows its dashes.
load here.'/common.gp'
list = system("cat ".run."/threads.dat")
nw = words(list) / 2
tw(i) = word(list, 2 * i - 1)
model(k) = k[1:strstrt(k, "/") - 1]
backend(k) = k[strstrt(k, "/") + 1:]
label_font = nw > 2 ? ",12" : ",15"
set multiplot title "Scaling with threads: total throughput against T (error bars: ".ci_label." interval; dashed: T x one thread)" font ",16"
set xlabel "threads T"
set yrange [0:*]
set offsets 0.2, 0.2, graph 0.05, 0
set xtics 1 nomirror
all = ""
bes = ""
do for [i = 1:nw] {
    w = tw(i)
    f = run.'/threads-'.w.'.dat'
    names = names_of(f)
    do for [k in names] { all = all . " " . model(k); bes = bes . " " . backend(k) }
    eval panel(i, nw)
    eval left_label(i, "Mops/s, all threads (higher is better)")
    set title w." (N = ".word(list, 2 * i).")" noenhanced
    plot NaN notitle, \
         for [j = 1:words(names)] f index (j - 1) using 1:5 with lines lw 1.2 dt ideal_dash \
             lc rgb strat_color(model(word(names, j))) notitle, \
         for [j = 1:words(names)] f index (j - 1) using 1:3:(0):($4 - $3) @err_style \
             lc rgb strat_color(model(word(names, j))) notitle, \
         for [j = 1:words(names)] f index (j - 1) using 1:2 with linespoints lw 2.5 ps 1.2 \
             lc rgb strat_color(model(word(names, j))) pt backend_point(backend(word(names, j))) notitle
}
eval key_panel
keys = in_order(all)
bkeys = ordered(backend_names, bes)
plot NaN notitle, for [s in keys] keyentry with lines lw 2.5 lc rgb strat_color(s) title s, \
     for [b in bkeys] keyentry with points ps 1.2 pt backend_point(b) lc rgb ui_text title b, \
     keyentry with lines lw 1.2 dt ideal_dash lc rgb ui_text title "ideal"
unset multiplot
