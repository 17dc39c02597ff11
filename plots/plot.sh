#!/bin/sh
# plots/plot.sh RUN_DIR -- draw every chart of a run from its files alone
# (cells.csv, growth.csv, meta.json): PNG (pngcairo) and SVG into
# RUN_DIR/charts/.  No rerun.  The data each chart draws is written next to
# it as a .dat file, so every bar and point can be checked by hand.
set -u
command -v gnuplot >/dev/null || {
    echo "plots: gnuplot is not installed: run 'make deps' (or: sudo apt-get install gnuplot-nox)" >&2
    exit 1
}
RUN=${1:-results/latest}
HERE=$(cd "$(dirname "$0")" && pwd)
CSV=$RUN/cells.csv
[ -f "$CSV" ] || { echo "plots: no $CSV (run 'make bench' first, or pass RUN=results/<id>)" >&2; exit 1; }

# Every column the charts read must be there: name the first missing one.
NEED="cell workload strategy backend size policy heap_factor window ns_median ns_stddev rss_above_baseline_kb live_peak_bytes status"
missing=$(awk -F, -v need="$NEED" 'NR == 1 {
    n = split(need, want, " ")
    for (i = 1; i <= NF; i++) have[$i] = 1
    for (i = 1; i <= n; i++) if (!(want[i] in have)) { print want[i]; exit }
    exit }' "$CSV")
if [ -n "$missing" ]; then
    echo "plots: $CSV has no column '$missing' (needed: $NEED)" >&2
    exit 1
fi

OUT=$RUN/charts
mkdir -p "$OUT"
. "$HERE/lib.sh"
FOOTER="$(meta cpu_model), $(meta cores) cores | $(meta started_utc) | memstrat $(meta memstrat_commit)"

# ---- data ------------------------------------------------------------------
# The largest size each workload ran at (among ok cells).
awk "$AWK_COLS"' ok() && v("size") + 0 > max[v("workload")] { max[v("workload")] = v("size") + 0 }
    END { for (w in max) print w, max[w] }' "$CSV" | sort > "$OUT/largest.dat"
WORKLOADS=$(cut -d' ' -f1 "$OUT/largest.dat")
BACKENDS=$(awk "$AWK_COLS"' !seen[v("backend")]++ { printf "%s ", v("backend") }' "$CSV")

for w in $WORKLOADS; do
    n=$(awk -v w="$w" '$1 == w { print $2 }' "$OUT/largest.dat")
    # Charts 1, 2, 6: strategy rows, per backend: ns/op, stddev, RSS MiB,
    # speed-up against refcount on glibc.  Missing cells are NaN.  The
    # marksweep bars use the default heap factor 2.
    awk "$AWK_COLS"' v("workload") == w && v("size") == n && defaults() {
        s = v("strategy"); b = v("backend")
        if (!(s in order)) { order[s] = ++ns; name[ns] = s }
        if (ok()) { t[s, b] = v("ns_median"); e[s, b] = v("ns_stddev"); r[s, b] = v("rss_above_baseline_kb") / 1024
                    live = v("live_peak_bytes") / 1048576 }
        else if (v("status") != "n/a") bad[s] = 1
    }
    END {
        nb = split(backends, B, " ")
        base = t["refcount", "glibc"]
        printf "# strategy" > out1; printf "strategy" > out6
        for (j = 1; j <= nb; j++) { printf " %s_ns %s_sd %s_rss", B[j], B[j], B[j] > out1; printf " %s", B[j] > out6 }
        printf " live_mib\n" > out1; printf "\n" > out6
        for (i = 1; i <= ns; i++) {
            s = name[i]
            printf "%s%s", s, ((s in bad) ? "*" : "") > out1
            printf "%s%s", s, ((s in bad) ? "*" : "") > out6
            for (j = 1; j <= nb; j++) {
                k = s SUBSEP B[j]
                printf " %s %s %s", ((k in t) ? t[k] : "NaN"), ((k in e) ? e[k] : "NaN"), ((k in r) ? r[k] : "NaN") > out1
                printf " %s", ((k in t) && base > 0 ? base / t[k] : "NaN") > out6
            }
            printf " %s\n", live > out1; printf "\n" > out6
        }
    }' w="$w" n="$n" backends="$BACKENDS" out1="$OUT/bars-$w.dat" out6="$OUT/heat-$w.dat" "$CSV"

    # Chart 3: ns/op against N per strategy, on the backend fastest at the
    # largest size; the slope of the log-log fit goes in the legend.
    awk "$AWK_COLS"' ok() && v("workload") == w && defaults() {
        s = v("strategy"); b = v("backend")
        if (!(s in seen)) { seen[s] = 1; order[++ns] = s }
        t[s, b, v("size")] = v("ns_median"); sizes[v("size")] = 1; be[b] = 1
        if (v("size") == n && (!(s in best) || v("ns_median") + 0 < bt[s])) { best[s] = b; bt[s] = v("ns_median") + 0 }
    }
    END {
        nz = 0; for (z in sizes) zs[++nz] = z + 0          # the sizes, ascending
        for (i = 2; i <= nz; i++) for (j = i; j > 1 && zs[j] < zs[j - 1]; j--) { x = zs[j]; zs[j] = zs[j - 1]; zs[j - 1] = x }
        for (i = 1; i <= ns; i++) {
            s = order[i]; if (!(s in best)) continue
            b = best[s]; m = 0; sx = sy = sxx = sxy = 0
            for (z in sizes) if ((s, b, z) in t) { x = log(z) / log(10); y = log(t[s, b, z]) / log(10)
                m++; sx += x; sy += y; sxx += x * x; sxy += x * y }
            slope = (m > 1 && m * sxx - sx * sx != 0) ? (m * sxy - sx * sy) / (m * sxx - sx * sx) : 0
            # The floor reference is the lower bound: a file of its own,
            # drawn dashed under the strategies.
            f = s == "floor" ? floorf : outf
            printf "# %s on %s, ns/op ~ N^%.2f\n", s, b, slope > f
            printf "\"%s (%s): slope %+.2f\"\n", s == "floor" ? "floor, the lower bound" : s, b, slope > f
            for (j = 1; j <= nz; j++) if ((s, b, zs[j]) in t) print zs[j], t[s, b, zs[j]] > f
            printf "\n\n" > f
        }
    }' w="$w" n="$n" floorf="$OUT/scaling-$w-floor.dat" outf="$OUT/scaling-$w.dat" "$CSV"
    touch "$OUT/scaling-$w.dat" "$OUT/scaling-$w-floor.dat"

    # Chart 5: marksweep heap factors as a curve, the other strategies as
    # points: ns/op against RSS above baseline, at the largest size on glibc.
    awk "$AWK_COLS"' ok() && v("workload") == w && v("size") == n && v("backend") == "glibc" && default_shape() {
        if (v("strategy") == "marksweep") print v("heap_factor"), v("rss_above_baseline_kb") / 1024, v("ns_median") > curve
        else print v("strategy"), v("rss_above_baseline_kb") / 1024, v("ns_median") > points
    }' w="$w" n="$n" curve="$OUT/tradeoff-$w-curve.unsorted" points="$OUT/tradeoff-$w-points.dat" "$CSV"
    touch "$OUT/tradeoff-$w-curve.unsorted" "$OUT/tradeoff-$w-points.dat"
    sort -g "$OUT/tradeoff-$w-curve.unsorted" > "$OUT/tradeoff-$w-curve.dat"
    rm -f "$OUT/tradeoff-$w-curve.unsorted"
done

# Chart 7: the workloads some strategy leaks under (cycles), at their
# largest N: per strategy, on its fastest backend, ns/op and the MiB a full
# collection left after the run.  Drawn only when the run has such cells.
: > "$OUT/leak.dat"
LEAKING=$(awk "$AWK_COLS"' ("leaked_bytes" in c) && ok() && v("leaked_bytes") + 0 > 0 && !seen[v("workload")]++ { printf "%s ", v("workload") }' "$CSV")
for w in $LEAKING; do
    n=$(awk -v w="$w" '$1 == w { print $2 }' "$OUT/largest.dat")
    awk "$AWK_COLS"' ok() && v("workload") == w && v("size") == n && defaults() {
        s = v("strategy"); if (!(s in t)) order[++ns] = s
        if (!(s in t) || v("ns_median") + 0 < t[s]) { t[s] = v("ns_median") + 0; l[s] = v("leaked_bytes") }
    }
    END { for (i = 1; i <= ns; i++) { s = order[i]
        printf "\"%s\" %s %s\n", (nw > 1 ? w "/" : "") s, t[s], l[s] == "-" ? "NaN" : l[s] / 1048576 } }' \
        w="$w" n="$n" nw="$(echo $LEAKING | wc -w)" "$CSV" >> "$OUT/leak.dat"
done

# Charts 8 and 9: latency percentiles and RSS over time, at each workload's
# largest N, per strategy (default parameters): latency on the strategy's
# fastest backend, the timeline on glibc (own-heap strategies on theirs).
# One block per strategy, from the run's latency/ and timeline/ files; drawn
# only when the run has them.
: > "$OUT/latency.dat"; : > "$OUT/timeline.dat"
for w in $WORKLOADS; do
    n=$(awk -v w="$w" '$1 == w { print $2 }' "$OUT/largest.dat")
    awk "$AWK_COLS"' ok() && v("workload") == w && v("size") == n && defaults() {
        s = v("strategy"); if (!(s in t)) order[++ns] = s
        if (!(s in t) || v("ns_median") + 0 < t[s]) { t[s] = v("ns_median") + 0; best[s] = v("cell") }
        if (!(s in tl) || v("backend") == "glibc") tl[s] = v("cell")
    }
    END { for (i = 1; i <= ns; i++) print order[i], best[order[i]], tl[order[i]] }' \
        w="$w" n="$n" "$CSV" > "$OUT/pick-$w.txt"
    : > "$OUT/latency-$w.dat"; : > "$OUT/timeline-$w.dat"
    while read -r s lat tln; do
        if [ -s "$RUN/latency/$lat.csv" ]; then
            # x = 1 / (1 - percentile): 10 at p90, 1000 at p99.9 (as HdrHistogram plots).
            { echo "\"$s\""; awk -F, 'NR > 1 && $1 < 100 { print 1 / (1 - $1 / 100), $2 }' \
                "$RUN/latency/$lat.csv"; printf "\n\n"; } >> "$OUT/latency-$w.dat"
        fi
        if [ -s "$RUN/timeline/$tln.csv" ]; then
            { echo "\"$s\""; awk -F, 'NR > 1 { print $1, $2 / 1024 }' "$RUN/timeline/$tln.csv"
              printf "\n\n"; } >> "$OUT/timeline-$w.dat"
        fi
    done < "$OUT/pick-$w.txt"
    rm -f "$OUT/pick-$w.txt"
    [ -s "$OUT/latency-$w.dat" ] && echo "$w" >> "$OUT/latency.dat"
    [ -s "$OUT/timeline-$w.dat" ] && echo "$w" >> "$OUT/timeline.dat"
done

# Chart 4: capacity against length per policy, and CPython's own capacities.
[ -f "$RUN/growth.csv" ] || { echo "plots: no $RUN/growth.csv (written by memstrat run)" >&2; exit 1; }
awk -F, 'NR > 1 { if ($1 != last) { if (NR > 2) printf "\n\n"; print "\"" $1 "\""; last = $1 } print $2, $3 }' \
    "$RUN/growth.csv" > "$OUT/growth.dat"
grep -v '^#' "$HERE/../tests/data/cpython-3.11-list-growth.txt" > "$OUT/growth-cpython.dat" 2>/dev/null ||
    : > "$OUT/growth-cpython.dat"

# Failed or missing cells, for the footers.
FAILED=$(awk "$AWK_COLS"' !ok() && v("status") != "n/a" { n++ } END { print n + 0 }' "$CSV")
[ "$FAILED" -gt 0 ] && FOOTER="$FOOTER | * $FAILED failed or missing cells (see report)"

# ---- draw ------------------------------------------------------------------
status=0
# Scaling needs two sizes at least: with one, there is no line to draw.
NSIZES=$(awk "$AWK_COLS"' ok() && !seen[v("size")]++ { n++ } END { print n + 0 }' "$CSV")
CHARTS="time rss scaling growth tradeoff heatmap"
[ "$NSIZES" -ge 2 ] || CHARTS="time rss growth tradeoff heatmap"
[ -s "$OUT/leak.dat" ] && CHARTS="$CHARTS leak"
[ -s "$OUT/latency.dat" ] && CHARTS="$CHARTS latency"
[ -s "$OUT/timeline.dat" ] && CHARTS="$CHARTS timeline"
# A run merged from several hosts (memstrat merge): the same cells on each.
[ -s "$RUN/hosts.csv" ] && cp "$RUN/hosts.csv" "$OUT/hosts.dat" && CHARTS="$CHARTS hosts"
for chart in $CHARTS; do
    for fmt in png svg; do
        gnuplot -e "here='$HERE'; chart='$chart'; run='$OUT'; fmt='$fmt'; footer='$FOOTER'; workloads='$(echo $WORKLOADS)'; backends='$BACKENDS'; leak_workloads='$(echo $LEAKING)'" \
            "$HERE/$chart.gp" 2> "$OUT/$chart.$fmt.log" || {
            echo "plots: $chart.$fmt failed:" >&2; cat "$OUT/$chart.$fmt.log" >&2; status=1; }
    done
done
[ $status -eq 0 ] && echo "plots: $(ls "$OUT"/*.png | wc -l) charts in $OUT"
exit $status
