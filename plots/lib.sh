# plots/lib.sh -- what plot.sh, report.sh and publish.sh share.  Sourced;
# needs $RUN (and $HERE, the plots/ directory, for the palette).

# A top-level value of meta.json, string or number.
meta() { sed -n -e "s/^  \"$1\": \"\\(.*\\)\",\\{0,1\\}$/\\1/p" -e "s/^  \"$1\": \\([0-9.-]*\\),\\{0,1\\}$/\\1/p" "$RUN/meta.json" 2>/dev/null | head -1; }

# A colour of plots/palette.gp, the one file that defines them: palette ui_text.
palette() { sed -n "s/^$1 *= *\"\\(#[0-9A-Fa-f]*\\)\".*/\\1/p" "$HERE/palette.gp"; }

# The baseline every ratio is taken against: BASELINE=strategy/backend.
BASELINE_GIVEN=${BASELINE:+1}
BASELINE=${BASELINE:-refcount/glibc}
BASE_STRAT=${BASELINE%/*}
BASE_BACKEND=${BASELINE#*/}

# awk prologue for cells.csv: columns by name (v("ns_median")), ok(), the
# optional columns newer runs add (opt("ns_ci_lo") is "" where the column is
# absent or the cell has no value), and the default parameters every chart
# compares at: the CPython growth policy, window 0, big blocks kept, one
# thread, and for marksweep heap factor 2 (any_threads(): the same but at any
# thread count, threads(): the cell's T, for the thread charts of
# plots/threads.sh).  (The status is the only field that may hold a comma, and it is
# last.)  ci() says whether the cell has a 95% interval of its time.
AWK_COLS='BEGIN { FS = "," }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
function v(name) { return $(c[name]) }
function opt(name) { return (name in c) && $(c[name]) != "-" && $(c[name]) != "nan" ? $(c[name]) : "" }
function ci() { return opt("ns_ci_lo") != "" && opt("ns_ci_hi") != "" }
function ok() { return v("status") == "ok" }
function any_threads() { return (v("policy") == "-" || v("policy") == "cpython") && (v("window") == "-" || v("window") == "0") && (!("big_blocks" in c) || v("big_blocks") != "free") }
function threads() { return ("threads" in c) && v("threads") + 0 > 1 ? v("threads") + 0 : 1 }
function default_shape() { return any_threads() && threads() == 1 }
function defaults() { return default_shape() && (v("heap_factor") == "-" || v("heap_factor") == "2") }
function reference(s) { return s == "floor" || s == "malloc" || s == "cpython" }'

# BASELINE must name a strategy and a backend of the run: one line naming
# the bad value and the valid choices, exit 2.
check_baseline() {
    # The default, refcount/glibc, where the run has it; else refcount on the
    # run's first backend, else its first cell (a run of BACKENDS=mimalloc
    # must still draw).  A BASELINE the user gave is checked as given.
    if [ -z "$BASELINE_GIVEN" ]; then
        pick=$(awk "$AWK_COLS"' ok() { sb = v("strategy") "/" v("backend")
                if (sb == want) found = 1; if (first == "") first = sb
                if (v("strategy") == "refcount" && rc == "") rc = sb }
            END { print found ? want : (rc != "" ? rc : first) }' want="$BASELINE" "$RUN/cells.csv")
        [ -n "$pick" ] && BASELINE=$pick BASE_STRAT=${pick%/*} BASE_BACKEND=${pick#*/}
    fi
    awk "$AWK_COLS"' { s[v("strategy")] = 1; b[v("backend")] = 1 }
        function list(a,  k, out) { for (k in a) out = out (out == "" ? "" : ", ") k; return out }
        END { if (!(bs in s) || !(bb in b)) {
            printf "%s: BASELINE=%s: not a strategy/backend of this run (strategies: %s; backends: %s)\n", who, base, list(s), list(b) > "/dev/stderr"
            exit 2 } }' who="$1" base="$BASELINE" bs="$BASE_STRAT" bb="$BASE_BACKEND" "$RUN/cells.csv"
}

# Does cells.csv carry the trials columns (an interval per cell)?
has_ci() { head -1 "$RUN/cells.csv" | tr , '\n' | grep -qx ns_ci_lo; }
# The level of those intervals, as a reader says it: "95%", or "75-95%"
# where cells ran different numbers of trials (ci_level; 95% where a run
# does not say).
ci_label() {
    awk "$AWK_COLS"' ok() && ci() { l = opt("ci_level") != "" ? opt("ci_level") * 100 : 95
            if (lo == "" || l < lo) lo = l; if (hi == "" || l > hi) hi = l }
        function pct(x) { return sprintf(x == int(x) ? "%d" : "%.1f", x) }
        END { if (lo == "") print "95%"; else if (lo == hi) print pct(lo) "%"; else print pct(lo) "-" pct(hi) "%" }' "$RUN/cells.csv"
}
