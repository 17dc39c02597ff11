#!/bin/sh
# harness/slurm/submit.sh RUN_OPTIONS... -- what `make bench-slurm` runs:
# one job array of SHARDS tasks (shard.sbatch, one shard per task, each on a
# node of its own) and a merge job that depends on it (merge.sbatch).
#
#   SHARDS=N  PARTITION=p  SPLIT=cells|hosts  WAIT=1  OUT=dir   (environment)
#   RESUME=results/<id>: resubmit only the shards that did not finish.
#
# Results go to OUT (default results/<UTC time>-slurm), which every node must
# see at the same path: the shared file system a cluster has.  The tasks run
# build/memstrat from this checkout, built once by make on the submit host.
set -u
cd "$(dirname "$0")/../.." || exit 2
die() { echo "bench-slurm: $*" >&2; exit 2; }
need_sbatch() {
    command -v sbatch >/dev/null ||
        die "no sbatch here: run on a Slurm cluster's login node (make deps installs slurm-client)"
}
if [ -n "${RESUME:-}" ]; then
    [ -f "$RESUME/slurm.env" ] || die "RESUME=$RESUME: not a bench-slurm run (no slurm.env there)"
    need_sbatch
    OUT=$(cd "$RESUME" && pwd)
    PART=${PARTITION:-}
    . "$OUT/slurm.env"
    PARTITION=${PART:-$PARTITION}
    tasks=""
    for K in $(seq 1 "$SHARDS"); do
        grep -q '"ended_utc": "2' "$OUT/shards/$K/meta.json" 2>/dev/null || tasks="$tasks${tasks:+,}$K"
    done
else
    case "${SHARDS:-}" in
        ''|*[!0-9]*|0) die "bad SHARDS '${SHARDS:-}': expected a whole number of tasks >= 1" ;;
    esac
    SPLIT=${SPLIT:-cells}
    case "$SPLIT" in cells|hosts) ;; *) die "bad SPLIT '$SPLIT' (valid: cells, hosts)" ;; esac
    need_sbatch
    PARTITION=${PARTITION:-}
    OUT=${OUT:-results/$(date -u +%Y%m%dT%H%M%SZ)-slurm}
    [ -e "$OUT/slurm.env" ] && die "$OUT already holds a bench-slurm run: RESUME=$OUT finishes it"
    mkdir -p "$OUT" || die "cannot create $OUT"
    OUT=$(cd "$OUT" && pwd)
    RUN_ARGS="$*"
    # One seed for every task: shards and hosts run their rounds alike.
    case " $RUN_ARGS " in *" --seed "*) ;; *)
        RUN_ARGS="$RUN_ARGS --seed $(od -An -N4 -tu4 /dev/urandom | tr -d ' ')" ;; esac
    build/memstrat run $RUN_ARGS --shard 1/"$SHARDS" --dry-run > /dev/null ||
        die "the matrix options are refused (above)"
    printf "SHARDS=%s\nSPLIT=%s\nPARTITION='%s'\nRUN_ARGS='%s'\n" "$SHARDS" "$SPLIT" "$PARTITION" \
        "$RUN_ARGS" > "$OUT/slurm.env"
    tasks=1-$SHARDS
fi
mkdir -p "$OUT/slurm" "$OUT/shards"
part=${PARTITION:+--partition=$PARTITION}

dep=""
if [ -n "$tasks" ]; then
    # shellcheck disable=SC2086  # $part is empty or one option
    array=$(sbatch --parsable --array="$tasks" $part --exclusive --chdir="$PWD" \
        --output="$OUT/slurm/shard-%a.log" harness/slurm/shard.sbatch "$OUT") ||
        die "sbatch of the shards failed"
    array=${array%%;*}
    dep=--dependency=afterany:$array
    echo "bench-slurm: shards $tasks of $SHARDS ($SPLIT) -> job $array"
else
    echo "bench-slurm: every shard of $OUT finished; merging again"
fi
wait=""
[ "${WAIT:-}" = 1 ] && wait=--wait
# shellcheck disable=SC2086
merge=$(sbatch --parsable $dep $part $wait --chdir="$PWD" --output="$OUT/slurm/merge.log" \
    harness/slurm/merge.sbatch "$OUT")
rc=$?
merge=${merge%%;*}
if [ -z "$wait" ]; then
    [ $rc -eq 0 ] || die "sbatch of the merge failed"
    echo "bench-slurm: merge -> job $merge; results will be in $OUT (squeue -j $merge; WAIT=1 waits)"
    exit 0
fi
cat "$OUT/slurm/merge.log" 2>/dev/null | grep -E '^memstrat|^plots' >&2
if [ $rc -eq 0 ]; then
    echo "bench-slurm: results in $OUT (report: $OUT/report.html)"
else
    echo "bench-slurm: merge job $merge exited $rc; what there is: $OUT (log: $OUT/slurm/merge.log)" >&2
fi
exit $rc
