# Chart 9: RSS over the life of each cell's process (warm-up, the timed
# repetitions, the latency and statistics runs), sampled by the parent; one
# panel per workload at its largest N, one line per strategy (on glibc): the
# saw-tooth of a tracing heap, the staircase of an arena, the flat line of
# reference counting.
load here.'/common.gp'
tw = system("cat ".run."/timeline.dat")
n = words(tw)
set multiplot layout rows(n), cols(n) title "Memory over time: RSS of each cell process" font ",19"
set xlabel "seconds since the cell started"
set ylabel "RSS (MiB)"
set key top left font ",11"
set bmargin 5
do for [i = 1:n] {
    w = word(tw, i)
    f = run.'/timeline-'.w.'.dat'
    stats f using 1 nooutput
    set title w noenhanced
    plot for [k = 0:STATS_blocks - 1] f index k using 1:2 with lines lw 2 \
         lc rgb color(k + 1) title columnheader(1)
}
unset multiplot
