#!/bin/bash
# tests/plots.sh -- charts and report from the fixture run in tests/data/fixture
# (one failed cell on purpose), a broken fixture, and `make bench QUICK=1`
# end to end.  Prints "plots: N passed, N failed".
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { local what=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi; }
CHARTS="headline time rss scaling growth tradeoff heatmap"

# PNG: signature, then IHDR width and height (big-endian, bytes 17..24).
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'; }
is_png() { [ "$(od -An -c -j1 -N3 "$1" | tr -d ' ')" = "PNG" ]; }

cp -r tests/data/fixture "$T/run"
out=$(sh plots/plot.sh "$T/run" 2>&1); rc=$?
check "plots from the fixture exit 0 ($out)" test $rc -eq 0
for c in $CHARTS; do
    check "$c.png exists" test -s "$T/run/charts/$c.png"
    check "$c.png is a PNG" is_png "$T/run/charts/$c.png"
    check "$c.png is 1200x750 ($(png_size "$T/run/charts/$c.png"))" test "$(png_size "$T/run/charts/$c.png")" = "1200x750"
    check "$c.svg parses as XML" xmllint --noout "$T/run/charts/$c.svg"
    check "$c.svg has the footer" grep -q "memstrat" "$T/run/charts/$c.svg"
done
check "the failed cell is marked on the bars" grep -q '^2 pool\* ' "$T/run/charts/bars-tuple_create.dat"
check "the failed cell is a gap, not a number" \
    test "$(awk '$2 == "pool*" && $3 == "jemalloc" { print $5 }' "$T/run/charts/bars-tuple_create.dat")" = "NaN"

sh plots/report.sh "$T/run" > /dev/null
for c in $CHARTS; do
    check "report.md shows $c as a PNG" grep -q "](charts/$c.png)" "$T/run/report.md"
    check "report.html holds $c inline" grep -q "<figure id=\"chart-$c\"" "$T/run/report.html"
done
for f in report.md report.html; do
    check "$f exists" test -s "$T/run/$f"
    check "$f lists the failed cell" grep -q 'tuple_create-pool-jemalloc-10000-w0-k3.*crashed' "$T/run/$f"
done
check "report.html needs no JavaScript" test -z "$(grep -i '<script' "$T/run/report.html")"
check "report.html needs no other file" test -z "$(grep -iE '<img|<link|<iframe|(src|href)="[^#]' "$T/run/report.html")"
check "report states numbers from the data" grep -qE 'fastest strategy is [a-z_]+ on [a-z]+ at [0-9.]+ ns/op' "$T/run/report.md"
check "without trials: stddev bars, single medians" grep -q 'standard deviation of the repetitions' "$T/run/report.md"
check "without trials: no claim past the medians" grep -q 'by single medians, without an interval' "$T/run/report.md"
check "without trials: no interval in the headline data" \
    awk 'NR > 1 && $5 != "NaN" { bad = 1 } END { exit bad }' "$T/run/charts/headline.dat"

# The same fixture with the columns of the trials and machine work, by hand
# (tests/data/fixture-trials): intervals, a bimodal cell, page faults, and
# the reference series that the breakdown stacks.
cp -r tests/data/fixture-trials "$T/trials"
out=$(sh plots/plot.sh "$T/trials" 2>&1 && sh plots/report.sh "$T/trials" 2>&1); rc=$?
check "plots and report with the trials columns exit 0 ($out)" test $rc -eq 0
for c in headline breakdown; do
    check "$c.png with trials is 1200x750 ($(png_size "$T/trials/charts/$c.png"))" test "$(png_size "$T/trials/charts/$c.png")" = "1200x750"
done
check "with trials: the headline data has intervals" \
    awk 'NR > 1 && $5 == "NaN" { bad = 1 } NR > 1 { n++ } END { exit bad || !n }' "$T/trials/charts/headline.dat"
check "with trials: bars are 95% intervals" grep -q '95% intervals over trials' "$T/trials/report.md"
check "with trials: faster only where the intervals do not overlap" \
    grep -qE 'is [0-9.]+x faster than refcount on glibc \(95% intervals .* do not overlap\)' "$T/trials/report.md"
BASELINE=arena/jemalloc sh plots/report.sh "$T/trials" > /dev/null
check "with trials: overlapping intervals are indistinguishable" \
    grep -q 'arena on mimalloc and arena on jemalloc are indistinguishable here (95% intervals' "$T/trials/report.md"
sh plots/report.sh "$T/trials" > /dev/null
check "a bimodal cell is listed under the time chart" \
    grep -q 'list_append-marksweep-glibc-10000-cpython-hf2: modes at 61.2000 and 171.5000' "$T/trials/report.md"
check "a bimodal cell is no plain bar" \
    awk '$2 == "marksweep" && $3 == "glibc" && $11 == 2 { found = 1 } END { exit !found }' "$T/trials/charts/bars-list_append.dat"
check "the breakdown stacks floor to interpreter" \
    test "$(awk '$2 == "list_append" { printf "%s ", $3 }' "$T/trials/charts/breakdown.dat")" = "floor allocator counting collector interpreter "
check "the breakdown hatches page faults" awk 'NR > 1 && $6 < $5 { found = 1 } END { exit !found }' "$T/trials/charts/breakdown.dat"
check "the breakdown's layers add up to cpython" \
    awk '$2 == "tuple_create" && $3 == "interpreter" && $5 == 125 { found = 1 } END { exit !found }' "$T/trials/charts/breakdown.dat"
check "backend options in the methods" grep -q 'jemalloc: `narenas:1`' "$T/trials/report.md"
check "a backend variant is a backend of its own" \
    awk '$2 == "refcount" && $3 == "jemalloc@narenas=1" && $5 != "NaN" { found = 1 } END { exit !found }' "$T/trials/charts/bars-list_append.dat"
# Cells with fewer trials have narrower intervals (ci_level): the report says which.
cp -r tests/data/fixture-trials "$T/levels"
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ci_level") c = i } NR == 2 { $c = 0.938 } { print }' \
    tests/data/fixture-trials/cells.csv > "$T/levels/cells.csv"
sh plots/plot.sh "$T/levels" > /dev/null && sh plots/report.sh "$T/levels" > /dev/null
check "intervals at two levels are named as such" grep -q '93.8-95% intervals over trials' "$T/levels/report.md"
check "and in the time chart's title" grep -q '93.8-95% interval over trials' "$T/levels/charts/time.svg"

# Threads: the fixture with trials, given the thread columns by hand -- each
# ok refcount and pool cell at its one thread (throughput 1e3 / ns), again at
# two threads (20% slower per thread) and at 64 (oversubscribed, with the
# note the runner writes) -- draws the two thread charts, and the report
# lists them with the warning.
cp -r tests/data/fixture-trials "$T/threads"
awk -F, -v OFS=, '
    function add(T, f,    i, line) {
        ns = base * f; $c["cell"] = id (T > 1 ? "-t" T : ""); $c["ns_median"] = ns
        $c["ns_ci_lo"] = ns * 0.95; $c["ns_ci_hi"] = ns * 1.05
        line = $0 "," T "," T * 1e3 / ns "," T * 1e3 / (ns * 1.05) "," T * 1e3 / (ns * 0.95) "," base / ns "," (T > 1 ? 7 : 0) ",0,"
        line = line (T == 64 ? "not pinned to one CPU: spread over the run'"'"'s CPUs; oversubscribed: 64 threads on 2 CPUs" : "-")
        print line "," st }
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; n = NF; $n = "threads,throughput_mops,throughput_ci_lo,throughput_ci_hi,scaling,cross_frees,queued,note,status"; print; next }
    { st = $n; id = $c["cell"]; base = $c["ns_median"]; $0 = substr($0, 1, length($0) - length(st) - 1)
      if (st != "ok" || ($c["strategy"] != "refcount" && $c["strategy"] != "pool")) { print $0 ",1,,,,,,,-," st; next }
      add(1, 1); add(2, 1.2); add(64, 40) }' tests/data/fixture-trials/cells.csv > "$T/threads/cells.csv"
out=$(sh plots/plot.sh "$T/threads" 2>&1 && sh plots/report.sh "$T/threads" 2>&1); rc=$?
check "plots and report of a run with threads exit 0 ($out)" test $rc -eq 0
for c in threads models; do
    check "$c.png with threads is 1200x750 ($(png_size "$T/threads/charts/$c.png"))" \
        test "$(png_size "$T/threads/charts/$c.png")" = "1200x750"
    check "$c.svg parses as XML" xmllint --noout "$T/threads/charts/$c.svg"
    check "report.md shows the $c chart" grep -q "](charts/$c.png)" "$T/threads/report.md"
done
check "threads data: T, throughput, its interval, the ideal T x one thread" \
    awk '$1 == 2 { n++; if (!($3 < $2 && $2 < $4)) bad = 1 } $1 == 1 { one = $2 }
        $1 == 2 && ($5 - 2 * one > 1e-4 * $5 || 2 * one - $5 > 1e-4 * $5) { bad = 1 }
        END { exit bad || !n }' "$T/threads/charts/threads-list_append.dat"
check "models data: refcount and pool at one thread, with intervals" \
    test "$(awk '!/^#/ && $6 != "NaN" { print $2 }' "$T/threads/charts/models-tuple_create.dat" | sort -u | tr '\n' ' ')" = "pool refcount "
check "the time chart keeps to one thread" \
    test "$(awk '$2 == "refcount" && $3 == "glibc" { print $5 + 0 }' "$T/threads/charts/bars-list_append.dat")" = \
         "$(awk '$2 == "refcount" && $3 == "glibc" { print $5 + 0 }' "$T/trials/charts/bars-list_append.dat")"
check "the report warns of the oversubscribed cells" \
    grep -q 'list_append-refcount-glibc-10000-cpython-t64: oversubscribed: 64 threads on 2 CPUs' "$T/threads/report.md"
check "a run without threads draws neither chart" test ! -e "$T/trials/charts/threads.png" -a ! -e "$T/trials/charts/models.png"

# One palette: no file of plots/ but palette.gp names a colour.
colours=$(grep -nE '#[0-9A-Fa-f]{6}\b|#[0-9A-Fa-f]{3}\b|rgb *["\x27][a-z#]|(^|[^-a-z])(color|background|fill|stroke) *: *[#a-z]' \
    plots/* 2>/dev/null | grep -v '^plots/palette.gp:')
check "colours are defined in plots/palette.gp only ($colours)" test -z "$colours"
check "and it defines each strategy once" \
    test "$(sed -n 's/^strat_names *= *"\(.*\)"/\1/p' plots/palette.gp | tr ' ' '\n' | sort | uniq -d)" = ""

# make publish: a site of every published run; again is harmless.
out=$(make -s publish RUN="$T/run" DEST="$T/site" 2>&1 && make -s publish RUN="$T/trials" DEST="$T/site" 2>&1); rc=$?
check "make publish exits 0 ($out)" test $rc -eq 0
before=$(md5sum < "$T/site/index.html")
sh plots/publish.sh "$T/trials" "$T/site" > /dev/null
check "publishing the same run twice changes nothing" test "$(md5sum < "$T/site/index.html")" = "$before"
check "the index lists both runs" test "$(grep -c '<tr class="run">' "$T/site/index.html")" -eq 2
check "each run's report is there" test -s "$T/site/runs/run/report.html" -a -s "$T/site/runs/trials/report.html"

# A broken fixture: a column missing gives one clear error naming it.
cp -r tests/data/fixture "$T/broken"
cut -d, -f1-12,14- tests/data/fixture/cells.csv > "$T/broken/cells.csv"
err=$(sh plots/plot.sh "$T/broken" 2>&1); rc=$?
check "a missing column fails" test $rc -ne 0
check "the error names the column ($err)" grep -q "no column 'ns_median'" <<<"$err"
check "no empty chart is drawn" test ! -e "$T/broken/charts/time.png"

# A baseline the run does not have: one line naming it and the choices, exit 2.
err=$(BASELINE=refcount/nosuch sh plots/plot.sh "$T/run" 2>&1); rc=$?
check "a bad BASELINE exits 2 ($rc)" test $rc -eq 2
check "and names it and the choices ($err)" \
    test "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep 'BASELINE=refcount/nosuch: .*backends: .*glibc' <<<"$err")"

# gnuplot absent: one line saying how to install it.
err=$(PATH=/nonexistent /bin/sh plots/plot.sh "$T/run" 2>&1); rc=$?
check "without gnuplot: one line saying how to install it ($err)" \
    test $rc -ne 0 -a "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep 'apt-get install gnuplot-nox' <<<"$err")"

# make bench QUICK=1, end to end.
start=$(date +%s)
out=$(make -s bench QUICK=1 OUT="$T/quick" 2>&1); rc=$?
secs=$(( $(date +%s) - start ))
echo "plots: make bench QUICK=1 took $secs s (its target is make perf-check's)"
check "make bench QUICK=1 exits 0 ($(tail -3 <<<"$out"))" test $rc -eq 0
check "it prints the report's path" grep -q "report: $T/quick/report.html" <<<"$out"
# Each scaling block: a "# ..." line, a quoted title, then sizes ascending.
check "scaling data: every block well formed, sizes ascending" awk '
    /^# / { state = 1; last = -1; next }
    state == 1 { if ($0 !~ /^"/) bad = 1; state = 2; next }
    NF == 2 { if (state != 2 || $1 + 0 <= last) bad = 1; last = $1 + 0; next }
    NF == 0 { next }
    { bad = 1 }
    END { exit bad || NR == 0 }' "$T/quick/charts/scaling-tuple_create.dat"
check "all eleven charts drawn (breakdown, leak, latency and timeline included)" \
    test "$(ls "$T/quick/charts/"*.png | wc -l)" -eq 11
check "the report shows the latency percentiles" grep -q "p99.9" "$T/quick/report.md"
check "the report shows memory over time" grep -q "charts/timeline.png" "$T/quick/report.md"
check "the leak chart shows refcount's leak" \
    awk '$1 == "\"refcount\"" && $3 > 0 { found = 1 } END { exit !found }' "$T/quick/charts/leak.dat"
check "and rc_cycle's none" awk '$1 == "\"rc_cycle\"" && $3 == 0 { found = 1 } END { exit !found }' "$T/quick/charts/leak.dat"
check "the report shows the leak" grep -q "charts/leak.png" "$T/quick/report.md"
# cpython's baseline holds an interpreter: its RSS is no rival's.
check "cpython is never the leanest" test -z "$(grep -E 'leanest (strategy|cell), cpython on ' "$T/quick/report.md")"
check "the scaling slopes are one table" grep -q '^| strategy | churn | cycles | list_append | tuple_create |$' "$T/quick/report.md"

# ---- in a real browser ---------------------------------------------------
# Headless Chromium renders the reports (the fixture with trials and the
# quick run) and the site's index: every chart in the DOM as SVG, no image
# to break, and no text a reader should not see: nan, inf, a 0.00x ratio,
# a sentence with nothing before its period.
BROWSER=$(command -v chromium || command -v chromium-browser)
chrome() { timeout 60 "$BROWSER" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$T/chrome" "$@" 2>/dev/null; }
# The text a reader sees: the DOM without its tags, style and entities.
# (Inline tags go without a trace, so that "<code>x</code>." stays "x.".)
seen_text() { sed -E -e 's/<style>[^<]*<\/style>//g' -e 's/<\/?(b|code|a)( [^>]*)?>//g' -e 's/<[^>]*>/ /g' -e 's/&[a-z]*;/ /g' "$1" |
    tr -s ' \t' '  '; }
page_checks() {   # NAME DOM
    local text; text=$(seen_text "$2")
    check "$1: no nan or inf" test -z "$(grep -ioE '(^|[^a-z0-9_])-?(nan|inf)([^a-z0-9_]|$)' <<<"$text")"
    check "$1: no 0.00x" test -z "$(grep -o '0\.00x' <<<"$text")"
    check "$1: no sentence with nothing before its period ($(grep -oE '.{0,20}([:;,(] *|(^| ))\.( |$)' <<<"$text" | head -1))" \
        test -z "$(grep -E '([:;,(] *|(^| ))\.( |$)' <<<"$text")"
    check "$1: no image to break" test -z "$(grep -i '<img' "$2")"
}
if [ -z "$BROWSER" ]; then
    check "chromium is installed (make deps installs it)" false
else
    start=$(date +%s)
    for r in trials quick; do
        chrome --dump-dom "file://$T/$r/report.html" > "$T/$r.dom"
        check "$r report: Chromium renders it" grep -q '</html>' "$T/$r.dom"
        want=$(grep -c '^!\[.*\](charts/.*\.png)$' "$T/$r/report.md")
        check "$r report: every chart in the DOM ($(grep -c '<svg' "$T/$r.dom") of $want)" \
            test "$(grep -c '<svg' "$T/$r.dom")" -eq "$want" -a "$want" -ge 8
        for c in headline breakdown; do
            check "$r report: the $c chart is there" grep -q "<figure id=\"chart-$c\"" "$T/$r.dom"
        done
        check "$r report: a table of contents" grep -q 'href="#[0-9]*-methods"' "$T/$r.dom"
        page_checks "$r report" "$T/$r.dom"
    done
    chrome --dump-dom "file://$T/threads/report.html" > "$T/threads.dom"
    for c in threads models; do
        check "threads report: the $c chart is in the DOM" grep -q "<figure id=\"chart-$c\"" "$T/threads.dom"
    done
    check "threads report: the oversubscription warning is seen" grep -q 'Oversubscribed:' "$T/threads.dom"
    page_checks "threads report" "$T/threads.dom"
    chrome --hide-scrollbars --window-size=1300,3000 --screenshot="$T/shot.png" "file://$T/quick/report.html" > /dev/null
    check "the quick report renders to a 1300x3000 screenshot ($(png_size "$T/shot.png"))" test "$(png_size "$T/shot.png")" = "1300x3000"
    chrome --dump-dom "file://$T/site/index.html" > "$T/index.dom"
    check "site index: one row per published run" test "$(grep -c '<tr class="run">' "$T/index.dom")" -eq 2
    page_checks "site index" "$T/index.dom"
    links=$(grep -o 'href="runs/[^"]*"' "$T/index.dom" | sed 's/^href="//; s/"$//')
    missing=$(for l in $links; do [ -s "$T/site/$l" ] || echo "$l"; done)
    check "site index: every link leads to a file ($missing)" test -n "$links" -a -z "$missing"
    secs=$(( $(date +%s) - start ))
    echo "plots: the browser tests took $secs s"
fi

echo "plots: $pass passed, $fail failed"
[ $fail -eq 0 ]
