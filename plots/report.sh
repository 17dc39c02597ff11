#!/bin/sh
# plots/report.sh RUN_DIR -- write RUN_DIR/report.md (charts as PNGs beside
# it, for GitHub) and RUN_DIR/report.html (self-contained: every chart
# inline as SVG, no other file, no network; plots/html.sh converts) from
# cells.csv, meta.json and the charts' data (plots/plot.sh draws them
# first).  Every number in the text is computed here from the data, with
# its interval where the run has trials; "faster" only where the
# intervals of the two cells do not overlap.
set -u
RUN=${1:-results/latest}
HERE=$(cd "$(dirname "$0")" && pwd)
CSV=$RUN/cells.csv
OUT=$RUN/charts
[ -f "$CSV" ] || { echo "report: no $CSV" >&2; exit 1; }
[ -f "$OUT/largest.dat" ] || sh "$HERE/plot.sh" "$RUN" || exit 1

. "$HERE/lib.sh"
check_baseline report || exit 2
HAS_CI=0; has_ci && HAS_CI=1
CI=$(ci_label)

count() { awk "$AWK_COLS $1" "$CSV"; }
NCELLS=$(count '{ n++ } END { print n + 0 }')
NOK=$(count 'ok() { n++ } END { print n + 0 }')
NNA=$(count 'v("status") == "n/a" { n++ } END { print n + 0 }')
NBAD=$((NCELLS - NOK - NNA))

# How every number is written, shared by all the awk below: ns with three
# significant digits and the interval when there is one; sizes in the unit
# that gives them a whole part; ratios never below 1 ("2.1x slower", not
# "0.48x faster"), and no ratio at all when either side is zero.
FMT='function num(x) { x += 0; return x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : x >= 1 ? sprintf("%.2f", x) : sprintf("%.3g", x) }
function nsop(t, lo, hi) { return num(t) " ns/op" (lo != "" && hi != "" ? " [" num(lo) ", " num(hi) "]" : "") }
function unit(mib) { return mib >= 1 ? 1 : mib * 1024 >= 1 ? 1 / 1024 : 1 / 1048576 }
function size(mib,  u) { u = unit(mib); return sprintf(u == 1 ? "%.1f MiB" : u < 1 / 1024 ? "%d bytes" : "%.0f KiB", mib / u) }
function sizeci(mib, lo, hi,  u, f) { if (lo == "" || hi == "") return size(mib); u = unit(mib); f = u == 1 ? "%.1f" : u < 1 / 1024 ? "%d" : "%.0f"
    return sprintf(f " [" f ", " f "] %s", mib / u, lo / u, hi / u, u == 1 ? "MiB" : u < 1 / 1024 ? "bytes" : "KiB") }
function times(r) { return r >= 10 ? sprintf("%.0fx", r) : sprintf("%.2fx", r) }
function ratio(r) { return r >= 0.01 ? sprintf("%.3gx", r) : sprintf("%.2gx", r) }
function compare(a, ta, la, ha, b, tb, lb, hb) {
    if (ta <= 0 || tb <= 0) return a " and " b " have no ratio (a zero time)"
    if (la != "" && lb != "") {
        if (ha + 0 < lb + 0) return a " is " times(tb / ta) " faster than " b " (" level " intervals [" num(la) ", " num(ha) "] and [" num(lb) ", " num(hb) "] do not overlap)"
        if (hb + 0 < la + 0) return a " is " times(ta / tb) " slower than " b " (" level " intervals [" num(la) ", " num(ha) "] and [" num(lb) ", " num(hb) "] do not overlap)"
        return a " and " b " are indistinguishable here (" level " intervals [" num(la) ", " num(ha) "] and [" num(lb) ", " num(hb) "] overlap)"
    }
    return a " takes " num(ta) " ns/op against " num(tb) " for " b ": " (ta <= tb ? times(tb / ta) " less" : times(ta / tb) " more") \
        " by single medians, without an interval"
}'

# Per workload at its largest size (default parameters), one line each in
# facts.dat, read by the sections below:
# workload|N|fastest|t|lo|hi|slowest|t|lo|hi|leanest|MiB|base t|lo|hi|base MiB|live MiB|
# the leanest's and the baseline's RSS intervals (lo|hi|lo|hi, MiB).
# Fastest, slowest and leanest among the strategies: the reference series
# are rulers, not contenders, and cpython's RSS baseline includes an
# interpreter, so its RSS is not comparable.
while read -r w n; do
    awk "$AWK_COLS"' ok() && v("workload") == w && v("size") == n && defaults() {
        s = v("strategy"); t = v("ns_median") + 0; r = v("rss_above_baseline_kb") / 1024; id = s " on " v("backend")
        lo = ci() ? opt("ns_ci_lo") : ""; hi = ci() ? opt("ns_ci_hi") : ""
        rlo = opt("rss_ci_lo") != "" ? (opt("rss_ci_lo") - v("baseline_rss_kb")) / 1024 : ""
        rhi = opt("rss_ci_hi") != "" ? (opt("rss_ci_hi") - v("baseline_rss_kb")) / 1024 : ""
        live = v("live_peak_bytes") / 1048576
        if (s == bs && v("backend") == bb) { bt = t; blo = lo; bhi = hi; br = r; brlo = rlo; brhi = rhi; base = 1 }
        if (reference(s)) next
        if (fast == "" || t < ft) { fast = id; ft = t; flo = lo; fhi = hi }
        if (slow == "" || t > st) { slow = id; st = t; slo = lo; shi = hi }
        if (lean == "" || r < lr) { lean = id; lr = r; lrlo = rlo; lrhi = rhi }
    }
    END { if (fast != "") printf "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n", w, n, fast, ft, flo, fhi,
        slow, st, slo, shi, lean, lr, base ? bt : "", blo, bhi, base ? br : "", live, lrlo, lrhi, brlo, brhi }' \
        w="$w" n="$n" bs="$BASE_STRAT" bb="$BASE_BACKEND" "$CSV"
done < "$OUT/largest.dat" > "$OUT/facts.dat"

FAILED_LIST=$(awk "$AWK_COLS"' !ok() && v("status") != "n/a" { print v("cell") ": " substr($0, index($0, v("status"))) }' "$CSV")
CPU=$(meta cpu_model); CORES=$(meta cores); KERNEL=$(meta kernel); COMMIT=$(meta memstrat_commit)
STARTED=$(meta started_utc); ENDED=$(meta ended_utc); CMD=$(meta command)
LIBS=$(awk '/"libraries"/ { on = 1; next } on && /}/ { on = 0 } on { gsub(/[",]/, ""); gsub(/^ +/, ""); printf "%s%s", sep, $0; sep = "; " }' "$RUN/meta.json" 2>/dev/null)
BASE_NAME="$BASE_STRAT on $BASE_BACKEND"
ERRS="$CI intervals over trials"; [ $HAS_CI -eq 1 ] || ERRS="standard deviation of the repetitions (the run has no trials: no intervals)"

body=$RUN/report.body.tmp
toc=$RUN/report.toc.tmp
: > "$toc"
n_sec=0
# A numbered section: its heading, and a line in the table of contents
# (the anchor is GitHub's slug of the heading, which html.sh reproduces).
section() {
    n_sec=$((n_sec + 1))
    slug=$(echo "$n_sec. $1" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 _-]//g; s/ /-/g')
    echo "- [$n_sec. $1](#$slug)" >> "$toc"
    echo "## $n_sec. $1"
    echo
}
chart() { echo "![$1](charts/$2.png)"; echo; }
has_chart() { [ -s "$OUT/$1.png" ]; }

{
if has_chart headline; then
    section "Headline: each strategy against $BASE_NAME"
    chart "Each strategy against $BASE_NAME" headline
    echo "Ratios at each workload's largest N (below 1: less time or memory than $BASE_NAME), each strategy on $BASE_BACKEND, or where it has its own heap on its only runner; the last column is the geometric mean over the workloads. $([ $HAS_CI -eq 1 ] && echo "In brackets: the $CI interval of the ratio, from the two cells' intervals taken at their far ends." || echo "The run has no trials: single medians, without intervals.")"
    echo
    for what in time rss; do
        [ $what = time ] && echo "**Time per operation / $BASE_NAME**" || echo "**Peak RSS above baseline / $BASE_NAME**"
        echo
        awk "$FMT"'
            NR == 1 { next }
            { if (!($2 in wseen)) { wseen[$2] = 1; wl[++nw] = $2 } if (!($3 in sseen)) { sseen[$3] = 1; sl[++ns] = $3 }
              c = what == "time" ? 4 : 7
              cell[$3, $2] = $c == "NaN" ? "-" : ratio($c) ($(c + 1) != "NaN" ? " [" ratio($(c + 1)) ", " ratio($(c + 2)) "]" : "") }
            END { printf "| strategy |"; for (i = 1; i <= nw; i++) printf " %s |", wl[i]; printf "\n|---|"
                  for (i = 1; i <= nw; i++) printf "---|"; printf "\n"
                  for (j = 1; j <= ns; j++) { printf "| %s |", sl[j]; for (i = 1; i <= nw; i++) printf " %s |", ((sl[j], wl[i]) in cell) ? cell[sl[j], wl[i]] : "-"; printf "\n" } }' \
            what=$what "$OUT/headline.dat"
        echo
    done
fi

if has_chart breakdown; then
    section "Where the time goes: the cost breakdown"
    chart "Cost breakdown" breakdown
    echo "Each bar stacks, at the workload's largest N: the floor (the stores themselves), + the allocator (\`malloc\` minus floor), + counting (\`refcount\` minus \`malloc\`), + the cycle collector (\`rc_cycle\` minus \`refcount\`), + the interpreter (\`cpython\` minus \`rc_cycle\`); each series on its fastest backend (\`BREAKDOWN_BACKEND\` chooses one). Hatched where the run measured page faults (\`fault_share\`): the faults' part of a layer."
    echo
    # One line per bar: its total, then each layer as measured (a layer
    # drawn as 0 shows here with its sign).
    awk "$FMT"' NR == 1 { next }
        function flush() { if (x != "") print "- **" w "**: " num(top) " ns per operation in all:" line "." }
        $1 != x { flush(); x = $1; w = $2; line = ""; sep = " " }
        { line = line sep ($3 == "unsplit" ? "not split" : $3) " " ($7 < 0 ? "-" : "") num($7 < 0 ? -$7 : $7) " ns (" $8 ")"; sep = ", "; top = $5 }
        END { flush() }' "$OUT/breakdown.dat"
    if [ -s "$OUT/breakdown-notes.txt" ]; then
        echo
        echo "Where the stack could not follow the data:"
        echo
        sed 's/^/- /; s/$/./' "$OUT/breakdown-notes.txt"
    fi
    echo
fi

section "Time per operation"
chart "Time per operation" time
echo "Bars: median ns per operation at each workload's largest N, per backend; error bars: $ERRS."
echo
while IFS='|' read -r w n fast ft flo fhi slow st slo shi lean lr bt blo bhi br live rest; do
    awk -v level="$CI" -v w="$w" -v n="$n" -v fast="$fast" -v ft="$ft" -v flo="$flo" -v fhi="$fhi" -v slow="$slow" -v st="$st" \
        -v slo="$slo" -v shi="$shi" -v base="$BASE_NAME" -v bt="$bt" -v blo="$blo" -v bhi="$bhi" "$FMT"' BEGIN {
        line = "- **" w "** at N = " n ": the fastest strategy is " fast " at " nsop(ft, flo, fhi) ", the slowest " slow " at " nsop(st, slo, shi)
        if (bt != "" && fast != base) line = line "; " compare(fast, ft, flo, fhi, base, bt, blo, bhi)
        print line "." }'
done < "$OUT/facts.dat"
if [ -s "$OUT/bimodal.txt" ]; then
    echo
    echo "Cells whose samples fall in two modes (hollow bars, both modes as dots): their median describes neither."
    echo
    sed 's/^/- /; s/$/./' "$OUT/bimodal.txt"
fi
echo

section "Peak RSS above baseline"
chart "Peak RSS above baseline" rss
echo "\`cpython\` is left out of \"leanest\": its baseline holds a whole interpreter, so what it adds above it is not comparable with a C process."
echo
while IFS='|' read -r w n fast ft flo fhi slow st slo shi lean lr bt blo bhi br live lrlo lrhi brlo brhi; do
    awk -v w="$w" -v n="$n" -v lean="$lean" -v lr="$lr" -v br="$br" -v live="$live" -v base="$BASE_NAME" \
        -v lrlo="$lrlo" -v lrhi="$lrhi" -v brlo="$brlo" -v brhi="$brhi" "$FMT"' BEGIN {
        line = "- **" w "** at N = " n " holds " size(live) " live at its peak; the leanest strategy, " lean ", adds " sizeci(lr, lrlo, lrhi) " of RSS above its baseline"
        # "less" only where the intervals, when the run has them, do not overlap.
        if (br != "") line = line ", " base " " sizeci(br, brlo, brhi) (lr <= 0 || br <= 0 || lean == base ? "" : \
            lrlo != "" && brlo != "" && lrhi + 0 >= brlo + 0 ? " (indistinguishable here: the intervals overlap)" : \
            " (" times(br >= lr ? br / lr : lr / br) (br >= lr ? " less" : " more") (lrlo == "" ? ", single values" : "") ")")
        print line "." }'
done < "$OUT/facts.dat"
echo

if has_chart scaling; then
    section "Scaling with N"
    chart "Scaling with N" scaling
    echo "The slope of log(ns per operation) against log(N), each strategy on its fastest backend: near 0, the total cost grows linearly with N; 1, quadratically."
    echo
    awk '{ if (!($1 in ws)) { ws[$1] = 1; wl[++nw] = $1 } if (!($2 in ss)) { ss[$2] = 1; sl[++ns] = $2 } c[$2, $1] = sprintf("%+.2f (%s)", $4, $3) }
        END { printf "| strategy |"; for (i = 1; i <= nw; i++) printf " %s |", wl[i]; printf "\n|---|"; for (i = 1; i <= nw; i++) printf "---|"; printf "\n"
              for (j = 1; j <= ns; j++) { printf "| %s |", sl[j]; for (i = 1; i <= nw; i++) printf " %s |", ((sl[j], wl[i]) in c) ? c[sl[j], wl[i]] : "-"; printf "\n" } }' \
        "$OUT/scaling-slopes.dat"
    echo
fi

if has_chart threads; then
    section "Scaling with threads"
    chart "Scaling with threads" threads
    echo "Total throughput of all T threads (Mops/s: T x 1e3 / ns per operation per thread) against T, each model on each backend; dashed, the ideal T x its throughput at one thread. \`scaling\` in cells.csv is the ratio of the two: 1 when every thread runs as fast as one alone."
    echo
    while read -r w n; do
        awk "$AWK_COLS
$FMT"' ok() && v("workload") == w && v("size") == n && v("threads") + 0 > 1 && opt("scaling") != "" {
            line = sprintf("  - %s on %s at %s threads: %s Mops/s%s, scaling %.2f%s", v("strategy"), v("backend"), v("threads"),
                num(v("throughput_mops")), opt("throughput_ci_lo") != "" ? " [" num(opt("throughput_ci_lo")) ", " num(opt("throughput_ci_hi")) "]" : "",
                v("scaling"), opt("cross_frees") != "" ? sprintf("; %s cross-thread frees", v("cross_frees")) : "")
            print line }' w="$w" n="$n" "$CSV" | sort > "$OUT/thr-lines.txt"
        if [ -s "$OUT/thr-lines.txt" ]; then
            echo "- **$w** at N = $n:"
            cat "$OUT/thr-lines.txt"
        fi
    done < "$OUT/threads.dat"
    rm -f "$OUT/thr-lines.txt"
    if [ -s "$OUT/oversubscribed.txt" ]; then
        echo
        echo "**Oversubscribed:** these cells ran more threads than the machine has CPUs, so their threads took turns; their throughput says what the machine could do, not what the model could:"
        echo
        sed 's/^/- /; s/$/./' "$OUT/oversubscribed.txt"
    fi
    echo
fi

if has_chart models; then
    section "The models at one thread"
    chart "The models at one thread" models
    echo "What each threaded model costs before a second thread exists, beside \`refcount\` (bars: median ns per operation; error bars: $ERRS)."
    echo
fi

section "List growth"
chart "List growth" growth
awk -F, 'NR > 1 { cap[$1] = $3; len[$1] = $2 } END { for (p in cap) printf "- policy **%s**: the last resize, at length %d, gives capacity %d (slack %.3f).\n", p, len[p], cap[p], cap[p] / len[p] }' "$RUN/growth.csv" | sort
echo "- CPython 3.11's measured capacities (circles) fall on the \`cpython\` policy at every resize: the test suite checks it up to 10**6."
echo

section "Time-space trade-off of tracing"
chart "Time-space trade-off of tracing" tradeoff
echo "marksweep's heap factors as arrows from the smallest to the largest; \`cpython\` is left out (its RSS is not comparable)."
echo
for f in "$OUT"/tradeoff-*-curve.dat; do
    w=$(basename "$f" -curve.dat); w=${w#tradeoff-}
    [ -s "$f" ] || { echo "- **$w**: no marksweep heap-factor sweep in this run."; continue; }
    awk "$FMT"' NR == 1 { h1 = $1; r1 = $2; t1 = $3 } { h2 = $1; r2 = $2; t2 = $3 }
        END { if (NR == 1) printf "- **%s**: marksweep ran at one heap factor, %s: %s with %s.\n", w, h1, nsop(t1), size(r1)
              else printf "- **%s**: marksweep at heap factor %s takes %s with %s; at %s, %s with %s.\n", w, h1, nsop(t1), size(r1), h2, nsop(t2), size(r2) }' w="$w" "$f"
done
echo

section "Speed-up over $BASE_NAME"
chart "Speed-up over $BASE_NAME" heatmap
for f in "$OUT"/heat-*.dat; do
    w=$(basename "$f" .dat); w=${w#heat-}
    awk "$FMT"' NR == 1 { for (i = 2; i <= NF; i++) b[i] = $i; next }
        { for (i = 2; i <= NF; i++) if ($i != "NaN" && (best == "" || $i + 0 > best)) { best = $i + 0; who = $1 " on " b[i] }
          for (i = 2; i <= NF; i++) if ($i != "NaN" && (worst == "" || $i + 0 < worst)) { worst = $i + 0; wh = $1 " on " b[i] } }
        END { if (best == "") printf "- **%s**: no cell to compare with %s.\n", w, base
              else printf "- **%s**: best %s at %s, worst %s at %s the speed of %s (single medians).\n", w, who, ratio(best), wh, ratio(worst), base }' \
        w="$w" base="$BASE_NAME" "$f"
done
echo

if has_chart leak; then
    section "Reference cycles: the leak and the cost of reclaiming it"
    chart "Reference cycles" leak
    awk "$FMT"'{ gsub(/"/, "", $1); if ($3 == "NaN") printf "- **%s**: %s; its leak is not counted object by object.\n", $1, nsop($2)
           else if ($3 > 0) printf "- **%s**: %s, and leaks %s: reference counting alone never frees a cycle.\n", $1, nsop($2), size($3)
           else printf "- **%s**: %s, leaks nothing.\n", $1, nsop($2) }' "$OUT/leak.dat"
    echo
fi

if has_chart latency; then
    section "Latency per batch of operations"
    chart "Latency per batch of operations" latency
    while read -r w n; do
        awk "$AWK_COLS"' ok() && defaults() && v("workload") == w && v("size") == n && opt("lat_p50_ns") != "" {
            s = v("strategy"); if (!(s in t) || v("ns_median") + 0 < t[s]) { t[s] = v("ns_median") + 0
                line[s] = sprintf("%s on %s: p50 %s, p99.9 %s, max %s ns/op%s", s, v("backend"), v("lat_p50_ns"),
                    v("lat_p999_ns"), v("lat_max_ns"), v("pause_p99_ms") != "-" ? sprintf("; collection pauses p99 %s ms", v("pause_p99_ms")) : "") } }
            END { for (s in line) print "  - " line[s] }' w="$w" n="$n" "$CSV" | sort > "$OUT/lat-lines.txt"
        if [ -s "$OUT/lat-lines.txt" ]; then
            echo "- **$w** at N = $n (batches of $(awk "$AWK_COLS"' ok() { print v("lat_batch"); exit }' "$CSV") operations; timer cost subtracted):"
            cat "$OUT/lat-lines.txt"
        fi
    done < "$OUT/largest.dat"
    rm -f "$OUT/lat-lines.txt"
    echo
fi

if has_chart timeline; then
    section "Memory over time"
    chart "Memory over time" timeline
    echo "RSS of each cell's process, sampled by the parent every --sample-ms (\`timeline/\` holds the samples): warm-up, the timed repetitions, then the latency and statistics runs."
    echo
fi
[ -s "$OUT/hosts.dat" ] && chart "The same cells on each host" hosts &&
    echo "- ns/op of every cell over the first host's (\`hosts.csv\`); compare two: \`memstrat compare RUN --a host=X --b host=Y\`." && echo

section "Methods"
echo "- **Machine:** $CPU, $CORES cores, $(awk -v b="$(meta memory_bytes)" 'BEGIN { if (b > 0) printf "%.0f GiB of memory, ", b / 1073741824 }')$KERNEL; CPU governor $(meta cpu_governor); $( [ "$(meta pinned_cpu)" = -1 ] && echo "cells not pinned to a CPU" || echo "cells pinned to CPU $(meta pinned_cpu)")."
echo "- **Build:** $(meta compiler), \`$(meta cflags | sed 's/ *$//')\`; memstrat $COMMIT."
echo "- **Libraries:** $LIBS."
awk "$AWK_COLS"' ("backend_options" in c) && opt("backend_options") != "" && !seen[v("backend"), v("backend_options")]++ {
    line = line sep v("backend") ": `" v("backend_options") "`"; sep = "; " }
    END { if (line != "") print "- **Backend options:** " line "." }' "$CSV"
awk "$AWK_COLS"' ok() { r[v("reps")] = 1; if (opt("trials") != "") tr[opt("trials")] = 1 }
    function keys(a,  k, s, sep) { for (k in a) { s = s sep k; sep = ", " } return s }
    END { printf "- **Trials and statistics:** each cell runs Google Benchmark in a process of its own (one per trial) with %s repetitions; the time of a cell is the median of its repetitions, divided by N. ", keys(r)
          if (length(tr)) printf "%s trials per cell: error bars and brackets are the %s interval of the median over the trials (`ns_ci_lo`, `ns_ci_hi`), a ratio'"'"'s interval takes both cells'"'"' far ends, and one cell is called faster than another only where their intervals do not overlap (`ci_level`: 6 trials or more give 95%%; 5 give [min, max] at 93.8%%).\n", keys(tr), level
          else printf "The run has no trials: error bars are the standard deviation of the repetitions, and comparisons are of single medians, without an interval.\n" }' level="$CI" "$CSV"
echo "- **Baseline:** $BASE_NAME (\`BASELINE=strategy/backend\` sets another)."
echo "- **Command:** \`$CMD\`; started $STARTED, ended ${ENDED:-(not finished)}; $NCELLS cells, $NOK ok, $NNA not applicable, $NBAD failed or missing."
echo

section "Failed or missing cells"
if [ -n "$FAILED_LIST" ]; then
    echo "$FAILED_LIST" | sed 's/^/- /'
else
    echo "None: every cell that applies ran and passed its checks."
fi
echo
echo "---"
echo "Generated by \`make report\` from \`cells.csv\`; the data behind each chart is in \`charts/*.dat\`."
} > "$body"

md=$RUN/report.md.tmp
{
    echo "# memstrat report"
    echo
    echo "$CPU, $CORES cores | $STARTED | memstrat $COMMIT | \`$CMD\`"
    echo
    echo "**Contents**"
    echo
    cat "$toc"
    echo
    cat "$body"
} > "$md"
rm -f "$body" "$toc"
sh "$HERE/html.sh" "$md" "$OUT" > "$RUN/report.html.tmp" || exit 1
mv "$md" "$RUN/report.md"
mv "$RUN/report.html.tmp" "$RUN/report.html"
echo "$RUN/report.html"
