# Chart 2: peak RSS above the process baseline at the largest N, same
# grouping as chart 1; the line is what the workload itself holds live, so
# the gap between bar and line is the strategy's and allocator's overhead.
load here.'/common.gp'
set multiplot layout rows(nw), cols(nw) title "Peak RSS above baseline at the largest N (line: bytes the workload holds live)" font ",19"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set ylabel "MiB"
set yrange [0:*]
set xtics rotate by -30 noenhanced
set key top left
set bmargin 6
if (nw > 2) { set ylabel font ",12"; set bmargin 4; set key top center horizontal }
do for [i = 1:nw] {
    w = word(workloads, i)
    if (i > 1 && nw > 2) { unset key }
    set title w." (N = ".largest(w).")" noenhanced
    plot for [j = 1:nb] run.'/bars-'.w.'.dat' using (column(3 * j + 1)):xtic(1) \
         title word(backends, j) lc rgb color(j), \
         '' using 0:(column(3 * nb + 2)) with linespoints lw 3 pt 7 lc rgb "black" title "live bytes requested"
}
unset multiplot
