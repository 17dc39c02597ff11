# Chart 4: list growth.  Left: capacity against length for each policy, with
# CPython 3.11's capacities as measured by sys.getsizeof drawn on top.
# Right: the slack (capacity / length) right after each resize.
load here.'/common.gp'
set multiplot layout 1, 2 title "List growth: capacity after each resize, and the slack it leaves" font ",19"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xlabel "length (items)"
set ylabel "capacity (items)"
set key top left font ",14"
f = run.'/growth.dat'
c = run.'/growth-cpython.dat'
stats f using 1 nooutput
np = STATS_blocks
set title "capacity"
plot for [k = 0:np - 1] f index k using 1:2 with steps lw 2.5 lc rgb color(k + 1) title columnheader(1), \
     c using 1:2 with points pt 6 ps 1.2 lc rgb "black" title "CPython 3.11 (sys.getsizeof)"
set title "slack = capacity / length"
unset logscale y
set format y "%.2f"
set ylabel "capacity / length"
plot for [k = 0:np - 1] f index k using 1:($2 / $1) with linespoints lw 2 pt 7 ps 0.6 lc rgb color(k + 1) title columnheader(1), \
     c using 1:($2 / $1) with points pt 6 ps 1.2 lc rgb "black" title "CPython 3.11"
unset multiplot
