# Chart: the same cells on every host (a run merged from hosts that each ran
# the whole matrix: make bench-slurm SPLIT=hosts).  Time per operation of
# each cell over the first host's, one colour per host, the cells in the
# matrix's order; memstrat merge computes the ratios (hosts.csv).
load here.'/common.gp'
f = run.'/hosts.dat'
set datafile separator ","
set title "The same cells on each host: ns/op over the first host's (log scale)"
set logscale y
set ylabel "ns/op relative to the first host"
set xlabel "cell (in the matrix's order)"
set key outside right top
set bmargin 5
plot for [i=3:*] f using 0:i with points pt 7 ps 0.8 lc rgb color(i - 2) title columnhead(i)
