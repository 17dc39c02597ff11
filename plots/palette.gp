# plots/palette.gp -- every colour memstrat draws with, and nowhere else
# (tests/plots.sh greps that no other file names one).  A strategy has one
# colour and one point type in every chart, a backend one fill, the
# reference series (floor, malloc, cpython) grey/black dash styles.  The
# report's HTML reads the ui_* colours from this file too (plots/lib.sh
# palette), so a figure and the page around it cannot drift apart.
#
# Strategies: Okabe-Ito, safe for the common colour-blindnesses; the wine of
# Paul Tol's palette for the model, which Okabe-Ito runs out before.  Point
# types differ too, so that a grey-scale print still tells them apart.
# The threaded models (rc_gil, rc_atomic, rc_biased) take Tol's indigo, rose
# and green, apart from refcount's blue, whose code they share.
strat_names  = "refcount rc_cycle pool marksweep arena boehm cpython_model rc_gil rc_atomic rc_biased floor malloc cpython"
strat_colors = "#0072B2 #56B4E9 #009E73 #D55E00 #E69F00 #CC79A7 #882255 #332288 #CC6677 #117733 #222222 #8C8C8C #5A5A5A"
strat_points = "7 9 5 13 11 15 3 8 10 14 4 6 12"
# Dash types: solid for strategies; the references dashed (floor), dotted
# (malloc) and dash-dot (cpython), so they read as rulers, not contenders.
strat_dashes = "1 1 1 1 1 1 1 1 1 1 2 3 4"
# A strategy this file does not know yet: grey crosses, visibly unassigned.
other_color  = "#B0B0B0"

# Backends: fills of Paul Tol's "light" scheme, paler than any strategy
# colour so that a bar is never mistaken for a strategy's line.
backend_names  = "glibc jemalloc mimalloc tcmalloc"
backend_colors = "#77AADD #EE8866 #44BB99 #EEDD88"
# Where a chart gives each model a line per backend (threads), the colour
# is the model's and the point the backend's (its key says so, in black).
backend_points = "5 7 9 13"
# The ideal line of the threads chart (T x the throughput at one thread).
ideal_dash = 2

# Layers of the cost breakdown, each in the colour of the series that adds
# it: the floor, the allocator (malloc), counting (refcount), cycle
# collector (rc_cycle), the interpreter (cpython); light grey for layers a
# run could not split (a level missing between them).
layer_names  = "floor allocator counting collector interpreter unsplit"
layer_colors = "#222222 #8C8C8C #0072B2 #56B4E9 #5A5A5A #D9D9D9"

# List growth policies (chart growth): not strategies, so Tol's "bright".
policy_names  = "cpython 1.5 2.0"
policy_colors = "#4477AA #EE6677 #228833"

# The speed-up heat map: diverging red (slower) - white - blue (faster).
heat_slow = "#B2182B"
heat_same = "#F7F7F7"
heat_fast = "#2166AC"

# Everything that is not data: page, grid, frame, footer, the live-bytes
# line, the hatching of page faults, and the HTML report's own colours.
ui_background = "#FFFFFF"
ui_text       = "#1A1A1A"
ui_grid       = "#DDDDDD"
ui_border     = "#444444"
ui_footer     = "#555555"
ui_live       = "#000000"
ui_rule       = "#CCCCCC"
ui_code_bg    = "#F4F4F4"
ui_note       = "#8A5A00"

# ---- lookups (gnuplot side) ------------------------------------------------
# Position of word w in list l, 0 when absent.
find_word(l, w) = find_from(l, w, 1)
find_from(l, w, i) = (i > words(l)) ? 0 : ((word(l, i) eq w) ? i : find_from(l, w, i + 1))
strat_color(s) = find_word(strat_names, s) ? word(strat_colors, find_word(strat_names, s)) : other_color
strat_point(s) = find_word(strat_names, s) ? word(strat_points, find_word(strat_names, s)) + 0 : 2
strat_dash(s)  = find_word(strat_names, s) ? word(strat_dashes, find_word(strat_names, s)) + 0 : 1
# A variant (mimalloc@reset_delay=10000) takes its allocator's colour,
# darkened by a third for each variant of that allocator before it in the
# run's list of backends (backends, set by plot.sh), so that each variant
# keeps a fill of its own.
hex2(c, i) = ("0x".c[i:i + 1]) + 0
shade(c, f) = sprintf("#%02X%02X%02X", int(hex2(c, 2) * (1 - f)), int(hex2(c, 4) * (1 - f)), int(hex2(c, 6) * (1 - f)))
variant_rank(b) = variant_rank_from(b, 1, 0)
variant_rank_from(b, i, k) = (i > words(backends) || word(backends, i) eq b) ? k : \
    variant_rank_from(b, i + 1, k + (backend_base(word(backends, i)) eq backend_base(b) ? 1 : 0))
backend_fill(b) = shade(backend_color(b), variant_rank(b) > 2 ? 0.66 : variant_rank(b) / 3.0)
backend_base(b) = strstrt(b, "@") ? b[1:strstrt(b, "@") - 1] : b
backend_color(b) = find_word(backend_names, backend_base(b)) ? word(backend_colors, find_word(backend_names, backend_base(b))) : other_color
layer_color(x)   = word(layer_colors, find_word(layer_names, x))
policy_color(p)  = find_word(policy_names, p) ? word(policy_colors, find_word(policy_names, p)) : other_color
backend_point(b) = find_word(backend_names, backend_base(b)) ? word(backend_points, find_word(backend_names, backend_base(b))) + 0 : 2
