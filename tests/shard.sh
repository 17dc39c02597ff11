#!/bin/bash
# tests/shard.sh -- `memstrat run --shard K/N` and `memstrat merge`, without
# Slurm: shards are disjoint, complete, deterministic and balanced; merge
# rebuilds one run from shards (statistics from the trials), marks what no
# shard holds `missing`, refuses what must not be merged, and makes hosts a
# dimension.  Prints "shard: N passed, N failed".
set -u
B=${B:-build}
M=$B/memstrat
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok()    { pass=$((pass + 1)); }
bad()   { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
# The cells of a matrix (--dry-run), sorted; the estimate of a shard.
cells()    { $M run "$@" --dry-run | grep -v ' cells x \|^shard ' | sed 's/  (n\/a.*//' | sort; }
estimate() { $M run "$@" --dry-run | sed -n 's/^shard .*: estimated \(.*\) s$/\1/p'; }
ids()      { awk -F, 'NR > 1 { print $1 }' "$1" | sort; }
# Value of column $2 for cell $3 (and host $4, if given) in cells.csv $1.
col() {
    awk -F, -v c="$2" -v id="$3" -v h="${4:-}" 'NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
        $1 == id && (h == "" || $k["host"] == h) { print $k[c]; exit }' "$1"
}

# ---- shard: bad specs ------------------------------------------------------------
for spec in 0/3 4/3 x/y 1/ 3 1/0 -1/3 2/3x; do
    $M run --dry-run --shard "$spec" > /dev/null 2> "$T/err"
    rc=$?
    check "--shard $spec exits 2 (got $rc)" test $rc -eq 2
    check "--shard $spec names the value and the form" grep -q "bad shard '$spec'.*K/N" "$T/err"
done

# ---- shard: disjoint, complete, balanced, deterministic ----------------------------
BIG="--size 1e3..1e6x10 --heap-factor 1.25,1.5,2,3,4 --trials 10"
for n in 3 8; do
    cells $BIG > "$T/all.txt"
    : > "$T/union.txt"
    for k in $(seq 1 $n); do cells $BIG --shard $k/$n >> "$T/union.txt"; done
    check "$n shards: every cell in exactly one" cmp -s "$T/all.txt" <(sort "$T/union.txt")
    est=$(for k in $(seq 1 $n); do estimate $BIG --shard $k/$n; done | tr '\n' ' ')
    check "$n shards: each within 2x of the mean estimate ($est)" \
        awk -v e="$est" 'BEGIN { n = split(e, v, " "); for (i = 1; i <= n; i++) s += v[i]; m = s / n
            for (i = 1; i <= n; i++) if (v[i] > 2 * m || v[i] < m / 2) exit 1 }'
done
check "the split depends on the matrix alone, not the seed" \
    cmp -s <(cells $BIG --shard 2/8 --seed 1) <(cells $BIG --shard 2/8 --seed 99)
check "--shard 1/1 is the whole matrix" cmp -s <(cells $BIG --shard 1/1) "$T/all.txt"

# ---- merge: three shards of a small matrix ------------------------------------------
Q="--strategy refcount,floor,boehm,pool --backend glibc,mimalloc --workload list_append,cycles --size 1e3
   --trials 2 --reps 1 --min-time 0.001 --seed 7"
for k in 1 2 3; do $M run $Q --shard $k/3 --out "$T/s$k" > /dev/null 2>&1; done
check "a shard's meta.json records it" grep -q '"shard": "2/3"' "$T/s2/meta.json"
check "a shard's matrix.args keeps --shard (so --resume keeps it)" grep -qx -- --shard "$T/s2/matrix.args"
check "every trial row names its host" \
    test -z "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "host") h = i; next } $h == "" { print }' "$T/s1/trials.csv")"
# A cell's statistics come from the trials: a cells.csv tampered with is not copied.
one=$(awk -F, 'NR > 1 && $NF == "ok" { print $1; exit }' "$T/s1/cells.csv")
want=$(col "$T/s1/cells.csv" ns_median "$one")
sed -i "s/^$one,\(.*\),$want,/$one,\1,999999,/" "$T/s1/cells.csv"
$M merge "$T/m" "$T/s1" "$T/s2" "$T/s3" > "$T/out" 2> "$T/err"
rc=$?
check "merge of three shards exits 0 (got $rc: $(cat "$T/err"))" test $rc -eq 0
check "merge prints the merged directory" grep -qx "$T/m" "$T/out"
check "the merged cells are exactly the unsharded matrix's, each once" cmp -s <(cells $Q) <(ids "$T/m/cells.csv")
check "a merged cell's median is computed from its trials ($want), not copied" \
    test "$(col "$T/m/cells.csv" ns_median "$one")" = "$want"
check "the merged trials.csv holds every shard's trials" \
    test "$(($(wc -l < "$T/s1/trials.csv") + $(wc -l < "$T/s2/trials.csv") + $(wc -l < "$T/s3/trials.csv") - 2))" \
         -eq "$(wc -l < "$T/m/trials.csv")"
for sub in raw logs timeline latency; do
    check "$sub/ of every shard is merged" \
        test "$(find "$T/m/$sub" -type f | wc -l)" -eq "$(find "$T"/s[123]/$sub -type f | wc -l)"
done
check "the merged files are the shards' (hard links)" cmp -s "$T/m/logs/$one.t1.log" "$T/s1/logs/$one.t1.log"
check "meta.json lists every shard" test "$(grep -c '"dir": .*"shard": "[123]/3"' "$T/m/meta.json")" -eq 3
check "results/latest (here: the parent's latest) points at the merge" test "$(readlink "$T/latest")" = m

# ---- merge: a missing shard, refusals ------------------------------------------------
$M merge "$T/m2" "$T/s1" "$T/s3" > /dev/null 2> "$T/err"
rc=$?
check "merge without a shard exits 8 (got $rc)" test $rc -eq 8
check "the absent shard's cells are 'missing', and only they" \
    cmp -s <(cells $Q --shard 2/3) <(awk -F, '$NF == "missing" { print $1 }' "$T/m2/cells.csv" | sort)
cp -r "$T/s2" "$T/s2c" && sed -i 's/"memstrat_commit": "[^"]*"/"memstrat_commit": "0123abc"/' "$T/s2c/meta.json"
cp -r "$T/s2" "$T/s2g" && sed -i 's/"compiler": "[^"]*"/"compiler": "clang 99"/' "$T/s2g/meta.json"
$M run --strategy refcount --backend glibc --workload cycles --size 1e4 --trials 1 --reps 1 --out "$T/other" > /dev/null 2>&1
for bad in "s2c:commits" "s2g:compilers" "other:matrices"; do
    $M merge "$T/x" "$T/s1" "$T/${bad%%:*}" > /dev/null 2> "$T/err"
    rc=$?
    check "runs of different ${bad#*:} are refused with exit 2 (got $rc)" test $rc -eq 2
    check "the refusal is one line naming the difference (${bad#*:})" \
        test "$(wc -l < "$T/err")" -eq 1 -a "$(grep -c "different ${bad#*:}" "$T/err")" -eq 1
done
$M merge "$T/x" "$T/s1" "$T/s2c" "$T/s3" --allow-mixed > /dev/null 2>&1
check "--allow-mixed merges runs of different commits" test $? -eq 0
$M merge "$T/y" "$T/s1" "$T/s1" > /dev/null 2> "$T/err"
rc=$?
check "one cell twice from one host is an error (exit 2, got $rc)" test $rc -eq 2 -a -n "$(grep 'from one host' "$T/err")"
$M merge "$T/s2" "$T/s1" > /dev/null 2>&1
check "merge never writes over a run of its own" test $? -eq 2
$M merge "$T/m" "$T/s1" "$T/s2" "$T/s3" > /dev/null 2>&1
check "a merge can be made again into its own directory (a resubmitted shard)" test $? -eq 0

# ---- merge: hosts as a dimension ---------------------------------------------------
$M run $Q --out "$T/h1" > /dev/null 2>&1
host=$(sed -n 's/^  "host": "\(.*\)",$/\1/p' "$T/h1/meta.json")
cp -r "$T/h1" "$T/h2"
sed -i "s/^  \"host\": \"$host\",/  \"host\": \"elsewhere\",/" "$T/h2/meta.json"
sed -i "s/,$host,\([^,]*\)$/,elsewhere,\1/" "$T/h2/trials.csv" "$T/h2/cells.csv"
$M merge "$T/hm" "$T/h1" "$T/h2" > /dev/null 2> "$T/err"
rc=$?
check "two hosts' whole runs merge (got $rc: $(cat "$T/err"))" test $rc -eq 0
check "hosts are a dimension: each cell once per host" \
    test "$(awk -F, 'NR > 1' "$T/hm/cells.csv" | wc -l)" -eq $((2 * $(cells $Q | wc -l)))
check "meta.json says split hosts, and both hosts" \
    grep -q "\"split\": \"hosts\"" "$T/hm/meta.json" -a -n "$(grep "\"hosts\": \[\"$host\", \"elsewhere\"\]" "$T/hm/meta.json")"
check "hosts.csv: every cell over the first host" \
    test "$(awk -F, 'NR == 1 { print $3 "," $4 }' "$T/hm/hosts.csv")" = "$host,elsewhere"
check "a second host's files keep their names under raw/HOST/" test -s "$T/hm/raw/elsewhere/$one.t1.json"
$M compare "$T/hm" --a host="$host" --b host=elsewhere > "$T/cmp" 2>&1
rc=$?
check "compare RUN --a host=X --b host=Y compares machines (got $rc)" \
    test $rc -eq 0 -a -n "$(grep -E '^ *list_append +[0-9]+ +1\.000' "$T/cmp")"

# ---- make bench-slurm's own checks, before anything is submitted -------------------
for v in "SHARDS=0" "SHARDS=x" "SHARDS=2 SPLIT=nodes" "RESUME=$T/m"; do
    env $v OUT="$T/sub" sh harness/slurm/submit.sh --trials 1 > /dev/null 2> "$T/err"
    rc=$?
    check "bench-slurm $v exits 2 with one line (got $rc: $(cat "$T/err"))" \
        test $rc -eq 2 -a "$(wc -l < "$T/err")" -eq 1 -a ! -e "$T/sub/slurm.env"
done

echo "shard: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
