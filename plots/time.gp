# Chart 1: time per operation at the largest N, bars grouped by strategy, one
# colour per backend, error bars from the repetitions' standard deviation.
load here.'/common.gp'
set multiplot layout rows(nw), cols(nw) title "Time per operation at the largest N (median of repetitions; error bar: stddev)" font ",19"
set style data histogram
set style histogram errorbars gap 1 lw 1.5
set style fill solid 0.85 border -1
set ylabel "ns per operation (lower is better)"
set yrange [0:*]
set xtics rotate by -30 noenhanced
set key top left
set bmargin 6
if (nw > 2) { set ylabel font ",12"; set bmargin 4; set key top center horizontal }
do for [i = 1:nw] {
    w = word(workloads, i)
    if (i > 1 && nw > 2) { unset key }
    set title w." (N = ".largest(w).")" noenhanced
    plot for [j = 1:nb] run.'/bars-'.w.'.dat' using (column(3 * j - 1)):(column(3 * j)):xtic(1) \
         title word(backends, j) lc rgb color(j)
}
unset multiplot
