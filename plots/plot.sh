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
check_baseline plots || exit 2
FOOTER="$(meta cpu_model), $(meta cores) cores | $(meta started_utc) | memstrat $(meta memstrat_commit)"

# ---- data ------------------------------------------------------------------
# The largest size each workload ran at (among ok cells).
awk "$AWK_COLS"' ok() && v("size") + 0 > max[v("workload")] { max[v("workload")] = v("size") + 0 }
    END { for (w in max) print w, max[w] }' "$CSV" | sort > "$OUT/largest.dat"
WORKLOADS=$(cut -d' ' -f1 "$OUT/largest.dat")
BACKENDS=$(awk "$AWK_COLS"' !seen[v("backend")]++ { printf "%s ", v("backend") }' "$CSV")

HAS_CI=0; has_ci && HAS_CI=1
CI_LABEL=$(ci_label)
: > "$OUT/bimodal.txt"; : > "$OUT/scaling-slopes.dat"
for w in $WORKLOADS; do
    n=$(awk -v w="$w" '$1 == w { print $2 }' "$OUT/largest.dat")
    # Charts time, rss: one row per strategy x backend: ns/op and the ends
    # of its error bar (the 95% interval where the run has trials, else
    # +- stddev), RSS MiB and its interval, the modes of a bimodal cell, the
    # live MiB.  Strategies in the order they ran, numbered for the x axis;
    # a strategy with a failed cell is starred.  Missing cells are NaN.
    # Chart heatmap: speed-up against the baseline, strategy x backend.
    awk "$AWK_COLS"' v("workload") == w && v("size") == n && defaults() {
        s = v("strategy"); b = v("backend")
        if (!(s in order)) { order[s] = ++ns; name[ns] = s }
        if (ok()) {
            t[s, b] = v("ns_median"); r[s, b] = v("rss_above_baseline_kb") / 1024; live = v("live_peak_bytes") / 1048576
            if (ci()) { lo[s, b] = opt("ns_ci_lo"); hi[s, b] = opt("ns_ci_hi") }
            else { lo[s, b] = v("ns_median") - v("ns_stddev"); hi[s, b] = v("ns_median") + v("ns_stddev") }
            if (opt("rss_ci_lo") != "" && opt("rss_ci_hi") != "") {
                rlo[s, b] = (opt("rss_ci_lo") - v("baseline_rss_kb")) / 1024; rhi[s, b] = (opt("rss_ci_hi") - v("baseline_rss_kb")) / 1024 }
            if (opt("modes") + 0 >= 2) { m1[s, b] = opt("mode_lo_ns"); m2[s, b] = opt("mode_hi_ns")
                printf "%s: modes at %s and %s ns/op (%.0f%% of samples in the lower)\n", v("cell"), m1[s, b], m2[s, b], 100 * opt("mode_lo_share") >> bimodal }
        }
        else if (v("status") != "n/a") bad[s] = 1
    }
    function or_nan(k, a) { return (k in a) ? a[k] : "NaN" }
    END {
        nb = split(backends, B, " ")
        base = t[bs, bb]
        print "# x strategy backend bx ns err_lo err_hi rss_mib rss_lo rss_hi modes mode_lo mode_hi live_mib" > out1
        printf "strategy" > out6; for (j = 1; j <= nb; j++) printf " %s", B[j] > out6; printf "\n" > out6
        printf "set xtics (" > tics
        for (i = 1; i <= ns; i++) {
            s = name[i]; label = s ((s in bad) ? "*" : "")
            printf "%s\"%s\" %d", (i > 1 ? ", " : ""), label, i > tics
            printf "%s", label > out6
            for (j = 1; j <= nb; j++) {
                k = s SUBSEP B[j]
                printf "%d %s %s %d %s %s %s %s %s %s %d %s %s %s\n", i, label, B[j], j, or_nan(k, t), or_nan(k, lo), or_nan(k, hi),
                    or_nan(k, r), or_nan(k, rlo), or_nan(k, rhi), (k in m1) ? 2 : 1, or_nan(k, m1), or_nan(k, m2), live > out1
                printf " %s", ((k in t) && base > 0 ? base / t[k] : "NaN") > out6
            }
            printf "\n" > out6
        }
        print ")" > tics
    }' w="$w" n="$n" backends="$BACKENDS" bs="$BASE_STRAT" bb="$BASE_BACKEND" bimodal="$OUT/bimodal.txt" \
        out1="$OUT/bars-$w.dat" out6="$OUT/heat-$w.dat" tics="$OUT/bars-$w.tics" "$CSV"

    # Chart scaling: ns/op against N per strategy, on the backend fastest at
    # the largest size, one block each; the slope of the log-log fit goes
    # in the block's comment and in scaling-slopes.dat for the report.
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
            if (m < 2 || m * sxx - sx * sx == 0) continue      # one size: no line to draw
            slope = (m * sxy - sx * sy) / (m * sxx - sx * sx)
            printf "# %s on %s, ns/op ~ N^%.2f\n\"%s\"\n", s, b, slope, s > outf
            for (j = 1; j <= nz; j++) if ((s, b, zs[j]) in t) print zs[j], t[s, b, zs[j]] > outf
            printf "\n\n" > outf
            printf "%s ", s > names
            printf "%s %s %s %.2f\n", w, s, b, slope >> slopes
        }
    }' w="$w" n="$n" outf="$OUT/scaling-$w.dat" names="$OUT/scaling-$w.dat.names" slopes="$OUT/scaling-slopes.dat" "$CSV"
    touch "$OUT/scaling-$w.dat" "$OUT/scaling-$w.dat.names"

    # Chart tradeoff: marksweep heap factors as a curve, the other
    # strategies as points: ns/op against RSS above baseline, at the largest
    # size on glibc.  cpython is left out: its baseline holds an interpreter,
    # so its RSS above baseline is not comparable with the others.
    awk "$AWK_COLS"' ok() && v("workload") == w && v("size") == n && v("backend") == "glibc" && default_shape() && v("strategy") != "cpython" {
        if (v("strategy") == "marksweep") print v("heap_factor"), v("rss_above_baseline_kb") / 1024, v("ns_median") > curve
        else { print v("strategy"), v("rss_above_baseline_kb") / 1024, v("ns_median") > points; printf "%s ", v("strategy") > names }
    }' w="$w" n="$n" curve="$OUT/tradeoff-$w-curve.unsorted" points="$OUT/tradeoff-$w-points.dat" \
        names="$OUT/tradeoff-$w-points.dat.names" "$CSV"
    touch "$OUT/tradeoff-$w-curve.unsorted" "$OUT/tradeoff-$w-points.dat" "$OUT/tradeoff-$w-points.dat.names"
    sort -g "$OUT/tradeoff-$w-curve.unsorted" > "$OUT/tradeoff-$w-curve.dat"
    # Its steps, heap factor ascending, as arrows: x y dx dy.
    awk 'NR > 1 { print x, y, $2 - x, $3 - y } { x = $2; y = $3 }' "$OUT/tradeoff-$w-curve.dat" > "$OUT/tradeoff-$w-steps.dat"
    rm -f "$OUT/tradeoff-$w-curve.unsorted"
done

# Charts headline and breakdown: their own script, from the same cells.
sh "$HERE/summary.sh" "$RUN" || exit 1
# Charts threads and models: their own script too, for a run with threads.
sh "$HERE/threads.sh" "$RUN" || exit 1

# Chart leak: the workloads some strategy leaks under (cycles), at their
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
        printf "\"%s\" %s %s %s\n", (nw > 1 ? w "/" : "") s, t[s], l[s] == "-" ? "NaN" : l[s] / 1048576, s } }' \
        w="$w" n="$n" nw="$(echo $LEAKING | wc -w)" "$CSV" >> "$OUT/leak.dat"
done

# Chart knob: a sweep over one allocator option (--backend
# mimalloc@reset_delay=0,mimalloc@reset_delay=10000,...): per workload at
# its largest N, ns/op and RSS above baseline against the option's value,
# one line per strategy.  The plain backend joins at the value its cells
# read back (backend_options).  One block per line: "value ns rss_mib".
: > "$OUT/knob.dat"
KNOB=$(awk "$AWK_COLS"' ok() && index(v("backend"), "@") {
        if (split(v("backend"), part, "@") != 2) next
        split(part[2], kv, "="); k = part[1] "@" kv[1]; n[k]++; if (n[k] == 2) print k }' "$CSV" | head -1)
if [ -n "$KNOB" ]; then
    for w in $WORKLOADS; do
        n=$(awk -v w="$w" '$1 == w { print $2 }' "$OUT/largest.dat")
        awk "$AWK_COLS"' ok() && v("workload") == w && v("size") == n && default_shape() {
            b = v("backend"); x = ""
            if (index(b, base "@" kopt "=") == 1 && split(b, part, "@") == 2) {
                x = substr(part[2], length(kopt) + 2)
            } else if (b == base) {        # the default, as the library reported it
                m = split(v("backend_options"), o, ";")
                for (i = 1; i <= m; i++) if (index(o[i], kopt "=") == 1) x = substr(o[i], length(kopt) + 2)
            }
            if (x == "") next
            s = v("strategy"); if (!(s in seen)) { seen[s] = 1; order[++ns] = s }
            pts[s] = pts[s] sprintf("%s %s %.3f\n", x, v("ns_median"), v("rss_above_baseline_kb") / 1024)
        }
        END { for (i = 1; i <= ns; i++) { s = order[i]; printf "\"%s %s\"\n%s\n\n", w, s, pts[s] } }' \
            w="$w" n="$n" base="${KNOB%@*}" kopt="${KNOB#*@}" "$CSV" |
        awk 'BEGIN { RS = ""; FS = "\n" } NF >= 3 { print $1; for (i = 2; i <= NF; i++) print $i | "sort -g"; close("sort -g"); print ""; print "" }' >> "$OUT/knob.dat"
    done
    # The strategy of each block, in order, for its colour.
    awk '/^"/ { gsub(/"/, ""); printf "%s ", $2 }' "$OUT/knob.dat" > "$OUT/knob.dat.names"
fi

# Charts latency and timeline: latency percentiles and RSS over time, at each workload's
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
    : > "$OUT/latency-$w.dat.names"; : > "$OUT/timeline-$w.dat.names"
    while read -r s lat tln; do
        if [ -s "$RUN/latency/$lat.csv" ]; then
            # x = 1 / (1 - percentile): 10 at p90, 1000 at p99.9 (as HdrHistogram plots).
            { echo "\"$s\""; awk -F, 'NR > 1 && $1 < 100 { print 1 / (1 - $1 / 100), $2 }' \
                "$RUN/latency/$lat.csv"; printf "\n\n"; } >> "$OUT/latency-$w.dat"
            printf "%s " "$s" >> "$OUT/latency-$w.dat.names"
        fi
        if [ -s "$RUN/timeline/$tln.csv" ]; then
            { echo "\"$s\""; awk -F, 'NR > 1 { print $1, $2 / 1024 }' "$RUN/timeline/$tln.csv"
              printf "\n\n"; } >> "$OUT/timeline-$w.dat"
            printf "%s " "$s" >> "$OUT/timeline-$w.dat.names"
        fi
    done < "$OUT/pick-$w.txt"
    rm -f "$OUT/pick-$w.txt"
    [ -s "$OUT/latency-$w.dat" ] && echo "$w" >> "$OUT/latency.dat"
    [ -s "$OUT/timeline-$w.dat" ] && echo "$w" >> "$OUT/timeline.dat"
done

# Chart growth: capacity against length per policy, and CPython's own capacities.
[ -f "$RUN/growth.csv" ] || { echo "plots: no $RUN/growth.csv (written by memstrat run)" >&2; exit 1; }
awk -F, 'NR > 1 { if ($1 != last) { if (NR > 2) printf "\n\n"; print "\"" $1 "\""; last = $1 } print $2, $3 }' \
    "$RUN/growth.csv" > "$OUT/growth.dat"
awk -F, 'NR > 1 && !seen[$1]++ { printf "%s ", $1 }' "$RUN/growth.csv" > "$OUT/growth.dat.names"
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
# The trade-off needs a point to draw (a run of some strategies may have none).
[ -n "$(cat "$OUT"/tradeoff-*-points.dat "$OUT"/tradeoff-*-curve.dat 2>/dev/null | grep -v '^#' | grep .)" ] ||
    CHARTS=$(echo $CHARTS | sed 's/ *tradeoff//')
# The headline needs the baseline cell; the breakdown two levels at least.
[ -s "$OUT/headline.dat.names" ] && CHARTS="headline $CHARTS"
[ -s "$OUT/breakdown.dat" ] && CHARTS="$CHARTS breakdown"
[ -s "$OUT/threads.dat" ] && CHARTS="$CHARTS threads"
[ -s "$OUT/models.dat" ] && CHARTS="$CHARTS models"
[ -s "$OUT/leak.dat" ] && CHARTS="$CHARTS leak"
[ -s "$OUT/knob.dat" ] && CHARTS="$CHARTS knob"
[ -s "$OUT/latency.dat" ] && CHARTS="$CHARTS latency"
[ -s "$OUT/timeline.dat" ] && CHARTS="$CHARTS timeline"
# A run merged from several hosts (memstrat merge): the same cells on each.
[ -s "$RUN/hosts.csv" ] && cp "$RUN/hosts.csv" "$OUT/hosts.dat" && CHARTS="$CHARTS hosts"
# PNG and SVG of a chart side by side: the machine has two cores.
draw() {
    gnuplot -e "here='$HERE'; chart='$1'; run='$OUT'; fmt='$2'; footer='$FOOTER'; workloads='$(echo $WORKLOADS)'; backends='$BACKENDS'; leak_workloads='$(echo $LEAKING)'; knob='$KNOB'; has_ci=$HAS_CI; ci_label='$CI_LABEL'; bimodal=$BIMODAL; baseline='$BASELINE'" \
        "$HERE/$1.gp" 2> "$OUT/$1.$2.log" || { echo "plots: $1.$2 failed:" >&2; cat "$OUT/$1.$2.log" >&2; return 1; }
}
BIMODAL=0; [ -s "$OUT/bimodal.txt" ] && BIMODAL=1
for chart in $CHARTS; do
    draw "$chart" png & png=$!
    draw "$chart" svg || status=1
    wait $png || status=1
done
[ $status -eq 0 ] && echo "plots: $(ls "$OUT"/*.png | wc -l) charts in $OUT"
exit $status
