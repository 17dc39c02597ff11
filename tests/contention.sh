#!/bin/bash
# tests/contention.sh -- trials that shared their CPU with another program
# (contended) are recorded, left out of the statistics and of compare, and
# replaced by a retry while --retries last; --retries 0; an older run's
# trials.csv, without the column, resumes with its trials counted clean.
# Prints "contention: N passed, N failed".
#
# The other suites run with MEMSTRAT_CONTENTION=off (run.sh, lib.sh): they
# count trials, and this machine's neighbours would make some contended.
set -u
. "$(dirname "$0")/lib.sh"
unset MEMSTRAT_CONTENTION
spinner=
cleanup() { [ -n "$spinner" ] && kill "$spinner" 2>/dev/null; }
# rows CSV CELL [COLUMN VALUE]: the number of trials.csv rows of CELL (with
# COLUMN = VALUE).
rows() {
    awk -F, -v id="$2" -v c="${3:-}" -v v="${4:-}" '
        NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
        $2 == id && (c == "" || $k[c] == v) { n++ } END { print n + 0 }' "$1"
}
# The median of column ns_median over the clean trials of CELL, as cells.csv
# prints it.
clean_median() {
    awk -F, -v id="$2" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
        $2 == id && $k["contended"] == 0 { print $k["ns_median"] }' "$1" | sort -g |
        awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                                  printf "%.4f", m }'
}
SMALL="--workload tuple_create --size 1000 --reps 2 --min-time 0.02"
a=tuple_create-arena-glibc-1000-w0-k3

# ---- every trial contended (the test hook: a child spins on the cell's CPU)
MEMSTRAT_FAULT=contend:arena $M run --strategy refcount,arena --backend glibc $SMALL --trials 3 \
    --out "$T/h" >/dev/null 2>"$T/h.err"
rc=$?
check "a run whose arena trials all share their CPU exits 0 (got $rc: $(tail -1 "$T/h.err"))" \
    test $rc -eq 0
check "each contended trial is retried, up to --retries 2: 5 trials" test "$(rows "$T/h/trials.csv" $a)" -eq 5
check "... all marked contended" test "$(rows "$T/h/trials.csv" $a contended 1)" -eq 5
share=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next } $2 == id { print $k["cpu_share"] }' \
    id=$a "$T/h/trials.csv" | sort -g | tail -1)
check "... with a CPU share well below 1 (at most $share)" awk -v s="$share" 'BEGIN { exit !(s < 0.8) }'
check "cells.csv counts them in contended (5)" test "$(col "$T/h/cells.csv" contended $a)" = 5
check "... and says the cell is 3 clean trials short" test "$(col "$T/h/cells.csv" trials_short $a)" = 3
check "... and keeps them rather than nothing (trials 5)" test "$(col "$T/h/cells.csv" trials $a)" = 5
check "meta.json records the rule and the retries" \
    grep -q '"contention_rule": "contended when .*less than 0\.[0-9]* of its wall time' "$T/h/meta.json"
check "meta.json: retries 2" grep -q '"retries": 2,' "$T/h/meta.json"
check "the run's summary counts the contended trials" grep -q '[1-9][0-9]* contended trials left out' "$T/h.err"
check "... and names the cells short of clean trials" grep -q 'fewer clean trials than 3' "$T/h.err"
check "run.log says which trial was left out" grep -q "^$a trial 4: ok .*contended, left out" "$T/h/run.log"
out=$($M compare "$T/h" "$T/h" --csv)
check "compare: no clean trial on a side is 'too few trials', noted short" \
    grep -q "^$a,.*,too few trials,.*short of clean trials" <<<"$out"

MEMSTRAT_FAULT=contend:arena $M run --strategy arena --backend glibc $SMALL --trials 3 --retries 0 \
    --out "$T/r0" >/dev/null 2>&1
check "--retries 0: no retry (3 trials)" test "$(rows "$T/r0/trials.csv" $a)" -eq 3
check "--retries 0: the cell is 3 short" test "$(col "$T/r0/cells.csv" trials_short $a)" = 3
check "--retries 0 is kept for --resume" grep -qx -- '--retries' "$T/r0/matrix.args"
err=$($M run --strategy arena --backend glibc $SMALL --retries x --out "$T/never" 2>&1); rc=$?
check "a bad --retries is refused in one line (exit 2, got $rc)" \
    test $rc -eq 2 -a "$(wc -l <<<"$err")" -eq 1 -a -n "$(grep -F "bad retries 'x'" <<<"$err")"

# ---- an older run, without the columns, resumes ---------------------------
# MEMSTRAT_CONTENTION=off: no new trial is judged contended, whatever this
# machine's neighbours do, so that the counts below are exact.
MEMSTRAT_CONTENTION=off $M run --strategy refcount,arena --backend glibc $SMALL --trials 3 \
    --out "$T/old" >/dev/null 2>&1
cp -r "$T/old" "$T/mix"
for f in trials cells; do
    awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) drop[i] = $i ~ /^(contended|trials_short|cpu_share|nivcsw_per_s)$/ }
        { s = ""; for (i = 1; i <= NF; i++) if (!drop[i]) s = s (s == "" ? "" : ",") $i; print s }' \
        "$T/old/$f.csv" > "$T/old/$f.tmp" && mv "$T/old/$f.tmp" "$T/old/$f.csv"
done
sed -i '$d' "$T/old/trials.csv"
check "the old run has no contended column" test -z "$(head -1 "$T/old/trials.csv" | grep contended)"
MEMSTRAT_CONTENTION=off $M run --resume "$T/old" >/dev/null 2>"$T/old.err"; rc=$?
check "an older trials.csv resumes (rc $rc: $(tail -1 "$T/old.err"))" test $rc -eq 0
check "... gets this build's header" grep -q '^trial,cell,.*,contended,' "$T/old/trials.csv"
check "... and its one missing trial, no more (6 trials)" test "$(sed 1d "$T/old/trials.csv" | wc -l)" -eq 6
check "... its old trials count as clean" \
    test "$(col "$T/old/cells.csv" trials $a),$(col "$T/old/cells.csv" contended $a)" = "3,0"
check "MEMSTRAT_CONTENTION=off is recorded as the rule" grep -q '"contention_rule": "off' "$T/old/meta.json"

# ---- one contended trial among clean ones: left out, and replaced ---------
# The arena cell's trial 2 shared its CPU (and measured 100x): --resume
# judges the cell one clean trial short and runs it.
awk -F, -v OFS=, -v id=$a 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i }
    NR > 1 && $2 == id && $1 == 2 { $k["contended"] = 1; $k["ns_median"] *= 100 } { print }' \
    "$T/mix/trials.csv" > "$T/mix/t.tmp" && mv "$T/mix/t.tmp" "$T/mix/trials.csv"
MEMSTRAT_CONTENTION=off $M run --resume "$T/mix" >/dev/null 2>"$T/mix.err"; rc=$?
check "a run with a contended trial resumes (rc $rc: $(tail -1 "$T/mix.err"))" test $rc -eq 0
check "the contended trial is replaced by one more (4 trials, 3 clean)" \
    test "$(rows "$T/mix/trials.csv" $a),$(rows "$T/mix/trials.csv" $a contended 0)" = "4,3"
check "the other cell runs nothing more" test "$(sed 1d "$T/mix/trials.csv" | wc -l)" -eq 7
check "cells.csv: trials 3, contended 1, none short" test \
    "$(col "$T/mix/cells.csv" trials $a),$(col "$T/mix/cells.csv" contended $a),$(col "$T/mix/cells.csv" trials_short $a)" \
    = "3,1,0"
check "the median is over the clean trials only" \
    test "$(col "$T/mix/cells.csv" ns_median $a)" = "$(clean_median "$T/mix/trials.csv" $a)"
# compare leaves the contended trials out too: make them 100x slower still.
mkdir -p "$T/mix100" && cp "$T/mix/cells.csv" "$T/mix100/"
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i }
    NR > 1 && $k["contended"] == 1 { $k["ns_median"] *= 100 } { print }' \
    "$T/mix/trials.csv" > "$T/mix100/trials.csv"
check "compare ignores contended trials (ratio 1, same)" test "$($M compare "$T/mix" "$T/mix100" --csv |
    awk -F, -v id=$a '$1 == id { print $6, $10 }')" = "1.0000 same"

# ---- a real competitor on the trials' CPU, for the first trial ------------
# The neighbours may contend the later trials too: what must hold is that
# the first is contended and the accounts agree.
if [ "$(nproc)" -gt 1 ] && command -v taskset >/dev/null; then
    cpu=$(( $(nproc) - 1 ))
    taskset -c $cpu sh -c 'while :; do :; done' &
    spinner=$!
    $M run --strategy arena --backend glibc $SMALL --trials 3 --retries 3 --pin $cpu \
        --out "$T/m" >/dev/null 2>"$T/m.err" &
    pid=$!
    for _ in $(seq 600); do
        [ "$(sed 1d "$T/m/trials.csv" 2>/dev/null | wc -l)" -ge 1 ] && break
        sleep 0.02
    done
    kill $spinner; wait $spinner 2>/dev/null; spinner=
    wait $pid; rc=$?
    n=$(rows "$T/m/trials.csv" $a) clean=$(rows "$T/m/trials.csv" $a contended 0)
    check "with a competitor: the run exits 0 (got $rc: $(tail -1 "$T/m.err"))" test $rc -eq 0
    check "the trial that shared its CPU is contended" \
        test "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next } $1 == 1 { print $k["contended"] }' \
                "$T/m/trials.csv")" = 1
    check "retried until 3 clean trials or 3 retries ($clean clean of $n)" \
        test "$clean" -eq 3 -o "$n" -eq 6
    short=$(( clean < 3 ? 3 - clean : 0 ))
    check "cells.csv: contended $((n - clean)), $short short" test \
        "$(col "$T/m/cells.csv" contended $a),$(col "$T/m/cells.csv" trials_short $a)" = "$((n - clean)),$short"
else
    skip "one CPU or no taskset: no competitor to pin beside the cells"
fi

summary contention
