# tests/lib.sh -- what the shell suites share, sourced by each: the binaries,
# a temporary directory removed at exit (after the suite's own `cleanup`, if
# it defines one), and the counting.  `summary NAME` prints the suite's
# "NAME: N passed, N failed, N skipped" and gives its exit status.
B=${B:-build}
# The suites count trials: on this shared machine a neighbour would make some
# contended and retried.  tests/contention.sh tests that, and unsets this.
export MEMSTRAT_CONTENTION=off
M=$B/memstrat
T=$(mktemp -d)
pass=0 fail=0 skipped=0
on_exit() {
    command -v cleanup >/dev/null 2>&1 && cleanup
    rm -rf "$T"
}
trap on_exit EXIT

ok()    { pass=$((pass + 1)); }
bad()   { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
skip()  { skipped=$((skipped + 1)); echo "SKIP: $*"; }
# col CSV COLUMN CELL: the value of COLUMN in the first row whose cell id
# contains CELL.
col() {
    awk -F, -v c="$2" -v id="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
        index($1, id) { print $k; exit }' "$1"
}
summary() {
    echo "$1: $pass passed, $fail failed, $skipped skipped"
    [ "$fail" -eq 0 ]
}
