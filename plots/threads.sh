#!/bin/sh
# plots/threads.sh RUN_DIR -- the data of the two thread charts (issue #16),
# from cells.csv alone, into RUN_DIR/charts/ (plot.sh calls it).  Written
# only for a run with cells at more than one thread; else the files are
# empty and plot.sh draws neither chart.
#   threads.dat          the workloads the scaling chart has a panel for;
#   threads-<w>.dat      per model x backend at the workload's largest N
#                        among its threaded cells, one block each:
#                        "T throughput lo hi ideal", throughput in Mops/s
#                        (cells.csv's throughput_mops and its interval),
#                        ideal = T x the throughput at one thread;
#                        .names: "model/backend" per block, in order;
#   models.dat           the workloads of the models chart (list_append and
#                        tuple_create, where the run has them);
#   models-<w>.dat       the models (the strategies that ran with threads)
#                        at one thread, the workload's largest N: the rows
#                        bars.gp draws (x strategy backend bx ns lo hi ...),
#                        models-<w>.tics their names on the x axis;
#   oversubscribed.txt   the cells with more threads than CPUs, and their note.
set -u
RUN=${1:?usage: plots/threads.sh RUN_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
CSV=$RUN/cells.csv
OUT=$RUN/charts
. "$HERE/lib.sh"
BACKENDS=$(awk "$AWK_COLS"' !seen[v("backend")]++ { printf "%s ", v("backend") }' "$CSV")
: > "$OUT/threads.dat"; : > "$OUT/models.dat"; : > "$OUT/oversubscribed.txt"
awk "$AWK_COLS"' ok() && threads() > 1 && index(opt("note"), "oversubscribed") {
    print v("cell") ": " substr(v("note"), index(v("note"), "oversubscribed")) }' "$CSV" > "$OUT/oversubscribed.txt"
# The models: every strategy with a cell that ran at more than one thread.
MODELS=$(awk "$AWK_COLS"' ok() && threads() > 1 && !seen[v("strategy")]++ { printf "%s ", v("strategy") }' "$CSV")
[ -n "$MODELS" ] || exit 0

# ---- scaling with threads --------------------------------------------------
awk "$AWK_COLS"' ok() && threads() > 1 && any_threads() && v("size") + 0 > max[v("workload")] { max[v("workload")] = v("size") + 0 }
    END { for (w in max) print w, max[w] }' "$CSV" | sort > "$OUT/threads-largest.dat"
while read -r w n; do
    awk "$AWK_COLS"' ok() && v("workload") == w && v("size") == n && any_threads() {
        k = v("strategy") "/" v("backend"); T = threads()
        if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
        tp[k, T] = opt("throughput_mops"); lo[k, T] = opt("throughput_ci_lo"); hi[k, T] = opt("throughput_ci_hi")
        ts[T] = 1; if (T > 1) multi[k] = 1 }
    function or_nan(x) { return x == "" ? "NaN" : x }
    END {
        nt = 0; for (T in ts) tl[++nt] = T + 0          # the thread counts, ascending
        for (i = 2; i <= nt; i++) for (j = i; j > 1 && tl[j] < tl[j - 1]; j--) { x = tl[j]; tl[j] = tl[j - 1]; tl[j - 1] = x }
        for (i = 1; i <= nk; i++) { k = order[i]; if (!(k in multi)) continue
            one = tp[k, 1]
            printf "\"%s\"\n", k > outf
            for (j = 1; j <= nt; j++) { T = tl[j]; if (!((k, T) in tp) || tp[k, T] == "") continue
                printf "%d %s %s %s %s\n", T, tp[k, T], or_nan(lo[k, T]), or_nan(hi[k, T]), one == "" ? "NaN" : T * one > outf }
            printf "\n\n" > outf
            printf "%s ", k > names }
    }' w="$w" n="$n" outf="$OUT/threads-$w.dat" names="$OUT/threads-$w.dat.names" "$CSV"
    [ -s "$OUT/threads-$w.dat" ] && echo "$w $n" >> "$OUT/threads.dat"
done < "$OUT/threads-largest.dat"
rm -f "$OUT/threads-largest.dat"

# ---- the models at one thread ------------------------------------------------
for w in list_append tuple_create; do
    n=$(awk "$AWK_COLS"' ok() && defaults() && v("workload") == w && v("size") + 0 > m { m = v("size") + 0 } END { print m + 0 }' w="$w" "$CSV")
    [ "$n" -gt 0 ] || continue
    awk "$AWK_COLS"' ok() && defaults() && v("workload") == w && v("size") == n && index(" " models, " " v("strategy") " ") {
        s = v("strategy"); b = v("backend")
        if (!(s in x)) { x[s] = ++ns; name[ns] = s }
        t[s, b] = v("ns_median"); lo[s, b] = ci() ? opt("ns_ci_lo") : "NaN"; hi[s, b] = ci() ? opt("ns_ci_hi") : "NaN" }
    END {
        nb = split(backends, B, " ")
        print "# x strategy backend bx ns err_lo err_hi rss_mib rss_lo rss_hi modes mode_lo mode_hi live_mib" > outf
        printf "set xtics (" > tics
        for (i = 1; i <= ns; i++) { s = name[i]
            printf "%s\"%s\" %d", (i > 1 ? ", " : ""), s, i > tics
            for (j = 1; j <= nb; j++) if ((s, B[j]) in t)
                printf "%d %s %s %d %s %s %s NaN NaN NaN 1 NaN NaN NaN\n", i, s, B[j], j, t[s, B[j]], lo[s, B[j]], hi[s, B[j]] > outf }
        print ")" > tics
        if (ns > 0) print w, n >> list }' w="$w" n="$n" models="$MODELS" backends="$BACKENDS" \
        outf="$OUT/models-$w.dat" tics="$OUT/models-$w.tics" list="$OUT/models.dat" "$CSV"
done
exit 0
