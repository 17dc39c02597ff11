# plots/common.gp -- what every chart shares: the terminal (PNG through
# pngcairo, or SVG), a size and font legible at 800 px wide, the palette,
# the panel grid, a shared key beside it, and the footer naming the machine,
# the date and the commit.
load here.'/palette.gp'
if (fmt eq 'svg') {
    set terminal svg size 1200,750 dynamic enhanced font "sans,17" background rgb ui_background
} else {
    set terminal pngcairo size 1200,750 enhanced font "sans,17" background rgb ui_background
}
set output run.'/'.chart.'.'.fmt
set datafile missing "NaN"
set key noenhanced
set grid ytics lc rgb ui_grid
set border lc rgb ui_border
set label 99 footer at screen 0.01, 0.015 left font ",11" noenhanced tc rgb ui_footer
nw = words(workloads)
nb = words(backends)
largest(w) = system("awk '$1 == \"".w."\" { print $2 }' ".run."/largest.dat")
# The strategies drawn in a data file, in its order (plot.sh writes them).
names_of(f) = system("cat '".f.".names' 2>/dev/null")

# ---- the panel grid --------------------------------------------------------
# Every panel's plotting area is placed at fixed screen coordinates, so that
# tic labels, titles and the footer each have a band of their own and the
# key never sits on the data: the panels fill [grid_l, grid_r] x [grid_b,
# grid_t], the key takes the strip right of grid_r.  A chart may move these
# (bar charts need more room under each panel for rotated names).
grid_l = 0.09
grid_r = 0.80
grid_b = 0.13
grid_t = 0.87
gap_x = 0.075
gap_y = 0.16
# one_row: a chart whose panels all go side by side.
one_row = 0
rows(n) = (n > 2 && !one_row) ? 2 : 1
cols(n) = ceil(n * 1.0 / rows(n))
cell_w(n) = (grid_r - grid_l - (cols(n) - 1) * gap_x) / cols(n)
cell_h(n) = (grid_t - grid_b - (rows(n) - 1) * gap_y) / rows(n)
cell_l(i, n) = grid_l + ((i - 1) % cols(n)) * (cell_w(n) + gap_x)
cell_t(i, n) = grid_t - int((i - 1) / cols(n)) * (cell_h(n) + gap_y)
# eval panel(i, n): put the next plot in panel i of n.
panel(i, n) = sprintf("set lmargin at screen %g; set rmargin at screen %g; set tmargin at screen %g; set bmargin at screen %g", \
    cell_l(i, n), cell_l(i, n) + cell_w(n), cell_t(i, n), cell_t(i, n) - cell_h(n))
# eval left_label(i, text): the y label on the first panel of each row only,
# so that it never sits in the gap beside the panel to its left.
# (unset ylabel forgets the font: give it each time).
left_label(i, text) = ((i - 1) % cols(nw) == 0) ? "set ylabel '".text."' offset 1, 0 font '".label_font."'" : "unset ylabel"
# More than two panels: smaller tics and labels.  Axis labels a little
# closer to their tics, away from the panel below.
label_font = nw > 2 ? ",12" : ",15"
set xlabel offset 0, 0.6 font label_font
if (nw > 2) { set tics font ",11"; set title font ",14" } else { set tics font ",13"; set title font ",15" }
# Error bars as capped vectors (x, lo, 0, hi - lo): gnuplot's yerrorbars
# leave a white dot at the centre of every bar.
err_style = "with vectors heads size screen 0.006, 90 lw 1.2"
# eval fit_x_log(f): a log x axis that ends half a step past the data, so
# that no point sits on the frame (stats heeds the current range: free it).
fit_x_log(f) = "set autoscale x; stats '".f."' using 1 nooutput; set xrange [STATS_min / 1.4 : STATS_max * 1.4]"

# grid_r = key_room(l): the right edge of the grid that leaves the key room
# for the longest of the names in l (a backend variant such as
# mimalloc@reset_delay=10000 is long); a character of the key's font is
# about 0.0085 of the width, the sample and the margins 0.09.
longest(l) = longest_from(l, 1, 0)
longest_from(l, i, m) = (i > words(l)) ? m : longest_from(l, i + 1, strlen(word(l, i)) > m ? strlen(word(l, i)) : m)
key_room(l) = (0.91 - longest(l) * 0.0085 < 0.80) ? 0.91 - longest(l) * 0.0085 : 0.80
# eval key_panel: an empty plot in the strip right of the grid whose only
# content is the key; follow it with `plot NaN notitle, keyentry ...`.
key_panel = "unset title; unset xlabel; unset ylabel; unset tics; unset border; unset grid; unset logscale; " . \
    "set xrange [0:1]; set yrange [0:1]; set lmargin at screen grid_r + 0.01; set rmargin at screen 0.995; " . \
    "set tmargin at screen grid_t; set bmargin at screen grid_b; " . \
    "set key at screen grid_r + 0.02, grid_t left top Left reverse font ',13' samplen 2.5 spacing 1.3 noautotitle"
# The entries of a key: the words of list `order` (the palette's) that
# appear in l, in that order, then those of l the palette does not know.
ordered(order, l) = ordered_from(order, l, 1, "")
ordered_from(order, l, i, acc) = (i > words(order)) ? acc . unknown_of(order, l, 1, "") : \
    ordered_from(order, l, i + 1, find_word(l, word(order, i)) ? acc . " " . word(order, i) : acc)
unknown_of(order, l, i, acc) = (i > words(l)) ? acc : \
    unknown_of(order, l, i + 1, (find_word(order, word(l, i)) || find_word(acc, word(l, i))) ? acc : acc . " " . word(l, i))
in_order(l) = ordered(strat_names, l)
