# plots/lib.sh -- what plot.sh and report.sh share.  Sourced; needs $RUN.

# A top-level value of meta.json, string or number.
meta() { sed -n -e "s/^  \"$1\": \"\\(.*\\)\",\\{0,1\\}$/\\1/p" -e "s/^  \"$1\": \\([0-9.-]*\\),\\{0,1\\}$/\\1/p" "$RUN/meta.json" 2>/dev/null | head -1; }

# awk prologue for cells.csv: columns by name (v("ns_median")), ok(), and
# the default parameters every chart compares at: the CPython growth policy,
# window 0, big blocks kept, and for marksweep heap factor 2.  (The status is the only field
# that may hold a comma, and it is last.)
AWK_COLS='BEGIN { FS = "," }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
function v(name) { return $(c[name]) }
function ok() { return v("status") == "ok" }
function default_shape() { return (v("policy") == "-" || v("policy") == "cpython") && (v("window") == "-" || v("window") == "0") && (!("big_blocks" in c) || v("big_blocks") != "free") }
function defaults() { return default_shape() && (v("heap_factor") == "-" || v("heap_factor") == "2") }'
