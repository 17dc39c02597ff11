# Chart breakdown: where the time of one operation goes.  Per workload at
# its largest N, one bar stacked from the floor up: the floor (the stores
# themselves), + the allocator (malloc - floor), + counting (refcount -
# malloc), + cycle collection (rc_cycle - refcount), + the interpreter
# (cpython - rc_cycle), each series on its fastest backend (or
# BREAKDOWN_BACKEND).  Hatched: the share of a layer spent in page faults,
# where the run measured it.  One panel per workload, each with its own
# scale from 0; a layer tall enough carries its ns inside it, the total
# sits on top.  summary.sh writes the stack and its notes.
load here.'/common.gp'
f = run.'/breakdown.dat'
bars = names_of(f)
n = words(bars)
one_row = 1
gap_x = 0.06
layers = system("awk 'NR > 1 && !seen[$3]++ { printf \"%s \", $3 }' ".f)
hatched = int(system("awk 'NR > 1 && $6 < $5 - 1e-9 { n++ } END { print n + 0 }' ".f))
set style textbox opaque noborder
unset xtics
set xrange [0.5:1.5]
half = 0.32
# The hatching is named in the title: a key swatch of white lines on white
# would show nothing.
set multiplot title "Where the time of one operation goes, layer by layer, at the largest N".(hatched ? " (hatched: page faults)" : "") font ",18"
do for [b = 1:n] {
    mine(c) = ($1 == b) ? column(c) : NaN
    # stats keeps to the current ranges: free them first.
    set autoscale y
    stats f using (mine(5)) nooutput
    ymax = STATS_max
    set yrange [0:ymax * 1.12]
    eval panel(b, n)
    eval left_label(b, "ns per operation")
    set title word(bars, b) noenhanced
    plot NaN notitle, \
         for [l in layers] f using (1):(strcol(3) eq l ? mine(5) : NaN):(1 - half):(1 + half):4:5 with boxxyerror \
             fs solid 1 border lc rgb ui_border fc rgb layer_color(l) notitle, \
         f using (1):(mine(5)):(1 - half):(1 + half):6:5 with boxxyerror fs transparent pattern 4 border lc rgb ui_border \
             fc rgb ui_background notitle, \
         f using (1):(mine(5) - $4 > ymax * 0.05 ? ($4 + $5) / 2 : NaN):(sprintf("%.1f", $5 - $4)) with labels boxed font ",11" notitle, \
         f using (1):($9 == 1 ? mine(5) : NaN):(sprintf("%.1f ns", $5)) with labels offset 0, 0.8 font ",13" notitle
}
eval key_panel
keys = ordered(layer_names, layers)
plot NaN notitle, for [l in keys] keyentry with boxes fs solid 1 border lc rgb ui_border fc rgb layer_color(l) title (l eq "unsplit" ? "not split" : l)
unset multiplot
