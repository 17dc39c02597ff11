#!/bin/sh
# plots/html.sh REPORT_MD CHARTS_DIR -- the report as one
# self-contained HTML page on stdout: the markdown report.sh wrote,
# converted line by line (headings with GitHub's anchors, lists, tables,
# links, bold and code), and each chart's PNG reference replaced by the
# chart's SVG, inline.  No JavaScript, no other file, no network: the page
# survives being mailed or attached.  Colours come from the palette.
set -u
MD=${1:?usage: plots/html.sh REPORT_MD CHARTS_DIR}
CHARTS=${2:?}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
for c in $(sed -n 's/^!\[[^]]*\](charts\/\([a-z_]*\)\.png)$/\1/p' "$MD"); do
    [ -s "$CHARTS/$c.svg" ] || { echo "report: no $CHARTS/$c.svg to inline (run plots/plot.sh)" >&2; exit 1; }
done

awk -v charts="$CHARTS" -v text="$(palette ui_text)" -v rule="$(palette ui_rule)" -v code="$(palette ui_code_bg)" \
    -v back="$(palette ui_background)" -v note="$(palette ui_note)" '
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
function inline(s,  t, k) {
    s = esc(s)
    while (match(s, /\*\*[^*]+\*\*/)) s = substr(s, 1, RSTART - 1) "<b>" substr(s, RSTART + 2, RLENGTH - 4) "</b>" substr(s, RSTART + RLENGTH)
    while (match(s, /`[^`]+`/)) s = substr(s, 1, RSTART - 1) "<code>" substr(s, RSTART + 1, RLENGTH - 2) "</code>" substr(s, RSTART + RLENGTH)
    # Links as the table of contents writes them: [text](#anchor).
    while (match(s, /\[[A-Za-z0-9 .:,\/_*-]+\]\(#[a-z0-9_-]+\)/)) { t = substr(s, RSTART, RLENGTH); k = index(t, "](")
        s = substr(s, 1, RSTART - 1) "<a href=\"" substr(t, k + 2, length(t) - k - 2) "\">" substr(t, 2, k - 2) "</a>" substr(s, RSTART + RLENGTH) }
    return s }
# GitHub anchors: lower case, punctuation dropped, spaces to hyphens.
function slug(s) { s = tolower(s); gsub(/[^a-z0-9 _-]/, "", s); gsub(/ /, "-", s); return s }
function close_blocks() { if (ul) print "</ul>"; if (tb) print "</table>"; ul = tb = 0 }
# The chart itself: its SVG minus the XML prologue, every id (and every
# reference to one) prefixed with the chart name, since gnuplot gives each
# file the same ids and a page may hold only one of each.
function svg(name, alt,  f, line, on) {
    f = charts "/" name ".svg"
    print "<figure id=\"chart-" name "\" class=\"chart\">"
    while ((getline line < f) > 0) {
        if (line ~ /<svg/) on = 1
        if (!on) continue
        if (line ~ /<title>/) line = "<title>" esc(alt) "</title>"
        gsub(/id=\x27/, "id=\x27" name "-", line); gsub(/id="/, "id=\"" name "-", line)
        gsub(/href=\x27#/, "href=\x27#" name "-", line); gsub(/href="#/, "href=\"#" name "-", line)
        gsub(/url\(#/, "url(#" name "-", line)
        sub(/<svg /, "<svg role=\"img\" aria-label=\"" esc(alt) "\" ", line)
        print line
    }
    close(f)
    print "<figcaption>" esc(alt) "</figcaption></figure>"
}
BEGIN {
    print "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>memstrat report</title>"
    print "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    print "<style>body{font-family:sans-serif;max-width:1250px;margin:2em auto;padding:0 1em;line-height:1.45;color:" text ";background:" back "}"
    print "figure.chart{margin:1em 0}figure.chart svg{width:100%;height:auto;border:1px solid " rule "}"
    print "figcaption{font-size:90%;color:" note "}table{border-collapse:collapse;margin:0.5em 0}"
    print "td,th{border:1px solid " rule ";padding:4px 8px;text-align:left}code{background:" code "}li.sub{margin-left:1.5em;list-style:circle}</style></head><body>"
}
/^# /  { close_blocks(); print "<h1>" inline(substr($0, 3)) "</h1>"; next }
/^## / { close_blocks(); h = substr($0, 4); print "<h2 id=\"" slug(h) "\">" inline(h) "</h2>"; next }
/^!\[/ { close_blocks(); alt = substr($0, 3, index($0, "]") - 3)
         name = $0; sub(/^.*\(charts\//, "", name); sub(/\.png\)$/, "", name); svg(name, alt); next }
/^  - / { print "<li class=\"sub\">" inline(substr($0, 5)) "</li>"; next }
/^- /  { if (!ul) { close_blocks(); print "<ul>"; ul = 1 } print "<li>" inline(substr($0, 3)) "</li>"; next }
/^\|---/ { next }
/^\|/  { n = split($0, f, "|"); tag = tb ? "td" : "th"; if (!tb) { close_blocks(); print "<table>"; tb = 1 }
         printf "<tr>"; for (i = 2; i < n; i++) printf "<%s>%s</%s>", tag, inline(f[i]), tag; print "</tr>"; next }
/^---$/ { close_blocks(); print "<hr>"; next }
/^$/   { close_blocks(); next }
       { close_blocks(); print "<p>" inline($0) "</p>" }
END    { close_blocks(); print "</body></html>" }' "$MD"
