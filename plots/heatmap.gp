# Chart heatmap: speed-up of every strategy x backend cell over the
# baseline (refcount on glibc unless BASELINE says otherwise; >1: faster),
# per workload, at the largest N.  Blank: not run or failed.  One colour
# scale for all panels, beside them.
load here.'/common.gp'
set multiplot title "Speed-up over ".baseline." at the largest N (higher is faster)" font ",18"
set logscale cb
set cbrange [0.2:5]
set cbtics ("0.25x" 0.25, "0.5x" 0.5, "1x" 1, "2x" 2, "4x" 4)
set palette defined (0 heat_slow, 0.5 heat_same, 1 heat_fast)
set palette maxcolors 0
set xtics noenhanced rotate by 30 right
set ytics noenhanced
set tics scale 0
unset grid
# Room for the longest strategy name (cpython_model) left of each panel,
# and for backend variants (jemalloc@narenas=1), slanted, under it.
grid_l = 0.14
gap_x = 0.13
grid_b = 0.17
gap_y = 0.18
# Nine strategies in a panel of half the height: a smaller font in each cell.
cell_font = nw > 2 ? ",10" : ",13"
do for [i = 1:nw] {
    w = word(workloads, i)
    set title w." (N = ".largest(w).")" noenhanced
    f = run.'/heat-'.w.'.dat'
    eval panel(i, nw)
    if (i == nw) { set colorbox user origin screen grid_r + 0.04, screen grid_b size screen 0.025, screen grid_t - grid_b } else { unset colorbox }
    plot f matrix rowheaders columnheaders using 1:2:3 with image notitle, \
         f matrix rowheaders columnheaders using 1:2:($3 == $3 ? sprintf("%.3gx", $3) : "") with labels font cell_font notitle
}
unset multiplot
