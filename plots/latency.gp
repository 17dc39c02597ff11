# Chart 8: the latency distribution, as HdrHistogram plots it: ns per
# operation of each batch (log scale) against the percentile, on an axis
# that stretches the tail (1 / (1 - percentile): 90% at 10, 99.9% at 1000).
# One panel per workload at its largest N, one line per strategy on its
# fastest backend.
load here.'/common.gp'
lw = system("cat ".run."/latency.dat")
n = words(lw)
set multiplot layout rows(n), cols(n) title "Latency per batch of operations, by percentile (log scales)" font ",19"
set logscale xy
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000)
set xlabel "percentile"
set ylabel "ns per operation"
set key top left font ",11"
set bmargin 5
do for [i = 1:n] {
    w = word(lw, i)
    f = run.'/latency-'.w.'.dat'
    stats f using 1 nooutput
    set title w noenhanced
    plot for [k = 0:STATS_blocks - 1] f index k using 1:2 with linespoints lw 2 pt 7 ps 0.6 \
         lc rgb color(k + 1) title columnheader(1)
}
unset multiplot
