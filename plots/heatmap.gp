# Chart 6: speed-up of every strategy x backend cell over refcount on glibc
# (>1: faster), per workload, at the largest N.  Blank: not run or failed.
load here.'/common.gp'
set multiplot layout rows(nw), cols(nw) title "Speed-up over refcount on glibc at the largest N (higher is faster)" font ",19"
set logscale cb
set cbrange [0.2:5]
set cbtics ("0.25x" 0.25, "0.5x" 0.5, "1x" 1, "2x" 2, "4x" 4)
set palette defined (0 "#b2182b", 0.5 "#f7f7f7", 1 "#2166ac")
set palette maxcolors 0
set xtics noenhanced
set ytics noenhanced
set tics scale 0
set xlabel "backend" offset 0,0.5
set bmargin 5
do for [i = 1:nw] {
    w = word(workloads, i)
    set title w." (N = ".largest(w).")" noenhanced
    f = run.'/heat-'.w.'.dat'
    plot f matrix rowheaders columnheaders using 1:2:3 with image notitle, \
         f matrix rowheaders columnheaders using 1:2:($3 == $3 ? sprintf("%.2fx", $3) : "") with labels font ",15" notitle
}
unset multiplot
