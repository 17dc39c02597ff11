#!/usr/bin/env python3
"""tests/cpython_gc_counts.py -- collections of each generation that
CPython's gc makes in one run of a workload, as harness/cpython_cell.py
runs it: prints "a/b/c" (gc.get_stats() after minus before).

    python3 tests/cpython_gc_counts.py WORKLOAD N [WINDOW]

The collector starts from the state of a fresh C heap: the interpreter's
own objects are frozen away (gc.freeze) and a full collection resets the
counts and empties the free lists, so that what is compared with
rc_cycle and cpython_model is the collector, not the interpreter's startup
objects (some 11,000 of them, which hold full collections back under the
long-lived rule).
"""
import gc
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import cpython_cell  # noqa: E402  the loops the cpython series times

workload, n = sys.argv[1], int(float(sys.argv[2]))
window = int(sys.argv[3]) if len(sys.argv) > 3 else 0
run = cpython_cell.WORKLOADS[workload](n, 3, window)
gc.enable()
gc.freeze()
gc.collect()
before = [s["collections"] for s in gc.get_stats()]
run()
after = [s["collections"] for s in gc.get_stats()]
print("/".join(str(a - b) for a, b in zip(after, before)))
