# Chart knob: the allocator's own time-space trade-off.  A sweep over one
# option of one allocator (knob = "mimalloc@reset_delay"): ns/op (left) and
# RSS above baseline (right) against the option's value, one line per
# workload and strategy (the strategy's colour, the workload's dash), at
# each workload's largest N.  The value axis is logarithmic after adding 1,
# so that 0 (give memory back at once) has a place.
load here.'/common.gp'
f = run.'/knob.dat'
stats f using 1 nooutput
nblocks = STATS_blocks
strats = system("cat ".f.".names")
wls = system("awk '/^\"/ { gsub(/\"/, \"\"); if (!seen[$1]++) printf \"%s \", $1 }' ".f)
blockwl(k) = system(sprintf("awk '/^\"/ { if (n++ == %d) { gsub(/\"/, \"\"); printf \"%%s\", $1 } }' %s", k, f))
dash(k) = find_word(wls, blockwl(k))
set multiplot title "Allocator option ".knob.": time and memory against its value" font ",18" noenhanced
set logscale x
set xlabel "value + 1 (".knob.")" noenhanced
set style data linespoints
grid_b = 0.2
grid_r = key_room(strats." ".wls)
eval panel(1, 2)
set title "time per operation (ns, lower is better)"
set logscale y
plot for [k = 0:nblocks - 1] f index k using ($1 + 1):2 lw 2 ps 1.2 dt dash(k) \
     lc rgb strat_color(word(strats, k + 1)) pt strat_point(word(strats, k + 1)) notitle
eval panel(2, 2)
unset logscale y
set yrange [0:*]
set title "RSS above baseline (MiB)"
plot for [k = 0:nblocks - 1] f index k using ($1 + 1):3 lw 2 ps 1.2 dt dash(k) \
     lc rgb strat_color(word(strats, k + 1)) pt strat_point(word(strats, k + 1)) notitle
eval key_panel
keys = in_order(strats)
plot NaN notitle, for [s in keys] keyentry with linespoints lw 2 lc rgb strat_color(s) pt strat_point(s) title s, \
     for [i = 1:words(wls)] keyentry with lines lw 2 dt i lc rgb ui_border title word(wls, i)
unset multiplot
