# Chart timeline: RSS over the life of each cell's process (warm-up, the
# timed repetitions, the latency and statistics runs), sampled by the
# parent; one panel per workload at its largest N, one line per strategy
# (on glibc): the saw-tooth of a tracing heap, the staircase of an arena,
# the flat line of reference counting.
load here.'/common.gp'
tw = system("cat ".run."/timeline.dat")
nw = words(tw)
set multiplot title "Memory over time: RSS of each cell process" font ",18"
set xlabel "seconds since the cell started"
set xrange [0:*]
set yrange [0:*]
all = ""
do for [i = 1:nw] {
    w = word(tw, i)
    f = run.'/timeline-'.w.'.dat'
    names = names_of(f)
    all = all . " " . names
    eval panel(i, nw)
    eval left_label(i, "RSS (MiB)")
    set title w noenhanced
    plot NaN notitle, for [k = 1:words(names)] f index (k - 1) using 1:2 with lines lw 2 \
         lc rgb strat_color(word(names, k)) dt strat_dash(word(names, k)) notitle
}
eval key_panel
keys = in_order(all)
plot NaN notitle, for [s in keys] keyentry with lines lw 2 lc rgb strat_color(s) dt strat_dash(s) title s
unset multiplot
