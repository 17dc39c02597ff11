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
for f in report.md report.html; do
    check "$f exists" test -s "$T/run/$f"
    for c in $CHARTS; do
        check "$f shows $c" grep -q "charts/$c.png" "$T/run/$f"
    done
    check "$f lists the failed cell" grep -q 'tuple_create-pool-jemalloc-10000-w0-k3.*crashed' "$T/run/$f"
done
check "report.html parses as HTML" xmllint --html --noout "$T/run/report.html"
check "report.html needs no JavaScript" test -z "$(grep -i '<script' "$T/run/report.html")"
check "report states numbers from the data" grep -qE 'fastest is [a-z]+ on [a-z]+ at [0-9.]+ ns/op' "$T/run/report.md"

# A broken fixture: a column missing gives one clear error naming it.
cp -r tests/data/fixture "$T/broken"
cut -d, -f1-12,14- tests/data/fixture/cells.csv > "$T/broken/cells.csv"
err=$(sh plots/plot.sh "$T/broken" 2>&1); rc=$?
check "a missing column fails" test $rc -ne 0
check "the error names the column ($err)" grep -q "no column 'ns_median'" <<<"$err"
check "no empty chart is drawn" test ! -e "$T/broken/charts/time.png"

# gnuplot absent: one line saying how to install it.
err=$(PATH=/nonexistent /bin/sh plots/plot.sh "$T/run" 2>&1); rc=$?
check "without gnuplot: one line saying how to install it ($err)" \
    test $rc -ne 0 -a "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep 'apt-get install gnuplot-nox' <<<"$err")"

# make bench QUICK=1, end to end.
start=$(date +%s)
out=$(make -s bench QUICK=1 OUT="$T/quick" 2>&1); rc=$?
secs=$(( $(date +%s) - start ))
check "make bench QUICK=1 exits 0 ($(tail -3 <<<"$out"))" test $rc -eq 0
check "make bench QUICK=1 within 60 s ($secs s)" test $secs -le 60
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

echo "plots: $pass passed, $fail failed"
[ $fail -eq 0 ]
