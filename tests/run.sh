#!/bin/sh
# tests/run.sh -- the whole suite, as `make test` runs it:
#   1. unit tests of the object model, strategies, workloads and guard, on each
#      backend, and the workloads whose objects cross threads on 1..4 threads;
#      the Google Benchmark shim; option parsing;
#   2. the same under AddressSanitizer + UBSan (leaks included), and the
#      threaded strategies' and workloads' tests under ThreadSanitizer;
#   3. every strategy x workload at small N under valgrind memcheck;
#   4. memstrat from the command line (tests/cli.sh), its trials and compare
#      (tests/trials.sh), trials that shared their CPU (tests/contention.sh),
#      its promise to lose no result (tests/safety.sh), shards and merge
#      (tests/shard.sh), and make bench-slurm on a one-node Slurm cluster
#      (tests/slurm.sh);
#   5. charts and report from a fixture run, and make bench QUICK=1 (tests/plots.sh).
# Prints each suite's count and, last, the total "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
BACKENDS=$(cd build && ls cell-* | sed 's/^cell-//')
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
passed=0 failed=0 skipped=0

# run NAME CMD...: run a suite, print its summary, add its counts.
run() {
    name=$1; shift
    "$@" > "$LOG" 2>&1
    rc=$?
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$LOG" | tail -1)
    p=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed.*/\2/')
    f=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) failed.*/\2/')
    k=$(echo "$line" | sed -n -E 's/.* ([0-9]+) skipped.*/\1/p')
    [ -n "$line" ] || { p=0; f=1; }
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi     # a crash is a failure
    if [ "$f" -ne 0 ]; then
        grep -E 'FAIL|ERROR|error|Sanitizer' "$LOG" | head -20
        tail -5 "$LOG"
    fi
    echo "$name: $p passed, $f failed${k:+, $k skipped}"
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${k:-0}))
}

for b in $BACKENDS; do
    run "core/$b" build/test-core-$b
    run "threads/$b" build/test-threads-$b
    run "workloads mt/$b" build/test-workloads-mt-$b
done
run "gbench shim" build/test-gbench
run "options" build/test-options
run "stats" build/test-stats

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for b in $BACKENDS; do
    run "asan core/$b" build/asan/test-core-$b
    run "asan threads/$b" build/asan/test-threads-$b
    run "asan workloads mt/$b" build/asan/test-workloads-mt-$b
done
run "asan gbench shim" build/asan/test-gbench
run "asan options" build/asan/test-options
run "asan stats" build/asan/test-stats
# Under ASan the runner works end to end, and the cells refuse to measure:
# malloc is ASan's, and the guard must say so.  (No --mem-limit: ASan
# reserves terabytes of shadow memory, which RLIMIT_DATA forbids.)
run "asan cli" env B=build/asan sh -c 'M=build/asan/memstrat;
    $M list >/dev/null && $M growth --max 1e6 | diff -q - tests/data/cpython-3.11-list-growth.txt &&
    $M run --size 1e3..1e6x10 --dry-run >/dev/null && { $M run --strategy nope 2>/dev/null; [ $? -eq 2 ]; } &&
    d=$(mktemp -d) && { $M run --strategy pool --backend mimalloc --workload list_append --size 1000 --reps 1 --mem-limit 0 --out $d/r 2>/dev/null; [ $? -eq 65 ]; } &&
    grep -q "failed: guard: backend mimalloc requested but malloc() comes from .*libasan" $d/r/cells.csv &&
    rm -rf $d && echo "1 passed, 0 failed"'
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

# The threaded strategies and workloads under ThreadSanitizer (make tsan):
# any data race fails the run.  No suppressions: none has been needed.
run "tsan threads" env TSAN_OPTIONS="halt_on_error=1 exitcode=66" build/tsan/test-threads-glibc
run "tsan workloads mt" env TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
    build/tsan/test-workloads-mt-glibc --quick

if command -v valgrind >/dev/null; then
    run "valgrind memcheck" env MEMSTRAT_EXPECT_INTERPOSED=1 valgrind -q \
        --suppressions=tests/valgrind.supp --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite build/test-core-glibc --quick
else
    echo "valgrind: not installed (make deps installs it)"; failed=$((failed + 1))
fi

# The suites count trials; contended ones (a neighbour on the cells' CPU)
# would be retried: tests/contention.sh tests that on its own.
export MEMSTRAT_CONTENTION=off
run "cli" bash tests/cli.sh
run "trials and compare" bash tests/trials.sh
run "contention" bash tests/contention.sh
run "no result lost" bash tests/safety.sh
run "machine and allocator" bash tests/machine.sh
run "shard and merge" bash tests/shard.sh
run "slurm" bash tests/slurm.sh
run "plots and report" bash tests/plots.sh

if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
