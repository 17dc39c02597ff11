# plots/common.gp -- what every chart shares: the terminal (PNG through
# pngcairo, or SVG), a size and font legible at 800 px wide, backend colours,
# and the footer naming the machine, the date and the commit.
if (fmt eq 'svg') {
    set terminal svg size 1200,750 dynamic enhanced font "sans,17" background rgb "white"
} else {
    set terminal pngcairo size 1200,750 enhanced font "sans,17" background rgb "white"
}
set output run.'/'.chart.'.'.fmt
set datafile missing "NaN"
set key noenhanced
set grid ytics lc rgb "#dddddd"
set border lc rgb "#444444"
set label 99 footer at screen 0.01, 0.02 left font ",12" noenhanced tc rgb "#555555"
# One colour per backend, one per strategy (colour-blind safe, Okabe-Ito, and
# a grey: nine strategies besides the floor share a chart).
palette_colors = "#0072B2 #E69F00 #009E73 #CC79A7 #D55E00 #56B4E9 #F0E442 #000000 #999999"
color(i) = word(palette_colors, (i - 1) % words(palette_colors) + 1)
nw = words(workloads)
nb = words(backends)
largest(w) = system("awk '$1 == \"".w."\" { print $2 }' ".run."/largest.dat")
# Per-workload charts: one panel each, on two rows when there are more than
# two, with smaller tics and the key in the first panel only.
rows(n) = n > 2 ? 2 : 1
cols(n) = ceil(n * 1.0 / rows(n))
if (nw > 2) { set tics font ",11"; set key font ",11" }
