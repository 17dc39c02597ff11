#!/bin/bash
# tests/safety.sh -- no result is ever lost: two runners at once, a full
# disk (a real, small tmpfs), damaged files.  Prints "safety: N passed, N
# failed, N skipped".
set -u
. "$(dirname "$0")/lib.sh"
cleanup() { kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; umount "$T/disk" 2>/dev/null; }
rows() { echo $(($(wc -l < "$1") - 1)); }
MATRIX="--strategy refcount,arena,pool --backend glibc,mimalloc --workload tuple_create,list_append
        --size 1000 --reps 1 --min-time 0.001 --trials 2"

# ---- two runners started together on one directory ---------------------------
$M run $MATRIX --out "$T/two" >/dev/null 2>"$T/two1.err" & p1=$!
$M run $MATRIX --out "$T/two" >/dev/null 2>"$T/two2.err" & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
check "one of two runners on one directory runs, the other refuses (rc $r1 and $r2)" \
    test "$(printf '%s\n' $r1 $r2 | sort | tr '\n' ' ')" = "0 2 "
check "the refusal is one line naming the other runner or the run it holds" \
    sh -c 'grep -hq "in use by another memstrat run (\(pid [0-9]*\|it is starting\))\|already holds a run" "$1" "$2"' _ "$T/two1.err" "$T/two2.err"
check "every cell of the run that ran is in its cells.csv (12)" \
    test "$(grep -c ',ok$' "$T/two/cells.csv")" -eq 12
check "every trial is in trials.csv (24)" test "$(rows "$T/two/trials.csv")" -eq 24

# ---- a full disk ------------------------------------------------------------
mkdir -p "$T/disk"
if mount -t tmpfs -o size=160k tmpfs "$T/disk" 2>/dev/null; then
    $M run $MATRIX --out "$T/disk/run" >/dev/null 2>"$T/disk.err"; rc=$?
    check "a full disk stops the run with its own status, 7 (got $rc)" test $rc -eq 7
    check "one line says what failed, what is safe and how to go on ($(tail -1 "$T/disk.err"))" \
        grep -q "stopped: cannot write to $T/disk/run: No space left on device; [0-9]* finished cells and every finished trial are safe there; free space, then: memstrat run --resume $T/disk/run" "$T/disk.err"
    check "it says so once" test "$(grep -c 'No space left' "$T/disk.err")" -eq 1
    check "no trial is recorded as failed for want of space" \
        test -z "$(grep -v ',ok$' "$T/disk/run/trials.csv" | sed 1d)"
    n=$(rows "$T/disk/run/trials.csv")
    check "trials.csv holds only whole trials ($n)" \
        awk -F, 'NR == 1 { w = NF } NR > 1 && NF != w { bad = 1 } END { exit bad }' "$T/disk/run/trials.csv"
    cp "$T/disk/run/trials.csv" "$T/disk.trials"
    mount -o remount,size=64m "$T/disk"
    $M run --resume "$T/disk/run" >/dev/null 2>"$T/disk2.err"; rc=$?
    check "with space again, --resume finishes the run (rc $rc: $(tail -1 "$T/disk2.err"))" test $rc -eq 0
    check "... keeping the trials it had" cmp -s "$T/disk.trials" <(head -n $((n + 1)) "$T/disk/run/trials.csv")
    check "... and every cell ok" test "$(grep -c ',ok$' "$T/disk/run/cells.csv")" -eq 12
    umount "$T/disk"
else
    echo "SKIP: cannot mount a tmpfs here (not root, or no permission): the full-disk tests"
    skipped=$((skipped + 7))
fi

# ---- damaged files ------------------------------------------------------------
$M run $MATRIX --out "$T/dmg" >/dev/null 2>&1
cp "$T/dmg/trials.csv" "$T/dmg.trials"
head -c -40 "$T/dmg.trials" > "$T/dmg/trials.csv"          # the last trial cut short,
printf "garbage,line\n" >> "$T/dmg/trials.csv"           # garbage run on: one damaged line
err=$($M run --resume "$T/dmg" 2>&1 >/dev/null); rc=$?
check "--resume on a damaged trials.csv refuses (exit 2, got $rc)" test $rc -eq 2
check "... and offers --repair ($err)" grep -q 'damaged; add --repair' <<<"$err"
check "... touching nothing" cmp -s "$T/dmg/trials.csv" <(head -c -40 "$T/dmg.trials"; printf 'garbage,line\n')
$M run --resume "$T/dmg" --repair >/dev/null 2>"$T/dmg.err"; rc=$?
check "--repair recovers the whole trials, reruns the lost one (rc $rc)" test $rc -eq 0
check "... says how many it recovered" grep -q 'repaired .*: 23 trials recovered, 1 damaged lines left out' "$T/dmg.err"
check "... keeps the damaged file beside" test -n "$(ls "$T/dmg/" | grep 'trials.csv.damaged-')"
check "... and ends with every trial (24) and every cell ok" \
    test "$(rows "$T/dmg/trials.csv")" -eq 24 -a "$(grep -c ',ok$' "$T/dmg/cells.csv")" -eq 12
check "... the 23 whole trials as they were" \
    cmp -s <(sed 1d "$T/dmg.trials" | head -n 23) <(sed 1d "$T/dmg/trials.csv" | head -n 23)
head -c 300 "$T/dmg/cells.csv" > "$T/dmg/cells.tmp" && mv "$T/dmg/cells.tmp" "$T/dmg/cells.csv"
err=$($M run --resume "$T/dmg" 2>&1 >/dev/null); rc=$?
check "--resume on a truncated cells.csv offers --repair (rc $rc)" test $rc -eq 2 -a -n "$(grep 'add --repair' <<<"$err")"
cp "$T/dmg/cells.csv" "$T/dmg.cells"
head -1 "$T/dmg.cells" | cut -d, -f1-12 | tr -d '\n' > "$T/dmg/cells.csv"
err=$($M run --resume "$T/dmg" 2>&1 >/dev/null); rc=$?
check "--resume on a cells.csv cut after a whole column name offers --repair (rc $rc)" \
    test $rc -eq 2 -a -n "$(grep 'header cut short.*add --repair' <<<"$err")"
cp "$T/dmg.cells" "$T/dmg/cells.csv"
$M run --resume "$T/dmg" --repair >/dev/null 2>"$T/dmg2.err"; rc=$?
check "--repair rebuilds cells.csv from the trials (rc $rc)" test $rc -eq 0 -a "$(grep -c ',ok$' "$T/dmg/cells.csv")" -eq 12
check "... and keeps the truncated one beside" test -n "$(ls "$T/dmg/" | grep 'cells.csv.damaged-')"

summary safety
