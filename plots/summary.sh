#!/bin/sh
# plots/summary.sh RUN_DIR -- the data of the two summary charts, from
# cells.csv alone, into RUN_DIR/charts/ (plot.sh calls it after writing
# largest.dat):
#   headline.dat   per workload at its largest N, each strategy's time and
#                  RSS above baseline as ratios to BASELINE (default
#                  refcount/glibc), with their 95% intervals where the run
#                  has trials, and the geometric mean over the workloads;
#   breakdown.dat  per workload at its largest N, the cost of one operation
#                  stacked from the floor up: floor, + allocator, + counting,
#                  + cycle collection, + interpreter, each layer the
#                  difference of two reference or strategy cells.
set -u
RUN=${1:?usage: plots/summary.sh RUN_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
CSV=$RUN/cells.csv
OUT=$RUN/charts
. "$HERE/lib.sh"
# The backend of each breakdown layer: the fastest one of its series
# (default), or BREAKDOWN_BACKEND where that series ran on it.
BREAKDOWN_BACKEND=${BREAKDOWN_BACKEND:-fastest}
SIZES=$(awk '{ printf "%s=%s ", $1, $2 }' "$OUT/largest.dat")

# The cells every summary compares: ok, default parameters, the workload's
# largest N.  Shared prologue: n[w] is that N, keep() selects the cell.
PICK='BEGIN { k = split(sizes, z, " "); for (i = 1; i <= k; i++) { split(z[i], p, "="); n[p[1]] = p[2]; wl[++nw] = p[1] } }
function keep() { return ok() && defaults() && v("size") == n[v("workload")] }'

# ---- headline ---------------------------------------------------------------
# Each strategy on the baseline's backend where it ran there, else on its
# fastest (boehm has its own heap).  The interval of a ratio a/b is
# [a_lo / b_hi, a_hi / b_lo]: both ends at once, so it is conservative.  The
# geometric mean only over the workloads where the strategy has a ratio, and
# only when it has one in each of them: a mean over fewer would compare
# different things.
awk -v sizes="$SIZES" "$AWK_COLS$PICK"' keep() && !reference(v("strategy")) {
    w = v("workload"); s = v("strategy"); b = v("backend"); t = v("ns_median") + 0
    if (!(s in seen)) { seen[s] = 1; order[++ns] = s }
    k = w SUBSEP s
    if (!(k in bt) || b == bb || (pb[k] != bb && t < bt[k])) {
        bt[k] = t; pb[k] = b; r[k] = v("rss_above_baseline_kb") / 1024
        tl[k] = ci() ? opt("ns_ci_lo") : ""; th[k] = ci() ? opt("ns_ci_hi") : ""
        rl[k] = opt("rss_ci_lo") != "" ? (opt("rss_ci_lo") - v("baseline_rss_kb")) / 1024 : ""
        rh[k] = opt("rss_ci_hi") != "" ? (opt("rss_ci_hi") - v("baseline_rss_kb")) / 1024 : ""
    }
}
function ratio(a, b) { return (a != "" && b != "" && a > 0 && b > 0) ? a / b : "NaN" }
function gm(x, m) { return m > 0 ? exp(x / m) : "NaN" }
END {
    print "# x workload strategy t t_lo t_hi rss rss_lo rss_hi backend"
    for (j = 1; j <= ns; j++) { s = order[j]; m = 0; lt = llo = lhi = lr = lrl = lrh = 0; mt = mr = mrc = 0; all = 1
        for (i = 1; i <= nw; i++) { w = wl[i]; base = w SUBSEP bs; k = w SUBSEP s
            if (!(base in bt) || pb[base] != bb) continue
            if (!(k in bt) || bt[k] <= 0 || bt[base] <= 0) { all = 0; continue }
            T = ratio(bt[k], bt[base]); TL = ratio(tl[k], th[base]); TH = ratio(th[k], tl[base])
            R = ratio(r[k], r[base]); RL = ratio(rl[k], rh[base]); RH = ratio(rh[k], rl[base])
            printf "%d %s %s %s %s %s %s %s %s %s\n", i, w, s, T, TL, TH, R, RL, RH, pb[k]
            m++; lt += log(T); if (TL != "NaN" && TH != "NaN") { mt++; llo += log(TL); lhi += log(TH) }
            if (R != "NaN") { mr++; lr += log(R); if (RL != "NaN" && RH != "NaN") { mrc++; lrl += log(RL); lrh += log(RH) } }
        }
        if (m == 0 || !all) continue
        printf "%d geomean %s %s %s %s %s %s %s -\n", nw + 1, s, gm(lt, m), mt == m ? gm(llo, m) : "NaN", mt == m ? gm(lhi, m) : "NaN",
            mr == m ? gm(lr, m) : "NaN", mrc == m ? gm(lrl, m) : "NaN", mrc == m ? gm(lrh, m) : "NaN"
        printf "%s ", s > names
    }
}' bs="$BASE_STRAT" bb="$BASE_BACKEND" names="$OUT/headline.dat.names" "$CSV" > "$OUT/headline.dat"
touch "$OUT/headline.dat.names"

# ---- breakdown --------------------------------------------------------------
# Levels, cheapest first, and the layer each adds over the one below.  A
# level that did not run leaves the layers around it unsplit: one grey block
# from the last level that ran, named in breakdown-notes.txt.  A level
# cheaper than the top so far (noise, or a loop that does less) adds
# nothing to the stack; the notes say by how much it fell short.  A level
# that leaks (refcount under cycles) does less work than the one above it
# and is left out.  Where a
# cell has fault_share, the page-fault part of its layer (its fault time
# minus the level below's) is hatched: hatch_lo..top.
LEVELS="floor:floor malloc:allocator refcount:counting rc_cycle:collector cpython:interpreter"
: > "$OUT/breakdown-notes.txt"
awk -v sizes="$SIZES" -v levels="$LEVELS" "$AWK_COLS$PICK"' BEGIN { nl = split(levels, L, " "); for (i = 1; i <= nl; i++) { split(L[i], p, ":"); lv[i] = p[1]; ly[i] = p[2]; isl[p[1]] = i } }
keep() && (v("strategy") in isl) {
    w = v("workload"); s = v("strategy"); b = v("backend"); t = v("ns_median") + 0; k = w SUBSEP s
    if (opt("leaked_bytes") + 0 > 0) { if (!leaks[k]++) printf "%s: %s leaks here (it never frees a cycle): not a level\n", w, s >> notes; next }
    if (!(k in bt) || b == want || (pb[k] != want && t < bt[k])) {
        bt[k] = t; pb[k] = b; fs[k] = opt("fault_share") != "" ? opt("fault_share") * t : 0 }
}
END {
    print "# x workload layer bottom top hatch_lo ns backend"
    x = 0
    for (i = 1; i <= nw; i++) { w = wl[i]; present = 0
        for (j = 1; j <= nl; j++) if ((w SUBSEP lv[j]) in bt) present++
        if (present < 2) continue
        x++; top = 0; ftop = 0; prev = 0; gap = ""; last = ""
        for (j = 1; j <= nl; j++) { k = w SUBSEP lv[j]
            if (!(k in bt)) { gap = gap (gap == "" ? "" : ", ") ly[j]; continue }
            layer = gap == "" ? ly[j] : "unsplit"
            if (gap != "") printf "%s: %s not split (no usable %s cell): one block up to %s\n", w, gap ", " ly[j], missing(j), lv[j] >> notes
            d = bt[k] - top
            if (d < 0) { printf "%s: %s on %s (%.2f ns) is %.2f ns below %s: layer %s drawn as 0\n", w, lv[j], pb[k], bt[k], -d, last, layer >> notes; d = 0 }
            fpart = fs[k] - ftop; if (fpart < 0) fpart = 0; if (fpart > d) fpart = d
            printf "%d %s %s %.4f %.4f %.4f %.4f %s\n", x, w, layer, top, top + d, top + d - fpart, bt[k] - prev, pb[k]
            top += d; prev = bt[k]; if (fs[k] > ftop) ftop = fs[k]; gap = ""; last = lv[j] " on " pb[k]
        }
        if (gap != "") printf "%s: no %s layer (no usable %s cell)\n", w, gap, missing(nl + 1) >> notes
        printf "%s ", w > names
    }
}
function missing(j,   i, out) { for (i = j - 1; i >= 1 && !((w SUBSEP lv[i]) in bt); i--) out = lv[i] (out == "" ? "" : ", ") out; return out }
' want="$BREAKDOWN_BACKEND" notes="$OUT/breakdown-notes.txt" \
    names="$OUT/breakdown.dat.names" "$CSV" |
    # Column 9: 1 on the top layer of each bar, where the chart puts the total.
    awk 'NR == 1 { print $0 " last"; next } NR > 2 { print prev, ($1 != x ? 1 : 0) } { prev = $0; x = $1 } END { if (NR > 1) print prev, 1 }' \
    > "$OUT/breakdown.dat.tmp"
touch "$OUT/breakdown.dat.names"
# Only a run with something to stack has a breakdown chart.
if [ -s "$OUT/breakdown.dat.names" ]; then mv "$OUT/breakdown.dat.tmp" "$OUT/breakdown.dat"
else rm -f "$OUT/breakdown.dat.tmp"; : > "$OUT/breakdown.dat"; fi
