#!/bin/sh
# plots/report.sh RUN_DIR -- write RUN_DIR/report.md and RUN_DIR/report.html
# from cells.csv, meta.json and the charts (plots/plot.sh draws them first).
# Every number in the text is computed here from the data.
set -u
RUN=${1:-results/latest}
HERE=$(cd "$(dirname "$0")" && pwd)
CSV=$RUN/cells.csv
OUT=$RUN/charts
[ -f "$CSV" ] || { echo "report: no $CSV" >&2; exit 1; }
[ -f "$OUT/largest.dat" ] || sh "$HERE/plot.sh" "$RUN" || exit 1

. "$HERE/lib.sh"

count() { awk "$AWK_COLS $1" "$CSV"; }
NCELLS=$(count '{ n++ } END { print n + 0 }')
NOK=$(count 'ok() { n++ } END { print n + 0 }')
NNA=$(count 'v("status") == "n/a" { n++ } END { print n + 0 }')
NBAD=$((NCELLS - NOK - NNA))

# Per workload at its largest size (default parameters), one line each in
# facts.dat: workload|N|fastest|ns/op|slowest|ns/op|leanest|MiB|refcount on
# glibc ns/op|its MiB|live MiB.  Computed once, read by every section below.
while read -r w n; do
    awk "$AWK_COLS"' ok() && v("workload") == w && v("size") == n && defaults() {
        t = v("ns_median") + 0; r = v("rss_above_baseline_kb") / 1024; id = v("strategy") " on " v("backend")
        if (fast == "" || t < ft) { fast = id; ft = t }
        if (slow == "" || t > st) { slow = id; st = t }
        if (lean == "" || r < lr) { lean = id; lr = r }
        if (v("strategy") == "refcount" && v("backend") == "glibc") { bt = t; br = r }
        live = v("live_peak_bytes") / 1048576
    }
    END { printf "%s|%s|%s|%.2f|%s|%.2f|%s|%.2f|%.2f|%.2f|%.4g\n", w, n, fast, ft, slow, st, lean, lr, bt, br, live }' \
        w="$w" n="$n" "$CSV"
done < "$OUT/largest.dat" > "$OUT/facts.dat"

FAILED_LIST=$(awk "$AWK_COLS"' !ok() && v("status") != "n/a" { print v("cell") ": " substr($0, index($0, v("status"))) }' "$CSV")

md=$RUN/report.md.tmp
html=$RUN/report.html.tmp
CPU=$(meta cpu_model); CORES=$(meta cores); KERNEL=$(meta kernel); COMMIT=$(meta memstrat_commit)
STARTED=$(meta started_utc); ENDED=$(meta ended_utc); CMD=$(meta command)
LIBS=$(awk '/"libraries"/ { on = 1; next } on && /}/ { on = 0 } on { gsub(/[",]/, ""); gsub(/^ +/, ""); printf "%s%s", sep, $0; sep = "; " }' "$RUN/meta.json" 2>/dev/null)

{
echo "# memstrat report"
echo
echo "**What ran:** \`$CMD\`: $NCELLS cells, $NOK ok, $NNA not applicable, $NBAD failed or missing."
echo "Started $STARTED, ended ${ENDED:-(not finished)}."
echo
echo "**Machine:** $CPU, $CORES cores, $KERNEL. **Libraries:** $LIBS. **memstrat:** $COMMIT."
echo
echo "## Fastest and leanest cell per workload (largest N)"
echo
echo "| workload | N | fastest | ns/op | vs refcount/glibc | leanest | RSS above baseline (MiB) | vs refcount/glibc |"
echo "|---|---|---|---|---|---|---|---|"
while IFS='|' read -r w n fast ft slow st lean lr bt br live; do
    sp=$(awk -v a="$bt" -v b="$ft" 'BEGIN { printf "%.2fx faster", (b > 0 ? a / b : 0) }')
    lm=$(awk -v a="$br" -v b="$lr" 'BEGIN { printf "%.2fx less", (b > 0 ? a / b : 0) }')
    echo "| $w | $n | $fast | $ft | $sp | $lean | $lr | $lm |"
done < "$OUT/facts.dat"
echo
n_chart=0
chart() {
    n_chart=$((n_chart + 1))
    echo "## $n_chart. $1"
    echo
    echo "![$1](charts/$2.png)"
    echo
}
chart "Time per operation" time
while IFS='|' read -r w n fast ft slow st lean lr bt br live; do
    echo "- **$w** at N = $n: fastest is $fast at $ft ns/op, slowest $slow at $st ns/op ($(awk -v a="$st" -v b="$ft" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')x apart); refcount on glibc takes $bt ns/op."
done < "$OUT/facts.dat"
echo
chart "Peak RSS above baseline" rss
while IFS='|' read -r w n fast ft slow st lean lr bt br live; do
    echo "- **$w** at N = $n holds $live MiB live at its peak; the leanest cell, $lean, adds $lr MiB of RSS above its baseline, refcount on glibc $br MiB."
done < "$OUT/facts.dat"
echo
chart "Scaling with N" scaling
for f in "$OUT"/scaling-*.dat; do
    w=$(basename "$f" .dat); w=${w#scaling-}
    awk -v w="$w" '/^#/ { sub(/^# /, ""); line = line sep $0; sep = "; " } END { printf "- **%s**: %s. A slope near 0 means the total cost grows linearly with N.\n", w, line }' "$f"
done
echo
chart "List growth" growth
awk -F, 'NR > 1 { cap[$1] = $3; len[$1] = $2 } END { for (p in cap) printf "- policy **%s**: the last resize, at length %d, gives capacity %d (slack %.3f).\n", p, len[p], cap[p], cap[p] / len[p] }' "$RUN/growth.csv" | sort
echo "- CPython 3.11's measured capacities (circles) fall on the \`cpython\` policy at every resize: the test suite checks it up to 10**6."
echo
chart "Time-space trade-off of tracing" tradeoff
for f in "$OUT"/tradeoff-*-curve.dat; do
    w=$(basename "$f" -curve.dat); w=${w#tradeoff-}
    [ -s "$f" ] || { echo "- **$w**: no marksweep heap-factor sweep in this run."; continue; }
    awk -v w="$w" 'NR == 1 { h1 = $1; r1 = $2; t1 = $3 } { h2 = $1; r2 = $2; t2 = $3 }
        END { printf "- **%s**: marksweep at heap factor %s takes %.2f ns/op with %.1f MiB; at %s, %.2f ns/op with %.1f MiB.\n", w, h1, t1, r1, h2, t2, r2 }' "$f"
done
echo
chart "Speed-up over refcount on glibc" heatmap
for f in "$OUT"/heat-*.dat; do
    w=$(basename "$f" .dat); w=${w#heat-}
    awk -v w="$w" 'NR == 1 { for (i = 2; i <= NF; i++) b[i] = $i; next }
        { for (i = 2; i <= NF; i++) if ($i != "NaN" && $i + 0 > best) { best = $i + 0; who = $1 " on " b[i] }
          for (i = 2; i <= NF; i++) if ($i != "NaN" && (worst == "" || $i + 0 < worst)) { worst = $i + 0; wh = $1 " on " b[i] } }
        END { printf "- **%s**: best %s at %.2fx, worst %s at %.2fx the speed of refcount on glibc.\n", w, who, best, wh, worst }' "$f"
done
echo
if [ -s "$OUT/leak.dat" ]; then
    chart "Reference cycles: the leak and the cost of reclaiming it" leak
    awk '{ gsub(/"/, "", $1); if ($3 == "NaN") printf "- **%s**: %.2f ns/op; its leak is not counted object by object.\n", $1, $2
           else if ($3 > 0) printf "- **%s**: %.2f ns/op, and leaks %.1f MiB: reference counting alone never frees a cycle.\n", $1, $2, $3
           else printf "- **%s**: %.2f ns/op, leaks nothing.\n", $1, $2 }' "$OUT/leak.dat"
    echo
fi
if [ -s "$OUT/latency.dat" ]; then
    chart "Latency per batch of operations" latency
    while read -r w n; do
        awk "$AWK_COLS"' ok() && defaults() && v("workload") == w && v("size") == n && ("lat_p999_ns" in c) {
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
if [ -s "$OUT/timeline.dat" ]; then
    chart "Memory over time" timeline
    echo "- RSS of each cell's process, sampled by the parent every --sample-ms (\`timeline/\` holds the samples): warm-up, the timed repetitions, then the latency and statistics runs."
    echo
fi
[ -s "$OUT/hosts.dat" ] && chart "The same cells on each host" hosts &&
    echo "- ns/op of every cell over the first host's (\`hosts.csv\`); compare two: \`memstrat compare RUN --a host=X --b host=Y\`." && echo
echo "## Failed or missing cells"
echo
if [ -n "$FAILED_LIST" ]; then
    echo "$FAILED_LIST" | sed 's/^/- /'
else
    echo "None: every cell that applies ran and passed its checks."
fi
echo
echo "---"
echo "Generated by \`make report\` from \`cells.csv\`; the data behind each chart is in \`charts/*.dat\`."
} > "$md"

# HTML: the same text, converted line by line (headings, lists, tables,
# images, bold and code); no JavaScript, opens from disk.
awk 'function inline(s) {
        gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
        while (match(s, /\*\*[^*]+\*\*/)) s = substr(s, 1, RSTART - 1) "<b>" substr(s, RSTART + 2, RLENGTH - 4) "</b>" substr(s, RSTART + RLENGTH)
        while (match(s, /`[^`]+`/)) s = substr(s, 1, RSTART - 1) "<code>" substr(s, RSTART + 1, RLENGTH - 2) "</code>" substr(s, RSTART + RLENGTH)
        return s }
    function close_blocks() { if (ul) print "</ul>"; if (tb) print "</table>"; ul = tb = 0 }
    BEGIN { print "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>memstrat report</title>"
            print "<style>body{font-family:sans-serif;max-width:1250px;margin:2em auto;line-height:1.45}"
            print "img{max-width:100%;border:1px solid #ddd}table{border-collapse:collapse}"
            print "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}code{background:#f4f4f4}</style></head><body>" }
    /^# /  { close_blocks(); print "<h1>" inline(substr($0, 3)) "</h1>"; next }
    /^## / { close_blocks(); print "<h2>" inline(substr($0, 4)) "</h2>"; next }
    /^!\[/ { close_blocks(); match($0, /\(.*\)/); src = substr($0, RSTART + 1, RLENGTH - 2)
             alt = substr($0, 3, index($0, "]") - 3); print "<p><img src=\"" src "\" alt=\"" alt "\"></p>"; next }
    /^- /  { if (!ul) { close_blocks(); print "<ul>"; ul = 1 } print "<li>" inline(substr($0, 3)) "</li>"; next }
    /^\|---/ { next }
    /^\|/  { n = split($0, f, "|"); tag = tb ? "td" : "th"; if (!tb) { close_blocks(); print "<table>"; tb = 1 }
             printf "<tr>"; for (i = 2; i < n; i++) printf "<%s>%s</%s>", tag, inline(f[i]), tag; print "</tr>"; next }
    /^---$/ { close_blocks(); print "<hr>"; next }
    /^$/   { close_blocks(); next }
           { close_blocks(); print "<p>" inline($0) "</p>" }
    END    { close_blocks(); print "</body></html>" }' "$md" > "$html"

mv "$md" "$RUN/report.md"
mv "$html" "$RUN/report.html"
echo "$RUN/report.html"
