#!/bin/sh
# plots/publish.sh RUN_DIR [DEST] -- add a run to a static site (default
# DEST=site): DEST/runs/<run id>/ gets the run's self-contained report.html,
# report.md with its PNGs, cells.csv and meta.json, and one line of
# DEST/runs/<run id>/entry.tsv for the index; DEST/index.html is then
# rebuilt from every entry.tsv under DEST/runs.  Another run adds a row and
# loses none; the same run twice rewrites the same files with the same
# content.  Plain files, relative links: GitHub Pages or any web server.
set -u
RUN=${1:?usage: plots/publish.sh RUN_DIR [DEST]}
DEST=${2:-site}
HERE=$(cd "$(dirname "$0")" && pwd)
[ -f "$RUN/cells.csv" ] || { echo "publish: no $RUN/cells.csv (run 'make bench' first, or pass RUN=results/<id>)" >&2; exit 2; }
# results/latest is a link: publish under the run's own name.
ID=$(basename "$(cd "$RUN" && pwd -P)")
case $ID in *[!A-Za-z0-9._:-]*|'') echo "publish: run id '$ID' has characters a URL would need to escape (valid: letters, digits . _ : -)" >&2; exit 2 ;; esac
[ -s "$RUN/report.html" ] && [ "$RUN/report.html" -nt "$RUN/cells.csv" ] ||
    { sh "$HERE/plot.sh" "$RUN" > /dev/null && sh "$HERE/report.sh" "$RUN" > /dev/null; } || exit 1
. "$HERE/lib.sh"

OUTDIR=$DEST/runs/$ID
mkdir -p "$OUTDIR/charts" || exit 1
cp "$RUN/report.html" "$RUN/report.md" "$RUN/cells.csv" "$OUTDIR/" || exit 1
[ -f "$RUN/meta.json" ] && cp "$RUN/meta.json" "$OUTDIR/"
cp "$RUN"/charts/*.png "$OUTDIR/charts/" || exit 1

# The run's headline numbers: by the geometric mean over its workloads,
# the fastest strategy and the leanest against the baseline.
HEADLINE=$(awk 'NR > 1 && $2 == "geomean" {
        if ($4 != "NaN" && (ft == "" || $4 < ft)) { ft = $4; fs = $3 }
        if ($7 != "NaN" && (rt == "" || $7 < rt)) { rt = $7; rs = $3 } }
    END { if (fs != "") printf "fastest %s at %.3gx the time, leanest %s at %.3gx the RSS", fs, ft, rs, rt }' \
    "$RUN/charts/headline.dat" 2>/dev/null)
[ -n "$HEADLINE" ] && HEADLINE="$HEADLINE of $BASE_STRAT on $BASE_BACKEND (geometric means)"
[ -n "$HEADLINE" ] || HEADLINE="no headline: $BASE_STRAT on $BASE_BACKEND did not run"
CELLS=$(awk "$AWK_COLS"' { n++; if (ok()) k++ } END { printf "%d of %d", k, n }' "$RUN/cells.csv")
# Tabs separate the fields: none of them holds one.
printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(meta started_utc)" "$ID" "$(meta host)" "$(meta memstrat_commit)" "$CELLS" \
    "$HEADLINE" | tr -d '\r' > "$OUTDIR/entry.tsv"

# The index: every published run, newest first.
touch "$DEST/.nojekyll"
cat "$DEST"/runs/*/entry.tsv | sort -r | awk -F '\t' -v text="$(palette ui_text)" -v rule="$(palette ui_rule)" \
    -v back="$(palette ui_background)" '
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); gsub(/"/, "\\&quot;", s); return s }
BEGIN { print "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>memstrat results</title>"
        print "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        print "<style>body{font-family:sans-serif;max-width:1250px;margin:2em auto;padding:0 1em;color:" text ";background:" back "}"
        print "table{border-collapse:collapse}td,th{border:1px solid " rule ";padding:4px 8px;text-align:left}</style></head><body>"
        print "<h1>memstrat results</h1>"
        print "<p>Every published run, newest first. Each report is one self-contained page: charts, methods and every number with its interval where the run has one.</p>"
        print "<table id=\"runs\"><tr><th>date (UTC)</th><th>host</th><th>commit</th><th>cells ok</th><th>headline</th><th>report</th></tr>" }
{ printf "<tr class=\"run\"><td>%s</td><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s</td><td><a href=\"runs/%s/report.html\">%s</a> (<a href=\"runs/%s/report.md\">md</a>)</td></tr>\n",
      esc($1), esc($3), esc($4), esc($5), esc($6), esc($2), esc($2), esc($2) }
END { print "</table><p>Made by <code>make publish</code>.</p></body></html>" }' > "$DEST/index.html.tmp" &&
    mv "$DEST/index.html.tmp" "$DEST/index.html" || exit 1
echo "publish: $DEST/index.html ($(ls "$DEST"/runs/*/entry.tsv | wc -l) runs; this one at $OUTDIR/report.html)"
