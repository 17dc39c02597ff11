# Chart 3: how the cost per operation changes with N, log-log, one line per
# strategy on its fastest backend; the legend gives the fitted slope of
# ns/op against N (0: total cost linear in N).  The floor reference series,
# when the run has it, is the dashed black line: the lower bound.
load here.'/common.gp'
set multiplot layout rows(nw), cols(nw) title "Scaling: ns per operation against N (legend: log-log slope; 0 = linear total cost)" font ",19"
set logscale xy
set xlabel "N (operations)"
set ylabel "ns per operation"
set format x "10^{%L}"
if (nw > 2) { set key top left font ",9" } else { set key top left font ",14" }
do for [i = 1:nw] {
    w = word(workloads, i)
    f = run.'/scaling-'.w.'.dat'
    stats f using 1 nooutput
    set title w noenhanced
    fl = run.'/scaling-'.w.'-floor.dat'
    has_floor = int(system("test -s '".fl."' && echo 1 || echo 0"))
    plot for [k = 0:STATS_blocks - 1] f index k using 1:2 with linespoints lw 2.5 pt 7 \
         lc rgb color(k + 1) title columnheader(1), \
         for [k = 0:has_floor - 1] fl index 0 using 1:2 with lines lw 3 dt 2 lc rgb "black" \
         title columnheader(1)
}
unset multiplot
