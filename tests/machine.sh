#!/bin/bash
# tests/machine.sh -- what the machine and the allocator do to the numbers:
# `memstrat system`, fault_share, allocator options as backend variants (set,
# read back, recorded), and stray allocator settings in the environment.
# Prints "machine: N passed, N failed".
set -u
. "$(dirname "$0")/lib.sh"
SMALL="--workload list_append --size 1e4 --reps 1 --min-time 0.001 --trials 1"

# ---- memstrat system ----------------------------------------------------------
out=$($M system); rc=$?
check "memstrat system exits 0" test $rc -eq 0
for k in cpu_model cpus governor boost smt aslr thp_enabled thp_defrag kernel virtual_machine \
         steal load memory_available_kb swap_used_kb fault_ns retouch_ns clock_ns cpu_speed_ms; do
    check "system shows $k" grep -q "^$k " <<<"$out"
done
json=$($M system --json)
if command -v python3 >/dev/null; then
    check "system --json parses" python3 -c 'import json, sys; json.loads(sys.stdin.read())' <<<"$json"
fi
fault=$(sed -n 's/^  "fault_ns": \([0-9.]*\),*$/\1/p' <<<"$json")
check "the fault calibration is finite and positive ($fault ns)" \
    awk -v f="$fault" 'BEGIN { exit !(f + 0 > 0 && f + 0 < 1e7) }'
check "system --json gives advice as a list" grep -q '"advice": \[' <<<"$json"
err=$($M system --bogus 2>&1); rc=$?
check "system with a bad option exits 2 naming it" test $rc -eq 2 -a -n "$(grep -F "'--bogus'" <<<"$err")"

# ---- variants: parsing ------------------------------------------------------------
badvar() {
    local want=$1 spec=$2
    local err; err=$($M run --backend "$spec" --out "$T/never" 2>&1 >/dev/null); local rc=$?
    check "--backend '$spec' exits 2 (got $rc)" test $rc -eq 2
    check "--backend '$spec' says one line with '$want' ($err)" \
        test "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep -F -- "$want" <<<"$err")"
    check "--backend '$spec' wrote nothing" test ! -e "$T/never"
}
badvar "unknown mimalloc option 'purge' (valid: decommit_delay (or reset_delay), segment_decommit_delay" 'mimalloc@purge=1'
badvar "bad value '1e4' for mimalloc option decommit_delay: expected a whole number (digits, a sign)" 'mimalloc@reset_delay=1e4'
badvar "bad value 'soon' for mimalloc option decommit_delay: expected a whole number" 'mimalloc@reset_delay=soon'
badvar "bad value '-5' for jemalloc option oversize_threshold: expected a byte count" 'jemalloc@oversize_threshold=-5'
badvar "bad value '2' for tcmalloc option aggressive_decommit: expected 0 or 1" 'tcmalloc@aggressive_decommit=2'
badvar "'decay' is not OPTION=VALUE" 'jemalloc@decay'
badvar "bad backend variant 'glibc@': expected glibc@OPTION=VALUE" 'glibc@'
badvar "unknown backend 'hoard' (valid: " 'hoard@x=1'
badvar "jemalloc option dirty_decay_ms given twice" 'jemalloc@dirty_decay_ms=1@dirty_decay_ms=2'

# ---- variants: set, read back, recorded -----------------------------------------------
$M run --strategy refcount --backend 'glibc,mimalloc@reset_delay=10000,jemalloc@dirty_decay_ms=-1@muzzy_decay_ms=-1,tcmalloc@aggressive_decommit=1,glibc@mmap_threshold=1048576' \
    $SMALL --out "$T/v" >/dev/null 2>"$T/v.err"; rc=$?
check "a run over five variants exits 0 (rc $rc: $(tail -1 "$T/v.err"))" test $rc -eq 0
m="list_append-refcount-mimalloc@reset_delay=10000-10000-cpython"
check "the variant is the cell's id and backend" test "$(col "$T/v/cells.csv" backend "$m")" = "mimalloc@reset_delay=10000"
check "mimalloc read back: decommit_delay=10000 ($(col "$T/v/cells.csv" backend_options "$m"))" \
    grep -q 'decommit_delay=10000;' <<<"$(col "$T/v/cells.csv" backend_options "$m")"
j="list_append-refcount-jemalloc@dirty_decay_ms=-1@muzzy_decay_ms=-1-10000-cpython"
check "jemalloc read back from mallctl: both decays -1" \
    grep -q '^dirty_decay_ms=-1;muzzy_decay_ms=-1;' <<<"$(col "$T/v/cells.csv" backend_options "$j")"
check "tcmalloc read back: aggressive_decommit=1" \
    grep -q 'aggressive_decommit=1' <<<"$(col "$T/v/cells.csv" backend_options list_append-refcount-tcmalloc@aggressive_decommit=1-10000-cpython)"
check "glibc cannot be asked: set, not verifiable" \
    grep -q 'mmap_threshold=1048576 (set; not verifiable)' <<<"$(col "$T/v/cells.csv" backend_options list_append-refcount-glibc@mmap_threshold=1048576-10000-cpython)"
check "defaults are recorded too (plain jemalloc's decay)" \
    grep -q '^dirty_decay_ms=' <<<"$($M run --strategy refcount --backend jemalloc $SMALL --out "$T/vj" >/dev/null 2>&1; col "$T/vj/cells.csv" backend_options list_append-refcount-jemalloc-10000-cpython)"
check "backend_options holds no comma (charts split on them)" \
    test "$(awk -F, 'NR == 1 { n = NF } NR > 1 && NF != n' "$T/v/cells.csv" | wc -l)" -eq 0
$M run --strategy refcount --backend 'glibc@mmap_threshold=0' $SMALL --out "$T/mm0" >/dev/null 2>&1
check "glibc with every block mmapped still passes its guard (mmap_threshold=0)" \
    grep -q ',ok$' "$T/mm0/cells.csv"
# A value that did not take fails the cell: the cell told to expect a
# setting nobody made.
$B/cell-mimalloc --workload list_append --strategy refcount --size 1000 --reps 1 --min-time 0.001 \
    --backend-options decommit_delay=12345 --result "$T/x.result" > "$T/x.log" 2>&1; rc=$?
check "a setting that did not take fails the cell (exit 5, got $rc)" test $rc -eq 5
check "... saying which ($(tail -1 "$T/x.log"))" \
    grep -q 'failed: mimalloc option decommit_delay is [0-9]*, not 12345: the setting did not take' "$T/x.log"
MALLOC_CONF=dirty_decay_ms:777 $B/cell-jemalloc --workload list_append --strategy refcount --size 1000 \
    --reps 1 --min-time 0.001 --backend-options dirty_decay_ms=777 --result "$T/y.result" >/dev/null 2>&1
check "jemalloc's MALLOC_CONF reaches the library and reads back" grep -q 'dirty_decay_ms=777;' "$T/y.result"

# ---- the knob chart: a sweep over one option --------------------------------
$M run --strategy refcount --backend 'mimalloc@reset_delay=0,mimalloc@reset_delay=1000' $SMALL \
    --out "$T/knob" >/dev/null 2>&1
sh plots/plot.sh "$T/knob" >/dev/null 2>&1
check "a sweep over one option draws the knob chart" test -s "$T/knob/charts/knob.png"
check "... its line has a point per value (0 and 1000)" \
    test "$(awk '/^"list_append refcount"/ { on = 1; next } on && NF == 3 { print $1 } on && NF == 0 { on = 0 }' "$T/knob/charts/knob.dat" | tr '\n' ' ')" = "0 1000 "

# ---- stray settings ----------------------------------------------------------------
MIMALLOC_VERBOSE=0 MALLOC_CONF=narenas:2 $M run --strategy refcount --backend glibc $SMALL \
    --out "$T/stray" >/dev/null 2>&1
check "allocator variables in the environment are in meta.json" \
    grep -q '"MIMALLOC_VERBOSE": "0"' "$T/stray/meta.json"
check "... MALLOC_CONF too" grep -q '"MALLOC_CONF": "narenas:2"' "$T/stray/meta.json"

# ---- fault_share ----------------------------------------------------------------------
$M run --strategy refcount,arena,cpython --backend glibc --workload list_append --size 1e5 --reps 1 \
    --min-time 0.001 --trials 2 --out "$T/f" >/dev/null 2>&1
check "meta.json has the run's fault calibration and steal" \
    grep -q '"fault_ns": [0-9]' "$T/f/meta.json" -a
check "... and the machine's description" grep -q '"system": {' "$T/f/meta.json"
shares=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next } $NF == "ok" { print $1, $(k["fault_share"]) }' "$T/f/cells.csv")
check "fault_share within [0, 1] where timed ($shares)" \
    awk '$1 !~ /-cpython-/ { if (!($2 >= 0 && $2 <= 1)) bad = 1; n++ } END { exit bad || n < 2 }' <<<"$shares"
check "fault_share is the median over the trials, not the first trial's" \
    test "$(awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
        $2 ~ /arena/ { print $(k["fault_share"]) }' "$T/f/trials.csv" |
        sort -g | awk '{ v[NR] = $1 } END { printf "%.4f", (v[1] + v[2]) / 2 }')" = \
         "$(col "$T/f/cells.csv" fault_share list_append-arena-glibc)"
check "fault_share is - where no timing of ours exists (cpython)" \
    awk '$1 ~ /-cpython-/ { seen = 1; if ($2 != "-") bad = 1 } END { exit bad || !seen }' <<<"$shares"

summary machine
