# plots/bars.gp -- what the bar charts (time, rss) share: one row per
# strategy x backend in bars-<workload>.dat (plot.sh), the strategy's number
# in column 1, the backend's in column 4; bars side by side within a
# strategy's slot, its name on the axis.
# Rotated strategy names need more room under each panel; long backend
# names, in the key, more room beside the panels.
gap_y = 0.2
grid_b = 0.16
grid_r = key_room(backends)
# The bars of one strategy take 80% of its slot.
bar_w = 0.8 / nb
bar_x(j) = ($4 == j) ? $1 + (j - (nb + 1) / 2.0) * bar_w : NaN
# Column c of backend j's rows; the bar itself only for a cell with one
# mode (solid), or only for one with two (hollow).
bar_at(c) = column(c)
bar_solid(c) = ($11 < 2) ? column(c) : NaN
bar_hollow(c) = ($11 >= 2) ? column(c) : NaN
# eval bars_axes(w): title, strategy names on x (plot.sh writes them), y from 0.
bars_axes(w) = "set title '".w." (N = ".largest(w).")' noenhanced; load '".run."/bars-".w.".tics'; " . \
    "set xtics rotate by 30 right noenhanced nomirror scale 0; set xrange [0.5:*]; set yrange [0:*]; set offsets 0, 0.5, graph 0.05, 0"
