# Chart 5: the time-space trade-off of tracing.  marksweep at each heap
# factor is one point of a curve (more heap, fewer collections); the other
# strategies are single points.  Largest N, glibc runner.
load here.'/common.gp'
set multiplot layout rows(nw), cols(nw) title "Time-space trade-off at the largest N on glibc (labels: marksweep heap factor)" font ",19"
set xlabel "peak RSS above baseline (MiB)"
set ylabel "ns per operation"
set key top right font ",14"
set offsets graph 0.08, graph 0.08, graph 0.1, graph 0.1
do for [i = 1:nw] {
    w = word(workloads, i)
    set title w." (N = ".largest(w).")" noenhanced
    plot run.'/tradeoff-'.w.'-curve.dat' using 2:3 with linespoints lw 2.5 pt 7 lc rgb color(3) title "marksweep", \
         '' using 2:3:(sprintf("%s", strcol(1))) with labels offset 0, 1.1 font ",13" notitle, \
         run.'/tradeoff-'.w.'-points.dat' using 2:3 with points pt 5 ps 1.8 lc rgb color(5) title "other strategies", \
         '' using 2:3:1 with labels offset 0, -1.2 font ",14" noenhanced notitle
}
unset multiplot
