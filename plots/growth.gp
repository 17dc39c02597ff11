# Chart growth: list growth.  Left: capacity against length for each
# policy, with CPython 3.11's capacities as measured by sys.getsizeof drawn
# on top.  Right: the slack (capacity / length) right after each resize.
load here.'/common.gp'
set multiplot title "List growth: capacity after each resize, and the slack it leaves" font ",18"
set logscale x
set format x "10^{%L}"
set xlabel "length (items)"
f = run.'/growth.dat'
c = run.'/growth-cpython.dat'
names = names_of(f)
gap_x = 0.1
eval panel(1, 2)
set logscale y
set format y "10^{%L}"
set ylabel "capacity (items)" offset 1, 0 font label_font
set title "capacity"
plot for [k = 1:words(names)] f index (k - 1) using 1:2 with steps lw 2.5 lc rgb policy_color(word(names, k)) notitle, \
     c using 1:2 with points pt 6 ps 1.2 lc rgb ui_live notitle
eval panel(2, 2)
unset logscale y
set format y "%.2f"
set yrange [1:*]
set ylabel "capacity / length" offset 1, 0 font label_font
set title "slack = capacity / length"
plot for [k = 1:words(names)] f index (k - 1) using 1:($2 / $1) with linespoints lw 2 pt 7 ps 0.6 lc rgb policy_color(word(names, k)) notitle, \
     c using 1:($2 / $1) with points pt 6 ps 1.2 lc rgb ui_live notitle
eval key_panel
plot NaN notitle, for [p in names] keyentry with linespoints lw 2.5 pt 7 ps 0.6 lc rgb policy_color(p) title "policy ".p, \
     keyentry with points pt 6 ps 1.2 lc rgb ui_live title "CPython 3.11"
unset multiplot
