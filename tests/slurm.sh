#!/bin/bash
# tests/slurm.sh -- make bench-slurm on a real Slurm: a one-node cluster on
# localhost from Debian's packages (munge, slurmctld, slurmd, slurm-client;
# make deps installs them), configured in a temporary directory:
#   1. SHARDS=3 QUICK=1 WAIT=1: the merged cells.csv holds exactly the cells
#      of the unsharded QUICK matrix, all ok or n/a, and the report is drawn;
#   2. a task made to fail (its shard directory cannot be created): the merge
#      marks its cells missing and exits non-zero; RESUME resubmits only that
#      shard, and the run is whole again.
# The daemons it starts are stopped by their pid files when it ends.  Where
# Slurm cannot be installed or started, the checks are skipped (SKIP lines).
# Prints "slurm: N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.." || exit 2
M=build/memstrat
T=$(mktemp -d /tmp/memstrat-slurm.XXXXXX)
chmod 755 "$T"      # munged, running as munge, keeps its pid file here
pass=0 fail=0 skipped=0
CHECKS=12       # the checks below, counted as skipped when there is no cluster

ok()    { pass=$((pass + 1)); }
bad()   { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
finish() {
    if [ "$skipped" -gt 0 ]; then echo "slurm: $pass passed, $fail failed, $skipped skipped"
    else echo "slurm: $pass passed, $fail failed"; fi
    exit $((fail > 0))
}
skip_all() { echo "SKIP: $*"; skipped=$((skipped + CHECKS - pass - fail)); finish; }

# ---- the cluster --------------------------------------------------------------
# Stop what this test started, by the pid files it gave the daemons.
stop_cluster() {
    for d in slurmd slurmctld munged; do
        [ -f "$T/$d.pid" ] || continue
        pid=$(cat "$T/$d.pid")
        kill "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
}
trap 'stop_cluster; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM     # so that EXIT's trap runs on a signal too

start_cluster() {
    [ "$(id -u)" = 0 ] || { echo "not root: cannot start slurmctld and slurmd"; return 1; }
    if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
        make -s deps > "$T/deps.log" 2>&1 || { echo "cannot install Slurm: $(tail -1 "$T/deps.log")"; return 1; }
    fi
    for c in munged slurmctld slurmd sbatch sinfo; do
        command -v $c >/dev/null || { echo "no $c after make deps"; return 1; }
    done
    # munged runs as munge, with its socket in /run/munge and a key.
    mkdir -p /run/munge /var/log/munge /var/lib/munge /etc/munge "$T/munge"
    chown munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge "$T/munge"
    chmod 0755 /run/munge
    if [ ! -s /etc/munge/munge.key ]; then
        if command -v mungekey >/dev/null; then mungekey -c -f -k /etc/munge/munge.key
        else /usr/sbin/create-munge-key -f; fi > /dev/null 2>&1
        chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
    fi
    # A munged already answering (the machine's own) serves us too.
    if ! munge -n 2>/dev/null | unmunge > /dev/null 2>&1; then
        runuser -u munge -- munged --pid-file="$T/munge/munged.pid" --force 2> "$T/munged.err" ||
            { echo "munged did not start: $(tail -1 "$T/munged.err")"; return 1; }
        for _ in $(seq 50); do [ -s "$T/munge/munged.pid" ] && break; sleep 0.1; done
        cp "$T/munge/munged.pid" "$T/munged.pid"
    fi
    mem=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
    mkdir -p "$T/state" "$T/spool"
    cat > "$T/slurm.conf" <<CONF
ClusterName=memstrat-test
SlurmctldHost=localhost
SlurmUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MpiDefault=none
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
NodeName=localhost CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF=$T/slurm.conf
    slurmctld -f "$SLURM_CONF" -i 2> "$T/slurmctld.err" || { echo "slurmctld did not start: $(tail -1 "$T/slurmctld.err")"; return 1; }
    slurmd -f "$SLURM_CONF" -N localhost 2> "$T/slurmd.err" || { echo "slurmd did not start: $(tail -1 "$T/slurmd.err")"; return 1; }
    for _ in $(seq 60); do
        sinfo -h -o %T 2>/dev/null | grep -q '^idle' && return 0
        sleep 1
    done
    echo "the cluster did not answer sinfo within 60 s: $(tail -2 "$T/slurmctld.log")"
    return 1
}

why=$(start_cluster) || skip_all "slurm: $why"
export SLURM_CONF=$T/slurm.conf
echo "slurm: a one-node cluster is up ($(sinfo -h -o '%P %D %c %T' | head -1))"

# Cell ids of a cells.csv, sorted; and of a matrix (memstrat run --dry-run).
ids()    { awk -F, 'NR > 1 { print $1 }' "$1" | sort; }
matrix() { $M run "$@" --dry-run | grep -v ' cells x \|^shard ' | sed 's/  (n\/a.*//' | sort; }
# Status of every row, counted: "ok 40", "n/a 8".
statuses() { awk -F, 'NR > 1 { n[$NF]++ } END { for (s in n) print s, n[s] }' "$1" | sort; }

# ---- 1. three shards of QUICK, merged --------------------------------------------
make -s bench-slurm SHARDS=3 QUICK=1 TRIALS=2 WAIT=1 OUT="$T/main" > "$T/main.out" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -5 "$T/main.out"
check "make bench-slurm SHARDS=3 QUICK=1 WAIT=1 exits 0 (got $rc)" test $rc -eq 0
check "WAIT=1 says where the results are" grep -q "results in $T/main" "$T/main.out"
. "$T/main/slurm.env"
# shellcheck disable=SC2086
matrix $RUN_ARGS > "$T/want.txt"
ids "$T/main/cells.csv" > "$T/got.txt"
check "the merged cells.csv holds exactly the cells of the unsharded QUICK matrix" \
    cmp -s "$T/want.txt" "$T/got.txt"
check "every merged cell is ok or n/a ($(statuses "$T/main/cells.csv" | tr '\n' ' '))" \
    test -z "$(statuses "$T/main/cells.csv" | grep -v '^ok \|^n/a ')"
cat "$T"/main/shards/[0-9]*/cells.csv | awk -F, '$1 != "cell" { print $1 }' | sort > "$T/shards.txt"
check "each cell ran in exactly one of the three shards" cmp -s "$T/want.txt" "$T/shards.txt"
check "meta.json lists the three shards" test "$(grep -c '"dir": .*"shard": "[123]/3"' "$T/main/meta.json")" -eq 3
check "the report and the charts were drawn" \
    test -s "$T/main/report.html" -a -s "$T/main/charts/time.png" -a -s "$T/main/charts/heatmap.png"

# ---- 2. a task that fails, then RESUME -------------------------------------------
# Shard 2 cannot create its directory (a file stands in its place), so its
# task exits 2 before running a cell: a node that failed.
SMALL="STRATEGIES=refcount,floor,pool BACKENDS=glibc WORKLOADS=list_append,churn SIZES=1e3 TRIALS=1 REPS=1 MIN_TIME=0.001"
mkdir -p "$T/fail/shards" && : > "$T/fail/shards/2"
# shellcheck disable=SC2086
make -s bench-slurm SHARDS=3 $SMALL WAIT=1 OUT="$T/fail" > "$T/fail.out" 2>&1
rc=$?
check "a failed task makes bench-slurm exit non-zero (got $rc)" test $rc -ne 0
. "$T/fail/slurm.env"
# shellcheck disable=SC2086
matrix $RUN_ARGS --shard 2/3 > "$T/lost.txt"
awk -F, '$NF == "missing" { print $1 }' "$T/fail/cells.csv" | sort > "$T/missing.txt"
check "the failed shard's cells are 'missing' in the merged cells.csv, and only they" \
    test -s "$T/lost.txt" -a "$(cat "$T/lost.txt")" = "$(cat "$T/missing.txt")"
check "the merge job names the shard that did not finish" \
    grep -q "did not finish: 2" "$T/fail/slurm/merge.log"
sum1=$(md5sum < "$T/fail/shards/1/trials.csv")
rm "$T/fail/shards/2"
make -s bench-slurm RESUME="$T/fail" WAIT=1 > "$T/resume.out" 2>&1
rc=$?
check "RESUME resubmits only the shard that failed, and exits 0 (got $rc)" \
    grep -q "shards 2 of 3" "$T/resume.out"
check "after RESUME no cell is missing, and shard 1 was not run again" \
    test $rc -eq 0 -a "$(grep -c missing "$T/fail/cells.csv")" -eq 0 -a \
         "$(md5sum < "$T/fail/shards/1/trials.csv")" = "$sum1"
[ "$fail" -eq 0 ] || { tail -5 "$T"/*.out; tail -5 "$T"/fail/slurm/*.log; }
stop_cluster
for d in slurmd slurmctld munged; do
    [ -f "$T/$d.pid" ] && kill -0 "$(cat "$T/$d.pid")" 2>/dev/null && bad "$d still runs after stop"
done
finish
