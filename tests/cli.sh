#!/bin/bash
# tests/cli.sh -- memstrat as a user runs it: list, growth, bad input, a tiny
# matrix, peak RSS against N, faults (crash, memory, timeout, guard, lazy),
# interrupt and resume.  Prints "cli: N passed, N failed".
set -u
. "$(dirname "$0")/lib.sh"

# ---- list and growth ------------------------------------------------------
out=$($M list)
for w in strategies: backends: workloads: policies: refcount rc_cycle pool marksweep arena rc_gil rc_atomic rc_biased \
         boehm cpython_model floor malloc glibc jemalloc mimalloc tcmalloc list_append tuple_create cycles churn cpython 1.5 2.0; do
    check "list shows $w" grep -q "^ *$w\( \|$\)" <<<"$out"
done

$M growth --policy cpython --max 1e6 > "$T/growth.txt"
check "growth matches CPython 3.11's capacities up to 10**6 (tests/data)" \
    diff -q "$T/growth.txt" tests/data/cpython-3.11-list-growth.txt
if command -v python3 >/dev/null; then
    python3 tests/cpython_growth.py 1000000 > "$T/py.txt"
    if python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        check "growth matches the installed CPython 3.11" diff -q "$T/growth.txt" "$T/py.txt"
    fi
fi
check "growth 2.0 doubles" test "$($M growth --policy 2.0 --max 100 | tail -1)" = "65 128"

# ---- bad input: exit 2, one line naming the value and the choices, nothing written
badarg() {
    local want=$1; shift
    local err
    err=$("$@" --out "$T/never" 2>&1 >/dev/null)
    local rc=$?
    check "'$*' exits 2 (got $rc)" test $rc -eq 2
    check "'$*' says one line with '$want' ($err)" test "$(wc -l <<<"$err")" -eq 1
    check "'$*' names '$want'" grep -qF -- "$want" <<<"$err"
    check "'$*' wrote nothing" test ! -e "$T/never"
}
badarg "'foo' (valid: refcount, rc_cycle, pool, marksweep, arena, rc_gil, rc_atomic, rc_biased, boehm, cpython_model, floor, malloc, cpython)" $M run --strategy foo
badarg "'hoard' (valid: glibc,jemalloc,mimalloc,tcmalloc)" $M run --backend hoard
badarg "'bar' (valid: list_append, tuple_create, cycles, churn, handoff, shared_read)" $M run --workload bar
badarg "'3.0' (valid: cpython, 1.5, 2.0)" $M run --policy 3.0
badarg "'0'" $M run --size 0
badarg "'-5'" $M run --size -5
badarg "'abc'" $M run --size abc
badarg "'1e3..1e2x10'" $M run --size 1e3..1e2x10
badarg "'1': expected a number > 1" $M run --heap-factor 1
badarg "'0.5'" $M run --heap-factor 0.5
badarg "'--bogus'" $M run --bogus 1
badarg "bad trials '0': expected a whole number in 1..1000" $M run --trials 0
badarg "bad trials 'x'" $M run --trials x
badarg "bad seed '-1'" $M run --seed -1
badarg "bad pin 'fast': expected auto, none or a CPU number" $M run --pin fast
err=$($M growth --policy 3.0 2>&1); rc=$?
check "growth with a bad policy exits 2 naming it" test $rc -eq 2 -a -n "$(grep -F "'3.0' (valid: cpython, 1.5, 2.0)" <<<"$err")"
err=$($M frobnicate 2>&1); rc=$?
check "unknown command exits 2" test $rc -eq 2

# ---- dry run ---------------------------------------------------------------
out=$($M run --size 1e3..1e5x10 --dry-run --out "$T/dry")
check "dry run lists 3 sizes x 10 strategies x 4 backends x 4 workloads (threaded ones when asked)" \
    test "$(grep -c -- '-[0-9]' <<<"$out")" -eq 480
check "dry run gives an estimate" grep -q "estimated time" <<<"$out"
check "dry run writes nothing" test ! -e "$T/dry"

# ---- threads: a dimension of the matrix ------------------------------------
badarg "bad threads '0': expected a whole number in 1..256" $M run --threads 0
badarg "bad threads '-1': expected a whole number in 1..256" $M run --threads -1
badarg "bad threads '257': expected a whole number in 1..256" $M run --threads 257
badarg "bad threads 'x': expected a whole number in 1..256" $M run --threads x
badarg "bad threads '': expected whole numbers in 1..256" $M run --threads ''
badarg "bad threads '1.5'" $M run --threads 1,1.5
badarg "bad switch interval '0': expected a number > 0" $M run --switch-interval 0
THR="--strategy refcount,boehm --backend glibc --workload list_append,tuple_create --window 0,5 --size 1e3"
one=$($M run --dry-run $THR)
two=$($M run --dry-run $THR --threads 1,2)
# The cells' ids, without the estimate's line and the notes.
ids() { sed '$d; s/  (.*//'; }
check "threads 1,2: every one-thread cell keeps its id and order" \
    test "$(grep -v -- '-t2\( \|$\)' <<<"$two" | ids)" = "$(ids <<<"$one")"
check "... those that run at two threads too run on a worker thread at one, no other" \
    test "$(grep -v -- '-t2\( \|$\)' <<<"$two" | grep 'on a worker thread' | sed 's/  (.*//' | tr '\n' ' ')" = \
         "list_append-refcount-glibc-1000-cpython tuple_create-refcount-glibc-1000-w0-k3 "
check "... and a run without threads has no such note" test "$(grep -c 'worker' <<<"$one")" -eq 0
check "... and each has its two-thread cell, id ending in -t2" \
    test "$(grep -c -- '-t2\( \|$\)' <<<"$two")" -eq "$(($(wc -l <<<"$one") - 1))"
check "boehm has no heap per thread: n/a at two threads, with the reason" \
    test "$(grep -c '^[a-z_]*-boehm-.*-t2  (n/a: boehm runs on one thread only: its heap is not one per thread' <<<"$two")" -eq 3
check "refcount runs tuple_create with a window at one thread only (its None is shared)" \
    grep -q '^tuple_create-refcount-glibc-1000-w5-k3-t2  (n/a: refcount is single-threaded: the threads of tuple_create share None' <<<"$two"
check "the dry run counts the n/a cells (12 cells, 4 n/a)" grep -q '^12 cells x 5 trials (4 n/a)' <<<"$two"

# Threads under the runner, with a fake cell that says what it was given:
# T = 1 cells keep their command line and their one CPU; a T > 1 cell gets
# --threads and the run's CPUs; cells.csv derives throughput and scaling.
mkdir -p "$T/fake"
cp $M "$T/fake/memstrat"
cat > "$T/fake/cell-glibc" <<'EOC'
#!/bin/sh
[ "$1" = --version ] && { echo "glibc 2.36"; exit 0; }
threads=1 result= prev=
for a; do case $prev in --threads) threads=$a ;; --result) result=$a ;; esac; prev=$a; done
echo "$* cpus=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)" >> "${0%/*}/argv.log"
# ns per operation per thread: 10 alone, 16 at two threads (they contend).
ns=$((threads == 1 ? 10 : 16))
printf 'ns_median %s\nns_mean %s\ncv 0.01\nthreads %s\ncross_frees 7\nqueued 3\n' $ns $ns $threads > "$result"
EOC
chmod +x "$T/fake/cell-glibc"
cpus=$(getconf _NPROCESSORS_ONLN)
over=$((cpus + 1))
err=$("$T/fake/memstrat" run --strategy refcount --backend glibc --workload list_append --size 1000 \
    --trials 2 --threads 1,2,$over --out "$T/thr" 2>&1 >/dev/null); rc=$?
fcsv=$T/thr/cells.csv
id=list_append-refcount-glibc-1000-cpython
# exact CSV COLUMN ID: the value of COLUMN in the row of cell ID.
exact() { awk -F, -v c="$2" -v id="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
    $1 == id { print $k; exit }' "$1"; }
check "a threads run with fake cells exits 0 (rc $rc: $(tail -1 <<<"$err"))" test $rc -eq 0
check "the T = 1 cell's command line has no --threads" \
    test "$(grep -F -- "$T/thr/raw/$id.t1.result" "$T/fake/argv.log" | grep -c -- '--threads')" -eq 0
check "the T = 2 cell gets --threads 2 --switch-interval 5" \
    grep -q -- "--threads 2 --switch-interval 5" <<<"$(grep -F -- "$T/thr/raw/$id-t2.t1.result" "$T/fake/argv.log")"
if [ "$cpus" -gt 1 ]; then
    c1=$(grep -F -- "$T/thr/raw/$id.t1.result" "$T/fake/argv.log" | sed 's/.*cpus=//')
    c2=$(grep -F -- "$T/thr/raw/$id-t2.t1.result" "$T/fake/argv.log" | sed 's/.*cpus=//')
    check "the T = 1 cell is pinned to one CPU, the T = 2 cell spread over the run's ($c1, $c2)" \
        test -n "$c1" -a "$(tr -cd ',-' <<<"$c1")" = "" -a "$(tr -cd ',-' <<<"$c2")" != ""
    check "... and its note says so, its cpu column is -" \
        test "$(exact "$fcsv" note "$id-t2")" = "not pinned to one CPU: spread over the run's CPUs" -a \
             "$(exact "$fcsv" cpu "$id-t2")" = -
else
    skip "one CPU: nothing to spread a T = 2 cell over"
fi
check "threads column: 1 and 2" test "$(exact "$fcsv" threads "$id")/$(exact "$fcsv" threads "$id-t2")" = 1/2
check "throughput = T x 1e3 / ns: 100 and 125 Mops/s" \
    test "$(exact "$fcsv" throughput_mops "$id")/$(exact "$fcsv" throughput_mops "$id-t2")" = 100.0000/125.0000
check "... with its interval from ns_ci_lo/hi" test "$(exact "$fcsv" throughput_ci_lo "$id-t2")" = 125.0000
check "scaling: 125 / (2 x 100) = 0.625, 1 at T = 1" \
    test "$(exact "$fcsv" scaling "$id-t2")/$(exact "$fcsv" scaling "$id")" = 0.6250/1.0000
check "cross_frees and queued as the cell wrote them" \
    test "$(exact "$fcsv" cross_frees "$id-t2")/$(exact "$fcsv" queued "$id-t2")" = 7/3
check "more threads than CPUs: the note says oversubscribed" \
    grep -q "oversubscribed: $over threads on $cpus CPUs" <<<"$(exact "$fcsv" note "$id-t$over")"
check "... and the run warns before it starts" grep -q "more threads than CPUs (oversubscribed" <<<"$err"
check "matrix.args keeps the threads (for --resume)" \
    grep -qx -- "1,2,$over" "$T/thr/matrix.args"
check "meta.json: threads and the switch interval" \
    grep -q '"threads": "1,2,'$over'",' "$T/thr/meta.json"
grep -q '"switch_interval_ms": 5,' "$T/thr/meta.json" && ok || bad "meta.json has switch_interval_ms 5"
# Like for like (issue #16): in a run with cells at T > 1, the T = 1 cell
# runs on a worker thread too, so that `scaling` compares thread counts, not
# the main thread's heap with a worker's.
check "a threads run's T = 1 cell gets --thread-home workers" \
    grep -q -- "--thread-home workers" <<<"$(grep -F -- "$T/thr/raw/$id.t1.result" "$T/fake/argv.log")"
check "... its note says so" test "$(exact "$fcsv" note "$id")" = "on a worker thread: as at T > 1"
check "... and meta.json says workers" grep -q '"thread_home": "workers",' "$T/thr/meta.json"
: > "$T/fake/argv.log"
"$T/fake/memstrat" run --strategy refcount --backend glibc --workload list_append --size 1000 \
    --trials 1 --switch-interval 2 --out "$T/thr2" >/dev/null 2>&1
check "a switch interval not the default goes to every cell" \
    grep -q -- "--threads 1 --switch-interval 2 " "$T/fake/argv.log"
check "... and its cell id is unchanged" test "$(exact "$T/thr2/cells.csv" status "$id")" = ok
check "a run without threads keeps the main thread: no --thread-home" \
    test "$(grep -c -- '--thread-home' "$T/fake/argv.log")" -eq 0
check "... no note, and meta.json says main" \
    test "$(exact "$T/thr2/cells.csv" note "$id")" = - -a -n "$(grep '"thread_home": "main",' "$T/thr2/meta.json")"
: > "$T/fake/argv.log"
"$T/fake/memstrat" run --strategy boehm --backend glibc --workload list_append --size 1000 \
    --trials 1 --threads 1,2 --out "$T/thr3" >/dev/null 2>&1
check "a cell n/a at T > 1 (boehm) keeps the main thread in a threads run" \
    test "$(grep -c -- 'boehm.*--thread-home' "$T/fake/argv.log")/$(grep -c -- 'boehm' "$T/fake/argv.log")" = 0/1

# The cell itself says where its workload ran.  A leaking cell stays on the
# main thread: it runs each run in a forked child, which has one thread.
home() {
    $B/cell-glibc --workload "$1" --strategy "$2" --size 1000 --reps 1 --min-time 0.001 "${@:3}" \
        --result "$T/home.result" >/dev/null 2>&1 && awk '$1 == "thread_home" { print $2 }' "$T/home.result"
}
check "a cell runs on the main thread unless told" test "$(home list_append rc_gil --extras 0)" = main
check "--thread-home workers: a team of one worker" \
    test "$(home list_append rc_gil --extras 0 --thread-home workers)" = workers
check "... whose run records latency, as the main thread's does" \
    test "$(home list_append refcount --thread-home workers --latency "$T/home.lat")" = workers -a \
         -s "$T/home.lat" -a "$(awk '$1 == "lat_overhead" { print $2 }' "$T/home.result")" != -
check "a leaking cell stays on the main thread" test "$(home cycles refcount --thread-home workers)" = main
err=$($B/cell-glibc --thread-home fibre 2>&1); rc=$?
check "a bad thread home exits 2 naming it and the choices ($err)" \
    test $rc -eq 2 -a "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep -F "'fibre': expected main or workers" <<<"$err")"

# The timed runs start once the heap has its size.  tcmalloc's page heap
# grows for three runs of rc_gil list_append 1e6 on one thread (1,958 new
# pages in the third): with one warm-up, the two timed runs faulted 2,244
# pages, after the settling runs 17-290.
$B/cell-tcmalloc --workload list_append --strategy rc_gil --size 1e6 --reps 2 --min-time 0.001 \
    --thread-home workers --extras 0 --result "$T/settle.result" >/dev/null 2>&1
flt=$(awk '$1 == "timed_faults" { print $2 }' "$T/settle.result")
check "the timed runs fault no heap growth in (timed_faults $flt, want < 1000)" test "${flt:-99999}" -lt 1000

# ---- a tiny matrix: every column filled ------------------------------------
$M run --size 1000 --reps 2 --min-time 0.01 --trials 2 --out "$T/tiny" > /dev/null 2> "$T/tiny.err"
rc=$?
check "tiny matrix exits 0 (got $rc: $(tail -2 "$T/tiny.err"))" test $rc -eq 0
csv=$T/tiny/cells.csv
check "cells.csv has 160 cells" test "$(($(wc -l < "$csv") - 1))" -eq 160
empty=$(awk -F, 'NR > 1 && $NF == "ok" { for (i = 1; i <= NF; i++) if ($i == "") print $1 ": column " i }' "$csv")
check "every column of every ok cell is filled ($empty)" test -z "$empty"
# The cpython series runs where python3 is, and is n/a (not failed) where not.
if command -v python3 >/dev/null; then py_ok=3; else py_ok=0; fi
check "$((110 + py_ok)) cells ok" test "$(grep -c ',ok$' "$csv")" -eq $((110 + py_ok))
check "cpython: $py_ok ok on glibc, the rest n/a" \
    test "$(grep -c '^[a-z_]*-cpython-.*,n/a$' "$csv")" -eq $((16 - py_ok))
check "floor runs once, on the own-heap runner: n/a on the 3 others" \
    test "$(grep -c 'floor-\(jemalloc\|mimalloc\|tcmalloc\).*,n/a$' "$csv")" -eq 12
check "boehm on the 3 other backends is n/a" \
    test "$(grep -c 'boehm-\(jemalloc\|mimalloc\|tcmalloc\).*,n/a$' "$csv")" -eq 12
check "the references have no cycles or churn loop: n/a" \
    test "$(grep -c '^\(cycles\|churn\)-\(floor\|malloc\)-.*,n/a$' "$csv")" -eq 16
# 1000 operations in batches of 64 make 16 batches and the drop: 17 samples,
# too few for p50 (20): only the max, in the 100 cells with batch ticks (not
# the 10 hand-written floor and malloc loops).
check "17 samples: p50, p99, p99.9 are -, the max is given" \
    test "$(grep -c ',64,[0-9]*,-\?[0-9.]*,-,-,-,[0-9.]*,' "$csv")" -eq 100 -a \
         "$(grep -c ',64,[0-9]*,-\?[0-9.]*,-,-,-,-,' "$csv")" -eq 10
check "and latency/CELL.csv has p0, p10, p25 (p50 needs 20) and the max" \
    test "$(cat "$T/tiny/latency/"*.csv | grep -vc '^\(percentile\|0\|10\|25\|100\),')" -eq 0 -a \
         "$(ls "$T/tiny/latency/" | wc -l)" -eq 100
check "and its RSS timeline (timeline/CELL.csv)" test "$(ls "$T/tiny/timeline/"*.csv | wc -l)" -ge 110
leak() { awk -F, -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
    $1 == c { print $(k["leaked_bytes"]) }' "$csv"; }
check "refcount leaks every cycle: 1000 pairs x 232 bytes ($(leak cycles-refcount-glibc-1000))" \
    test "$(leak cycles-refcount-glibc-1000)" = 232000
check "pool leaks them too ($(leak cycles-pool-mimalloc-1000))" test "$(leak cycles-pool-mimalloc-1000)" = 232000
check "rc_cycle leaks nothing ($(leak cycles-rc_cycle-glibc-1000))" test "$(leak cycles-rc_cycle-glibc-1000)" = 0
check "cpython_model leaks nothing ($(leak cycles-cpython_model-jemalloc-1000))" \
    test "$(leak cycles-cpython_model-jemalloc-1000)" = 0
check "marksweep leaks nothing" test "$(leak cycles-marksweep-tcmalloc-1000-hf2)" = 0
check "arena leaks nothing" test "$(leak cycles-arena-jemalloc-1000)" = 0
check "boehm's leak is not counted object by object: -" test "$(leak cycles-boehm-glibc-1000)" = -

# rc_cycle's thresholds are settable: lower ones collect more often.
$M run --trials 2 --strategy rc_cycle --backend glibc --workload cycles --size 10000 --reps 1 --min-time 0.01 \
    --gc-threshold 100,10,10 --out "$T/gc100" >/dev/null 2>&1
ncoll=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next } { print $(k["collections"]) }' \
    "$T/gc100/cells.csv")
check "gc threshold 100: 20000 lists collected in about 20000/101 collections ($ncoll)" \
    test "${ncoll:-0}" -ge 190 -a "${ncoll:-0}" -le 210
badarg "bad gc threshold '700,10': expected three whole numbers" $M run --gc-threshold 700,10

# The collector against CPython's own: collections of each generation in one
# run, gc.get_stats() around the same loop in python3 (tests/cpython_gc_counts.py,
# from a fresh collector state).  cpython_model has CPython's free lists, so
# its counts must be CPython's: within 2% or 1, the containers python3
# makes around the loop (gc.get_stats' own list and dicts) shifting a
# collection at most.  rc_cycle has no free lists: every list counts, one
# collection per 701 lists where CPython makes one per 781 (80 come from the
# free list), so its counts are CPython's x 781/701, within 2% or 1.
# near A/B/C X/Y/Z FACTOR: every A within 2% (or 1) of X x FACTOR.
near() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { n = split(a, x, "/"); split(b, y, "/")
    for (i = 1; i <= 3; i++) { d = x[i] - y[i] * f; if (d < 0) d = -d
        if (n != 3 || d > 1 && d > 0.02 * y[i] * f) exit 1 } }'; }
if command -v python3 >/dev/null && python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    $M run --strategy rc_cycle,cpython_model --backend glibc --workload cycles,tuple_create \
        --size 100000 --window 10000 --reps 1 --min-time 0.01 --out "$T/gen" >/dev/null 2>&1
    for w in "cycles 100000" "tuple_create 100000 10000"; do
        py=$(python3 tests/cpython_gc_counts.py $w)
        id=$(awk '{ printf "%s-%%s-glibc-%s", $1, $2 }' <<<"$w")
        model=$(col "$T/gen/cells.csv" collections_gen "$(printf "$id" cpython_model)")
        check "$w: cpython_model collects as CPython 3.11 ($model against $py)" near "$model" "$py" 1
    done
    rcc=$(col "$T/gen/cells.csv" collections_gen cycles-rc_cycle-glibc-100000)
    py=$(python3 tests/cpython_gc_counts.py cycles 100000)
    check "cycles 100000: rc_cycle, no free lists, collects 781/701 as often ($rcc against $py)" \
        near "$rcc" "$py" 1.11412
else
    skip "collections per generation against CPython: no python3 3.11 here"
fi
# marksweep and arena keep a freed big block by default (strategies/bigblock.c);
# --big-blocks free gives it back at once, and every cell it applies to says so.
$M run --trials 1 --strategy arena,refcount --backend glibc --workload list_append --size 1000 --reps 1 \
    --min-time 0.01 --big-blocks free --out "$T/bigfree" >/dev/null 2>&1
check "--big-blocks free: in arena's cell id and big_blocks column" \
    test "$(col "$T/bigfree/cells.csv" big_blocks list_append-arena-glibc-1000-cpython-bigfree)" = free
check "--big-blocks free: - where it does not apply (refcount)" \
    test "$(col "$T/bigfree/cells.csv" big_blocks list_append-refcount-glibc-1000)" = -
check "the tiny matrix records the default, keep" \
    test "$(col "$csv" big_blocks list_append-marksweep-glibc-1000)" = keep
badarg "bad big-blocks 'some' (valid: keep, free)" $M run --big-blocks some

# A cell that lasts a while has a timeline of RSS samples, in time order, and
# latency percentiles that rise with the percentile.
$M run --trials 2 --strategy marksweep --backend glibc --workload churn --size 200000 --reps 2 --min-time 0.1 \
    --sample-ms 1 --batch 256 --out "$T/tl" >/dev/null 2>&1
tl=$T/tl/timeline/churn-marksweep-glibc-200000-hf2-w0.csv
check "timeline written for a cell of $(tail -1 "$tl" | cut -d, -f1) s" \
    awk -F, 'END { exit !(NR > 20 && $1 >= 0.1) }' "$tl"
check "timeline is monotonic in time" awk -F, 'NR > 1 && !($1 > last && $2 > 0) { bad = 1 } NR > 1 { last = $1 } END { exit bad }' "$tl"
lat=$T/tl/latency/churn-marksweep-glibc-200000-hf2-w0.csv
check "latency percentiles never fall as the percentile rises" \
    awk -F, 'NR > 2 && $2 < last { bad = 1 } NR > 1 { last = $2 } END { exit bad || NR < 8 }' "$lat"
check "the batch is recorded" grep -q ',256,' "$T/tl/cells.csv"
$M run --trials 2 --strategy floor,arena --backend glibc --workload tuple_create --size 100000 --reps 1 \
    --min-time 0.01 --out "$T/lat" >/dev/null 2>&1
check "the hand-written floor has no batch ticks: - for its latency" \
    grep -q '^tuple_create-floor-glibc-100000-w0-k3,.*,64,[0-9]*,-\?[0-9.]*,-,-,-,-,' "$T/lat/cells.csv"
check "arena's 1564 samples give p50 and p99, not p99.9 (10,000)" \
    grep -q '^tuple_create-arena-glibc-100000-w0-k3,.*,64,[0-9]*,-\?[0-9.]*,[0-9.]*,[0-9.]*,-,[0-9.]*,' \
    "$T/lat/cells.csv"
check "and latency/CELL.csv stops at p99 (p99.5 needs 2000)" \
    test "$(tail -2 "$T/lat/latency/tuple_create-arena-glibc-100000-w0-k3.csv" | cut -d, -f1 | tr '\n' ' ')" = "99 100 "

# Without python3 the cpython series is skipped with a note, never an error.
err=$(MEMSTRAT_PYTHON=no-such-python3 $M run --trials 2 --strategy cpython,arena --backend glibc \
    --workload list_append --size 1000 --reps 1 --min-time 0.01 --out "$T/nopy" 2>&1 >/dev/null); rc=$?
check "no python3: the run exits 0 (got $rc)" test $rc -eq 0
check "no python3: the cpython cell is n/a" grep -q '^list_append-cpython-glibc-1000-cpython,.*,n/a$' "$T/nopy/cells.csv"
check "no python3: a note says why" grep -q "note: no 'no-such-python3' on this machine" <<<"$err"
if command -v python3 >/dev/null; then
    check "cpython's checksum matched the C workload's, and it reports its version" \
        grep -q '^tuple_create-cpython-glibc-1000-w0-k3,tuple_create,cpython,glibc,CPython 3\.' "$csv"
    pmax=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
        $1 == "tuple_create-cpython-glibc-1000-w0-k3" { print $(k["pause_total_ms"]) $(k["pause_max_ms"]) }' "$csv")
    check "cpython's pauses are not measured: -, not 0 ($pmax)" test "$pmax" = "--"
    # The timeline follows python3, the cell's child, where the memory is.
    $M run --strategy cpython --backend glibc --workload list_append --size 1e5 --reps 1 \
        --min-time 0.01 --trials 1 --sample-ms 1 --out "$T/pytl" >/dev/null 2>&1
    peak=$(col "$T/pytl/cells.csv" peak_rss_kb list_append-cpython)
    tlmax=$(awk -F, 'NR > 1 && $2 > m { m = $2 } END { print m + 0 }' \
        "$T/pytl/timeline/list_append-cpython-glibc-100000-cpython.csv")
    check "the cpython timeline follows python3: its top ($tlmax KiB) near peak RSS ($peak KiB)" \
        awk -v t="$tlmax" -v p="$peak" 'BEGIN { exit !(p > 0 && t >= 0.8 * p && t <= p * 1.05) }'
fi
check "tcmalloc cells report tcmalloc's version" grep -q 'tcmalloc,2\.' "$csv"
check "jemalloc cells report jemalloc's version" grep -q 'jemalloc,5\.' "$csv"
check "mimalloc cells report mimalloc's version" grep -q 'mimalloc,2\.' "$csv"
check "boehm reports bdwgc's version" grep -q 'boehm,glibc,bdwgc ' "$csv"
check "a raw Google Benchmark JSON per ok cell Google Benchmark timed (not cpython's), per trial" \
    test "$(ls "$T/tiny/raw/"*.t1.json | wc -l)" -eq 110 -a "$(ls "$T/tiny/raw/"*.t2.json | wc -l)" -eq 110
check "raw JSON has the repetitions' aggregates" grep -q '"aggregate_name": "cv"' \
    "$T/tiny/raw/list_append-pool-mimalloc-1000-cpython.t1.json"
for k in cpu_model cores kernel compiler cflags libraries memstrat_commit command started_utc ended_utc; do
    check "meta.json has $k" grep -q "\"$k\"" "$T/tiny/meta.json"
done
check "list_append slack is CPython's at 1000 (capacity 1100)" \
    test "$(col "$csv" final_slack list_append-refcount-glibc)" = "1.1000"
check "refcount peak bytes = workload's live peak" \
    test "$(col "$csv" heap_peak_bytes list_append-refcount-glibc)" = "$(col "$csv" live_peak_bytes list_append-refcount-glibc)"
check "no temporary files left" test -z "$(find "$T/tiny" -name '*.tmp')"

# ---- a cell's peak is its own -------------------------------------------------
# exec carries the parent's peak into ru_maxrss; a cell started by a big
# process (a runner whose trial table grew) must still report its own.
perl -e '$x = "a" x 200_000_000; exec @ARGV' $B/cell-glibc --workload tuple_create \
    --strategy refcount --size 1000 --reps 1 --min-time 0.001 --result "$T/big.result" >/dev/null 2>&1
b=$(awk '$1 == "baseline_rss_kb" { print $2 }' "$T/big.result")
p=$(awk '$1 == "peak_rss_kb" { print $2 }' "$T/big.result")
check "a cell exec'd by a 200 MB process reports its own baseline and peak ($b, $p KiB)" \
    test "${b:-999999}" -lt 100000 -a "${p:-999999}" -lt 100000

# ---- peak RSS grows with N -------------------------------------------------
$M run --trials 2 --strategy refcount --backend glibc --workload list_append --size 1e3,1e6 --reps 1 \
    --min-time 0.01 --out "$T/rss" > /dev/null 2>&1
small=$(col "$T/rss/cells.csv" rss_above_baseline_kb -1000-)
large=$(col "$T/rss/cells.csv" rss_above_baseline_kb -1000000-)
check "RSS above baseline at 1e6 ($large KiB) >= 10x at 1e3 ($small KiB)" \
    test "$large" -ge $((10 * (small > 0 ? small : 1)))
check "1e6 ints take at least 28 MB above baseline ($large KiB)" test "$large" -ge 27000
check "series.csv has the growth factor for the series" \
    grep -q '^list_append,refcount,glibc,cpython,-,-,-,-,2,1000,1000000,' "$T/rss/series.csv"

# The baseline holds the harness's own peak (Google Benchmark's first run):
# 148 live bytes of tuple_create are not half a MiB above it.
$M run --strategy refcount --backend glibc --workload tuple_create --size 1e3 --window 0 --reps 2 \
    --min-time 0.01 --out "$T/base" > /dev/null 2>&1
above=$(col "$T/base/cells.csv" rss_above_baseline_kb tuple_create-refcount-glibc-1000)
check "tuple_create 1e3 holds < 64 KiB above baseline ($above KiB)" test "${above:-999}" -lt 64

# A leaking cell's peak is one run's, whatever --reps: each run in a child.
for r in 1 5; do
    $M run --strategy refcount --backend glibc --workload cycles --size 1e4 --reps $r \
        --min-time 0.01 --out "$T/leak$r" > /dev/null 2>&1
done
p1=$(col "$T/leak1/cells.csv" peak_rss_kb cycles-refcount-glibc-10000)
p5=$(col "$T/leak5/cells.csv" peak_rss_kb cycles-refcount-glibc-10000)
check "cycles/refcount 1e4: peak RSS at reps 5 ($p5 KiB) within 25% of reps 1 ($p1 KiB)" \
    test "${p5:-0}" -gt 0 -a "${p5:-0}" -le $(( ${p1:-0} * 5 / 4 )) -a "${p1:-0}" -le $(( ${p5:-0} * 5 / 4 ))
check "and it still reports the leak (10000 pairs x 232 bytes)" \
    test "$(col "$T/leak5/cells.csv" leaked_bytes cycles-refcount-glibc-10000)" = 2320000

# ---- faults: each recorded as such, the others kept -------------------------
MEMSTRAT_FAULT=crash:pool $M run --trials 2 --strategy refcount,pool,arena --backend glibc \
    --workload tuple_create --size 1000 --reps 1 --min-time 0.01 --out "$T/crash" >/dev/null 2>&1
rc=$?
check "one crashed cell: exit 65 (got $rc)" test $rc -eq 65
check "crash recorded as failed: crashed with signal 11" \
    grep -q 'tuple_create-pool-.*,failed: crashed with signal 11' "$T/crash/cells.csv"
check "the other cells are ok" test "$(grep -c ',ok$' "$T/crash/cells.csv")" -eq 2
check "a cell that crashed is not run again: one trial of it, two of the others" \
    test "$(grep -c '^1,tuple_create-pool' "$T/crash/trials.csv")" -eq 1 -a \
         "$(grep -c '^2,tuple_create-pool' "$T/crash/trials.csv")" -eq 0 -a \
         "$(grep -c '^2,tuple_create-arena' "$T/crash/trials.csv")" -eq 1

MEMSTRAT_FAULT=hog:arena $M run --trials 2 --strategy refcount,arena --backend glibc \
    --workload list_append --size 1000 --reps 1 --min-time 0.01 --mem-limit 256M \
    --out "$T/oom" >/dev/null 2>&1
check "a cell past --mem-limit is oom" grep -q 'list_append-arena-.*,oom$' "$T/oom/cells.csv"
check "the runner stopped it at the limit on resident memory" \
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next } $2 ~ /arena/ { exit !($(k["peak_rss_kb"]) < 2 * 262144) }' "$T/oom/trials.csv"
check "the other cell is ok" grep -q 'list_append-refcount-.*,ok$' "$T/oom/cells.csv"

# --mem-limit bounds resident memory, not address space: 1 GiB reserved and
# never touched is no reason to stop a cell limited to 512 MiB.
MEMSTRAT_FAULT=reserve:arena $M run --strategy arena --backend glibc --workload list_append \
    --size 1000 --reps 1 --min-time 0.01 --trials 1 --mem-limit 512M --out "$T/reserve" >/dev/null 2>&1
check "address space reserved but not resident is not oom" \
    grep -q 'list_append-arena-.*,ok$' "$T/reserve/cells.csv"
# ... but RLIMIT_DATA stays as a backstop at 4x: 1 GiB is past 4 x 128 MiB,
# and the cell's malloc returns NULL, which it reports.
MEMSTRAT_FAULT=reserve:arena $M run --strategy arena --backend glibc --workload list_append \
    --size 1000 --reps 1 --min-time 0.01 --trials 1 --mem-limit 128M --out "$T/backstop" >/dev/null 2>&1
check "past the 4x backstop, malloc returns NULL: oom" grep -q 'list_append-arena-.*,oom$' "$T/backstop/cells.csv"
check "... and the cell said so" \
    grep -q '^oom: allocating 1073741824 bytes' "$T/backstop/logs/list_append-arena-glibc-1000-cpython.t1.log"

MEMSTRAT_FAULT=hang:marksweep $M run --trials 2 --strategy marksweep,refcount --backend mimalloc \
    --workload list_append --size 1000 --reps 1 --min-time 0.01 --timeout 1 \
    --out "$T/timeout" >/dev/null 2>&1
check "a cell past --timeout is timeout" grep -q 'marksweep-.*,timeout$' "$T/timeout/cells.csv"
check "the other cell is ok" grep -q 'refcount-.*,ok$' "$T/timeout/cells.csv"

MEMSTRAT_FAULT=lazy:arena $M run --trials 2 --strategy arena --backend jemalloc --workload list_append \
    --size 1000 --reps 1 --min-time 0.01 --out "$T/lazy" >/dev/null 2>&1
check "a cell that skips its work is caught" \
    grep -q ',failed: workload did no work' "$T/lazy/cells.csv"

# ---- the backend guard -------------------------------------------------------
MIMALLOC_SO=$(ls /usr/lib/*/libmimalloc.so* 2>/dev/null | head -1)
JEMALLOC_SO=$(ls /usr/lib/*/libjemalloc.so.2 2>/dev/null | head -1)
err=$(LD_PRELOAD=$MIMALLOC_SO $B/cell-jemalloc --verify-backend 2>&1); rc=$?
check "jemalloc runner with mimalloc preloaded: guard exits 4 (got $rc)" test $rc -eq 4
check "the guard says why ($err)" grep -q 'guard: backend jemalloc requested but malloc() comes from .*libmimalloc' <<<"$err"
err=$(LD_PRELOAD=$JEMALLOC_SO $B/cell-glibc --verify-backend 2>&1); rc=$?
check "glibc runner with jemalloc preloaded: guard fires ($err)" test $rc -eq 4
for b in glibc jemalloc mimalloc tcmalloc; do
    check "$b runner passes its own guard" $B/cell-$b --verify-backend >/dev/null
done
TCMALLOC_SO=$(ls /usr/lib/*/libtcmalloc_minimal.so.4 2>/dev/null | head -1)
err=$(LD_PRELOAD=$JEMALLOC_SO $B/cell-tcmalloc --verify-backend 2>&1); rc=$?
check "tcmalloc runner with jemalloc preloaded: guard fires ($err)" test $rc -eq 4
err=$(LD_PRELOAD=$TCMALLOC_SO $B/cell-mimalloc --verify-backend 2>&1); rc=$?
check "mimalloc runner with tcmalloc preloaded: guard fires ($err)" test $rc -eq 4
LD_PRELOAD=$MIMALLOC_SO $M run --trials 2 --strategy refcount --backend jemalloc --workload list_append \
    --size 1000 --reps 1 --min-time 0.01 --out "$T/guard" >/dev/null 2>&1
check "memstrat records a guard failure, never a silent measurement" \
    grep -q ',failed: guard: backend jemalloc requested' "$T/guard/cells.csv"

# ---- interrupt and resume ---------------------------------------------------
# The order of a round is random: the hung cell may come first, last or
# between the others.  Whatever finished before the interrupt is kept.
MEMSTRAT_FAULT=hang:arena $M run --strategy refcount,arena,pool --backend glibc \
    --workload list_append --size 1000 --reps 1 --min-time 0.01 --trials 1 --out "$T/int" \
    >/dev/null 2>"$T/int.err" &
pid=$!
for _ in $(seq 300); do
    pgrep -f "cell-glibc.*--strategy arena.*$T/int/" >/dev/null && break
    sleep 0.1
done
sleep 0.3
kill -INT $pid
wait $pid
rc=$?
nfin=$(grep -c ': ok ' "$T/int/run.log")
check "interrupted run exits 130 (got $rc)" test $rc -eq 130
check "the cells finished before it are kept ($nfin)" test "$(grep -c ',ok$' "$T/int/cells.csv")" -eq "$nfin"
check "the running cell is recorded as interrupted" grep -q 'arena-.*,interrupted$' "$T/int/cells.csv"
check "no cell is in cells.csv that did not start" test "$(($(wc -l < "$T/int/cells.csv") - 1))" -eq $((nfin + 1))
check "the interrupted trial is not a trial" test "$(($(wc -l < "$T/int/trials.csv") - 1))" -eq "$nfin"
# This run's cells only: other runs on the machine may have arena cells too.
check "no cell process is left behind" test -z "$(pgrep -f "cell-glibc.*--strategy arena.*$T/int/")"
head -n $((nfin + 1)) "$T/int/trials.csv" > "$T/int.before"
$M run --resume "$T/int" >/dev/null 2>"$T/resume.err"
rc=$?
check "resume exits 0 (got $rc)" test $rc -eq 0
check "resume kept the finished trials as they were" \
    cmp -s "$T/int.before" <(head -n $((nfin + 1)) "$T/int/trials.csv")
check "resume said it kept them ($(head -2 "$T/resume.err"))" \
    sh -c '[ "$1" -eq 0 ] || grep -q "$1 cells were already finished" "$2"' _ "$nfin" "$T/resume.err"
check "resume ran the missing cells" test "$(grep -c ',ok$' "$T/int/cells.csv")" -eq 3

summary cli
