#!/bin/bash
# tests/trials.sh -- trials in separate processes, their statistics, the
# rounds' order, resume at trial granularity, `memstrat compare`, and the
# run directory's protections.  Prints "trials: N passed, N failed".
set -u
. "$(dirname "$0")/lib.sh"
cleanup() { kill $(jobs -p) 2>/dev/null; }
order() { grep -o '^[^ ]* trial [0-9]*' "$1/run.log"; }
SMALL="--workload tuple_create --size 1000 --reps 1 --min-time 0.001"

# ---- trials: every cell in T processes, statistics over them ---------------
$M run --strategy refcount,arena,pool --backend glibc,mimalloc $SMALL --trials 4 --seed 7 \
    --out "$T/a" >/dev/null 2>"$T/a.err"
rc=$?
check "a run of 6 cells x 4 trials exits 0 (got $rc: $(tail -1 "$T/a.err"))" test $rc -eq 0
check "trials.csv: one row per trial (24)" test "$(sed 1d "$T/a/trials.csv" | wc -l)" -eq 24
check "trials.csv: each cell has trials 1..4" \
    test "$(sed 1d "$T/a/trials.csv" | cut -d, -f1,2 | sort -u | wc -l)" -eq 24
c=tuple_create-pool-mimalloc-1000-w0-k3
check "cells.csv counts the trials" test "$(col "$T/a/cells.csv" trials $c)" = 4
med=$(col "$T/a/cells.csv" ns_median $c) lo=$(col "$T/a/cells.csv" ns_ci_lo $c) hi=$(col "$T/a/cells.csv" ns_ci_hi $c)
check "the median lies in its interval ($lo <= $med <= $hi)" \
    awk -v l="$lo" -v m="$med" -v h="$hi" 'BEGIN { exit !(l <= m && m <= h && l < h) }'
check "4 trials: the interval is [min, max], covering 87.5%" test "$(col "$T/a/cells.csv" ci_level $c)" = 0.875
check "the median is the median of the trials' medians" test "$(awk -F, -v c=$c '
    NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next } $2 == c { print $(k["ns_median"]) }' \
    "$T/a/trials.csv" | sort -g | awk '{ v[NR] = $1 } END { printf "%.4f", (v[2] + v[3]) / 2 }')" = "$med"
for k in trial_cv modes mode_lo_ns mode_hi_ns mode_lo_share rss_ci_lo rss_ci_hi cpu; do
    check "cells.csv fills $k" test -n "$(col "$T/a/cells.csv" $k $c)"
done
check "a raw JSON per trial" test "$(ls "$T/a/raw/$c".t*.json | wc -l)" -eq 4
check "meta.json records the trials and the seed" grep -q '"seed": 7' "$T/a/meta.json"
check "meta.json records the CPU the cells ran on" grep -q '"pinned_cpu": [0-9]' "$T/a/meta.json"
check "every trial ran on that CPU" test "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cpu") k = i; next } { print $k }' "$T/a/trials.csv" | sort -u | wc -l)" -eq 1

# ---- the order: rounds, each a permutation, reproduced by the seed --------
rounds_ok=$(order "$T/a" | awk '{ r = int((NR - 1) / 6) + 1; if ($3 != r) bad = 1; seen[r, $1]++ }
    END { for (k in seen) if (seen[k] != 1) bad = 1; print bad ? "no" : "yes" }')
check "round r runs every cell's trial r once" test "$rounds_ok" = yes
$M run --strategy refcount,arena,pool --backend glibc,mimalloc $SMALL --trials 4 --seed 7 \
    --out "$T/b" >/dev/null 2>&1
check "the same seed gives the same order" test "$(order "$T/a")" = "$(order "$T/b")"
$M run --strategy refcount,arena,pool --backend glibc,mimalloc $SMALL --trials 4 --seed 8 \
    --out "$T/s8" >/dev/null 2>&1
check "another seed another order" test "$(order "$T/a")" != "$(order "$T/s8")"
check "the seed is kept for --resume" grep -qx -- '--seed' "$T/s8/matrix.args"

# ---- resume at trial granularity ------------------------------------------
$M run --strategy refcount,arena,pool,rc_cycle --backend glibc,mimalloc $SMALL --trials 3 --seed 9 \
    --out "$T/r" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do
    [ "$(sed 1d "$T/r/trials.csv" 2>/dev/null | wc -l)" -ge 10 ] && break
    sleep 0.02
done
kill -INT $pid; wait $pid; rc=$?
n=$(sed 1d "$T/r/trials.csv" | wc -l)
check "interrupted in round 2 ($n trials done, rc $rc)" test $rc -eq 130 -a "$n" -ge 9 -a "$n" -lt 24
$M run --resume "$T/r" >/dev/null 2>&1; rc=$?
check "resume finishes the run (rc $rc)" test $rc -eq 0
check "... to the full trial count, no trial twice" \
    test "$(sed 1d "$T/r/trials.csv" | cut -d, -f1,2 | sort -u | wc -l)" -eq 24 -a \
         "$(sed 1d "$T/r/trials.csv" | wc -l)" -eq 24
check "every cell ok with 3 trials" test "$(awk -F, 'NR > 1 && $NF == "ok"' "$T/r/cells.csv" | wc -l)" -eq 8

check "resume keeps the run's command and start in meta.json" \
    grep -q '"command": "memstrat run --strategy refcount,arena,pool,rc_cycle' "$T/r/meta.json"
check "... and says when it was resumed" grep -q '"resumed": "[0-9T:-]*Z (memstrat run --resume' "$T/r/meta.json"
check "... and runs every trial on the CPU the run started on" \
    test "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next } { print $(k["cpu"]) }' "$T/r/trials.csv" | sort -u | wc -l)" -eq 1
err=$(MEMSTRAT_PLANT_SLOWDOWN=20 $M run --resume "$T/r" 2>&1 >/dev/null); rc=$?
check "resume with a planted slowdown the run did not have is refused (rc $rc)" \
    test $rc -eq 2 -a -n "$(grep -F 'started with MEMSTRAT_PLANT_SLOWDOWN=0, not 20' <<<"$err")"
err=$(MALLOC_CONF=narenas:1 $M run --resume "$T/r" 2>&1 >/dev/null); rc=$?
check "resume with other allocator settings is refused (rc $rc)" \
    test $rc -eq 2 -a -n "$(grep -F "allocator settings '', not 'MALLOC_CONF=narenas:1'" <<<"$err")"

# ---- adaptive trials: more where the interval is still wide ---------------
c=tuple_create-refcount-glibc-1000-w0-k3
$M run --strategy refcount,arena --backend glibc $SMALL --trials 3 --max-trials 5 \
    --ci-target 0.0001 --seed 3 --out "$T/ad" >/dev/null 2>&1; rc=$?
check "adaptive: a cell whose interval stays wider than --ci-target runs to --max-trials (rc $rc)" \
    test "$(col "$T/ad/cells.csv" trials $c)" = 5
check "... its extra trials are trials 4 and 5, in extra rounds" \
    test "$(grep -c "^$c trial [45]:" "$T/ad/run.log")" -eq 2
$M run --strategy refcount,arena --backend glibc $SMALL --trials 3 --max-trials 5 \
    --ci-target 1000 --seed 3 --out "$T/ad2" >/dev/null 2>&1
check "adaptive: a cell precise enough stops at --trials" test "$(col "$T/ad2/cells.csv" trials $c)" = 3
err=$($M run --strategy refcount,arena --backend glibc $SMALL --trials 3 --max-trials 9 \
    --ci-target 0.0001 --budget 0.001 --seed 3 --out "$T/ad3" 2>&1 >/dev/null)
check "--budget stops the adaptive rounds and says so" grep -q -- '--budget 0s reached: 2 cells stop at 3 trials' <<<"$err"
check "... and meta.json counts the cells it left imprecise" grep -q '"budget_cut_cells": 2' "$T/ad3/meta.json"
check "... and those cells are ok with the trials they have, not 'running'" \
    test "$(awk -F, 'NR > 1 { print $NF }' "$T/ad3/cells.csv" | sort -u)" = ok
check "... which keep their 3 trials" test "$(col "$T/ad3/cells.csv" trials $c)" = 3
err=$($M run --strategy refcount --backend glibc $SMALL --trials 5 --max-trials 3 --out "$T/ad4" 2>&1); rc=$?
check "--max-trials below --trials is refused (rc $rc)" \
    test $rc -eq 2 -a -n "$(grep -F "bad max trials '3': expected at least --trials (5)" <<<"$err")" -a ! -e "$T/ad4"

# ---- the runner keeps off the cells' CPU ---------------------------------
MEMSTRAT_FAULT=hang:arena $M run --strategy arena --backend glibc $SMALL --trials 1 --timeout 20 \
    --out "$T/cpu" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do pgrep -f "cell-glibc.*--strategy arena.*$T/cpu/" >/dev/null && break; sleep 0.1; done
cell=$(pgrep -f "cell-glibc.*--strategy arena.*$T/cpu/" | head -1)
rcpu=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/$pid/status)
ccpu=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/$cell/status 2>/dev/null)
kill -INT $pid; wait $pid
if [ "$(nproc)" -gt 1 ]; then
    check "the cell runs on one CPU and the runner on another ($ccpu, $rcpu)" \
        test -n "$ccpu" -a "$ccpu" != "$rcpu" -a "$(tr -cd ',-' <<<"$ccpu")" = ""
else
    skip "one CPU: runner and cells share it"
fi

# ---- compare --------------------------------------------------------------
out=$($M compare "$T/a" "$T/b" 2>&1); rc=$?
check "compare A A' exits 0 (got $rc)" test $rc -eq 0
check "compare prints a verdict per cell" test "$(grep -cE ' (same|faster|slower)( |$)' <<<"$out")" -ge 6
check "compare summarises per workload with a geometric mean" grep -q '^tuple_create ' <<<"$out"
csv=$($M compare "$T/a" "$T/b" --csv)
check "compare --csv has the documented columns" \
    grep -q '^cell,a_cell,b_cell,a_ns,b_ns,ratio,ci_lo,ci_hi,p,verdict,' <<<"$csv"
check "compare --md is a Markdown table" grep -q '^| cell | A ns/op' <<<"$($M compare "$T/a" "$T/b" --md)"
# Verdicts on fixture runs, whose trial times the test sets: this machine's
# own noise must not decide whether compare's logic is right.
fixture() {     # fixture DIR SCALE: $T/a with every trial at SCALE x (10 + trial/10) ns/op
    mkdir -p "$1" && cp "$T/a/cells.csv" "$1/" &&
    awk -F, -v OFS=, -v s="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ns_median") k = i }
        NR > 1 { $k = sprintf("%.4f", s * (10 + $1 / 10)) } { print }' "$T/a/trials.csv" > "$1/trials.csv"
}
fixture "$T/fa" 1; fixture "$T/fa2" 1; fixture "$T/fslow" 1.5; fixture "$T/f3" 1.03
verdicts() { $M compare "$1" "$2" --csv | awk -F, 'NR > 1 { print $10 }' | sort | uniq -c | tr -s ' '; }
check "identical runs: every cell same" test "$(verdicts "$T/fa" "$T/fa2")" = " 6 same"
check "a planted 1.5x: every cell slower" test "$(verdicts "$T/fa" "$T/fslow")" = " 6 slower"
check "and faster the other way round" test "$(verdicts "$T/fslow" "$T/fa")" = " 6 faster"
check "3% is below the 5% threshold: same" test "$(verdicts "$T/fa" "$T/f3")" = " 6 same"
check "every cell 3% slower together: compare says the cells moved together" \
    grep -q 'warning: the cells moved together: B is 3.0% slower than A at the median, 6 of 6 cells' \
    <<<"$($M compare "$T/fa" "$T/f3" 2>&1 >/dev/null)"
check "... and says nothing of the kind for identical runs" \
    test -z "$($M compare "$T/fa" "$T/fa2" 2>&1 >/dev/null | grep 'moved together')"
# The machine's drift: every round's probe (probe.csv), set by hand here.
check "a run probes the machine once a round (4 rounds, every part > 0)" test "$(awk -F, \
    'NR > 1 && $4 > 0 && $5 > 0 && $6 > 0 && $7 > 0 && $8 == 1' "$T/a/probe.csv" | wc -l)" -eq 4
probe() {       # probe DIR SCALE: 6 rounds, each part SCALE x its base, +-0.2% round to round
    awk -v s="$2" 'BEGIN { print "round,at,cpu,alu_ns,heap_ns,chase_ns,fault_ns,probe_version,contended_reps"
        for (r = 1; r <= 6; r++) { j = 1 + (r % 3 - 1) / 500
            printf "%d,2026-01-01T00:00:0%dZ,0,%.4f,%.4f,%.4f,%.1f,1,0\n", r, r, s * 1.2 * j, s * 1.9 * j, s * 200 * j, s * 12000 * j } }' > "$1/probe.csv"
}
probe "$T/fa" 1; probe "$T/f3" 1.03
out=$($M compare "$T/fa" "$T/f3" 2>&1)
check "compare says what the probe saw: 3.0% slower in B" \
    grep -q '^Machine probe: the probe ran 3.0% slower in B' <<<"$out"
check "... and compares the times as measured: every cell's ratio is 1.03" \
    test "$($M compare "$T/fa" "$T/f3" --csv 2>/dev/null | awk -F, 'NR > 1 { print $6 }' | sort -u)" = 1.0300
check "... so the cells moved together, and compare says so" grep -q 'moved together: B is 3.0% slower' <<<"$out"
rm "$T/f3/probe.csv"
check "a run without probe.csv: compare says why the probes are not compared" \
    grep -q "^Machine probe: not compared: $T/f3 has no probe.csv" <<<"$($M compare "$T/fa" "$T/f3")"
check "--threshold 2 makes 3% a change" \
    test "$($M compare "$T/fa" "$T/f3" --threshold 2 --csv | awk -F, 'NR > 1 { print $10 }' | sort -u)" = slower
csv=$($M compare "$T/fa" "$T/fslow" --csv)
check "the ratio is 1.5 and its interval holds it" \
    test "$(awk -F, 'NR > 1 && $6 == "1.5000" && $7 <= 1.5 && 1.5 <= $8' <<<"$csv" | wc -l)" -eq 6
$M compare "$T/fa" "$T/fslow" --fail-slower 30 >/dev/null 2>&1; rc=$?
check "--fail-slower 30 fails on a 50% slowdown (exit 1, got $rc)" test $rc -eq 1
$M compare "$T/fa" "$T/fslow" --fail-slower 60 >/dev/null 2>&1; rc=$?
check "--fail-slower 60 lets a 50% slowdown pass (exit 0, got $rc)" test $rc -eq 0
$M compare "$T/fslow" "$T/fa" --fail-slower 30 >/dev/null 2>&1; rc=$?
check "--fail-slower passes when B is faster (exit 0, got $rc)" test $rc -eq 0
MEMSTRAT_PLANT_SLOWDOWN=60 $M run --strategy arena --backend glibc $SMALL --trials 1 \
    --out "$T/slow" >/dev/null 2>"$T/slow.err"
check "a planted slowdown is recorded in meta.json" grep -q '"plant_slowdown_pct": 60' "$T/slow/meta.json"
check "and said when the run starts" grep -q 'PLANTED SLOWDOWN' "$T/slow.err"
err=$(MEMSTRAT_PLANT_SLOWDOWN=lots $M run --strategy arena --backend glibc $SMALL --out "$T/never" 2>&1); rc=$?
check "a bad planted slowdown is refused (exit 2, got $rc)" test $rc -eq 2 -a ! -e "$T/never"
out=$($M compare "$T/a" --a backend=glibc --b backend=mimalloc); rc=$?
check "compare within a run, along the backend (rc $rc)" test $rc -eq 0 -a \
    "$(grep -c '^tuple_create-.*-glibc-' <<<"$out")" -ge 3
cmpbad() {
    local want=$1; shift
    local err; err=$("$@" 2>&1 >/dev/null); local rc=$?
    check "'${*:2}' exits 2 (got $rc)" test $rc -eq 2
    check "'${*:2}' says one line naming '$want' ($err)" \
        test "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep -F -- "$want" <<<"$err")"
}
fixture "$T/f3t" 1 && awk -F, 'NR == 1 || $1 <= 3' "$T/fa/trials.csv" > "$T/f3t/trials.csv"
fixture "$T/f3s" 1.5 && awk -F, 'NR == 1 || $1 <= 3' "$T/fslow/trials.csv" > "$T/f3s/trials.csv"
check "3 trials against 3 cannot be significant: 'too few trials', not same" \
    test "$($M compare "$T/f3t" "$T/f3s" --csv 2>/dev/null | awk -F, 'NR > 1 { print $10 }' | sort -u)" = "too few trials"
check "the interval says its level (3 and 3: 90%)" \
    test "$($M compare "$T/f3t" "$T/f3s" --csv 2>/dev/null | awk -F, 'NR == 2 { print $21 }')" = 0.900
mkdir -p "$T/f3r" && cp "$T/f3s/cells.csv" "$T/f3r/" && awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++)
    if ($i == "rss_above_baseline_kb") k = i } NR > 1 { $k = 2 * $k + 100 } { print }' "$T/f3s/trials.csv" > "$T/f3r/trials.csv"
check "RSS twice as large on 3 trials a side: 'too few trials', not 'larger'" \
    test "$($M compare "$T/f3t" "$T/f3r" --csv 2>/dev/null | awk -F, 'NR > 1 { print $19 }' | sort -u)" = "too few trials"
MEMSTRAT_FAULT=crash:arena $M run --strategy refcount,arena,pool --backend glibc,mimalloc $SMALL --trials 4 \
    --seed 7 --out "$T/broken" >/dev/null 2>&1
out=$($M compare "$T/a" "$T/broken" --fail-slower 500 2>&1); rc=$?
check "a cell that fails in B is listed, not dropped" grep -q 'tuple_create-arena-glibc.*A ok, B failed: crashed' <<<"$out"
check "... and fails the gate (exit 1, got $rc)" test $rc -eq 1
check "compare understands sizes as run writes them (size=1e3)" \
    test "$($M compare "$T/a" --a size=1e3 --b size=1000 --csv | wc -l)" -eq 7
cmpbad "no such run directory: $T/nope" $M compare "$T/a" "$T/nope"
cmpbad "matrices differ" $M compare "$T/a" "$T/r"
cmpbad "unknown dimension in 'colour=red'" $M compare "$T/a" --a colour=red --b colour=blue
cmpbad "--a and --b go together" $M compare "$T/a" --a backend=glibc
cmpbad "bad --threshold 'x'" $M compare "$T/a" "$T/b" --threshold x
out=$($M compare "$T/a" "$T/r" --common 2>&1); rc=$?
check "--common compares the common cells (rc $rc)" test $rc -eq 0

# ---- the run directory is protected ---------------------------------------
cp "$T/a/cells.csv" "$T/a.cells"
err=$($M run --strategy refcount --backend glibc $SMALL --trials 1 --out "$T/a" 2>&1 >/dev/null); rc=$?
check "a directory holding a run is refused (exit 2, got $rc)" test $rc -eq 2
check "... in one line, saying what to do ($err)" \
    test "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep -F -- "already holds a run" <<<"$err" | grep -F -- "--resume $T/a")"
check "... and the run is untouched" cmp -s "$T/a.cells" "$T/a/cells.csv"
MEMSTRAT_FAULT=hang:arena $M run --strategy arena --backend glibc $SMALL --trials 1 --timeout 20 \
    --out "$T/lk" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do pgrep -f "cell-glibc.*--strategy arena.*$T/lk/" >/dev/null && break; sleep 0.1; done
err=$($M run --resume "$T/lk" 2>&1 >/dev/null); rc=$?
check "a second runner on the same directory is refused (exit 2, got $rc)" test $rc -eq 2
check "... naming the first one's pid ($err)" grep -q "in use by another memstrat run (pid $pid)" <<<"$err"
kill -INT $pid; wait $pid
err=$($M run --strategy arena --backend glibc $SMALL --out /proc/memstrat-nope 2>&1 >/dev/null); rc=$?
check "an --out that cannot be created is refused before any cell (exit 2, got $rc)" \
    test $rc -eq 2 -a -n "$(grep -F 'cannot create the results directory /proc/memstrat-nope' <<<"$err")"

summary trials
